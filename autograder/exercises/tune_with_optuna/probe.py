"""Exercise 15, `tune_with_optuna`: the probe, run in the student's process on the judge's inputs.

It drives the student's objective with a real Optuna trial of the probe's own:
a study in memory, with the judge's parameters enqueued (so the trial suggests
them when asked within the chapter's ranges) and a pruner that answers
`should_prune()` as the judge decides. Afterwards it reads from the study's
storage what the objective suggested (names and distributions) and reported
(step and value), and records whether it returned, raised optuna.TrialPruned
or raised something else. Expected values never appear here.
"""

import optuna
import torch
from torch.utils.data import DataLoader, TensorDataset

from ...probe.inputs import as_tensor
from ...probe.observe import _is_sub, call, exception_name, lookup, missing, value

_create_study, _InMemoryStorage = optuna.create_study, optuna.storages.InMemoryStorage
_RandomSampler, _NopPruner = optuna.samplers.RandomSampler, optuna.pruners.NopPruner
_enqueue_trial, _ask, _get_trial = optuna.study.Study.enqueue_trial, optuna.study.Study.ask, _InMemoryStorage.get_trial
_TrialPruned = optuna.exceptions.TrialPruned
_FloatDistribution, _IntDistribution = optuna.distributions.FloatDistribution, optuna.distributions.IntDistribution
_get_verbosity, _set_verbosity, _WARNING = (
    optuna.logging.get_verbosity,
    optuna.logging.set_verbosity,
    optuna.logging.WARNING,
)
_manual_seed, _Generator, _generator_manual_seed = torch.manual_seed, torch.Generator, torch.Generator.manual_seed
_DataLoader, _TensorDataset = DataLoader, TensorDataset
_getattribute = object.__getattribute__
_type, _list, _dict, _str, _int, _sorted, _any = type, list, dict, str, int, sorted, any
MAX_NAMES = 16


class PruneAt(optuna.pruners.BasePruner):
    """Says "prune" once a value has been reported at ``step`` or later."""

    def __init__(self, step):
        self.step = step

    def prune(self, study, trial):
        return _any(s >= self.step for s in _getattribute(trial, "__dict__")["intermediate_values"])


def _study(pruner):
    verbosity = _get_verbosity()
    _set_verbosity(_WARNING)  # no "A new study created" line
    try:
        return _create_study(storage=_InMemoryStorage(), sampler=_RandomSampler(seed=0), pruner=pruner)
    finally:
        _set_verbosity(verbosity)


def _warm_up():
    """A trial's whole life, once, before any student code: everything Optuna imports lazily gets imported."""
    study = _study(PruneAt(0))
    _enqueue_trial(study, {"learning_rate": 0.01, "n_hidden": 20})
    trial = _ask(study)
    trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    trial.suggest_int("n_hidden", 20, 300)
    trial.report(0.5, 0)
    trial.should_prune()
    _get_trial(study._storage, trial._trial_id)


_warm_up()


def _calling(fn, *args, **kwargs):
    """(result, None), or (None, the exception): the exception's class decides between pruned and failed."""
    try:
        return fn(*args, **kwargs), None
    except BaseException as exc:
        return None, exc


def _distribution(d):
    kind = {_FloatDistribution: "float", _IntDistribution: "int"}.get(_type(d), "other")
    attributes = _getattribute(d, "__dict__") if kind != "other" else {}
    return {"kind": kind, **{name: value(attributes.get(name)) for name in ("low", "high", "log", "step")}}


def _trial_record(storage, trial_id):
    """What the trial's storage holds: the distributions suggested and the values reported, by step."""
    frozen = _getattribute(_get_trial(storage, trial_id), "__dict__")
    distributions = _list(_dict.items(frozen["_distributions"]))[:MAX_NAMES]
    reports = _sorted(_dict.items(frozen["intermediate_values"]))
    return {
        "distributions": [[name[:100], _distribution(d)] for name, d in distributions if _type(name) is _str],
        "reports": [[step, value(v)] for step, v in reports[:100] if _type(step) is _int],
    }


def _loaders(data, run):
    train = _TensorDataset(as_tensor(data["X_train"]), as_tensor(data["y_train"]))
    generator = _generator_manual_seed(_Generator(), run["loader_seed"])
    train_loader = _DataLoader(train, batch_size=data["train_batch"], shuffle=True, generator=generator)
    valid = _TensorDataset(as_tensor(data["X_valid"]), as_tensor(data["y_valid"]))
    return train_loader, _DataLoader(valid, batch_size=data["valid_batch"])


def probe(ns, inputs):
    for i, run in enumerate(inputs["runs"]):
        objective = lookup(ns, "objective")
        if objective is None:
            yield f"run/{i}", {"result": missing("objective")}
            continue
        study = _study(PruneAt(run["prune_at"]) if "prune_at" in run else _NopPruner())
        _enqueue_trial(study, {"learning_rate": run["learning_rate"], "n_hidden": run["n_hidden"]})
        trial = _ask(study)
        storage, trial_id = _getattribute(study, "_storage"), _getattribute(trial, "_trial_id")
        train_loader, valid_loader = _loaders(inputs["data"], run)
        _manual_seed(run["seed"])
        outcome, _ = call(_calling, objective, trial, train_loader, valid_loader, n_epochs=run["n_epochs"])
        result, exc = outcome
        if exc is None:
            described = value(result)
        elif _is_sub(_type(exc), _TrialPruned):
            described = {"kind": "pruned"}
        else:
            described = {"kind": "error", "exception": exception_name(exc)}
        yield f"run/{i}", {"result": described, **_trial_record(storage, trial_id)}
