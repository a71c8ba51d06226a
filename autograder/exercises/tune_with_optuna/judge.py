"""Exercise 15, `tune_with_optuna`: the chapter's Optuna objective, driven by the probe's own trials.

The probe hands the objective a real trial (the judge's parameters enqueued,
a pruner that answers as the judge decides) and the judge's loaders of digits
images; this judge runs the reference objective the same way, here, and
compares what was suggested, reported, returned and raised.
"""

import json
import re
from functools import lru_cache

import numpy as np
import optuna
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from ... import data
from ...judge import Fail, Malformed, check, decode, encode, expect, glossary
from ...judge.models import single_threaded
from ..classify_digits.judge import ImageClassifier, evaluate, train

# --------------------------------------------------------------------------- the reference (the chapter's code)

device = "cpu"  # the grader's, and the sandbox's


def objective(trial, train_loader, valid_loader, n_epochs=5):
    learning_rate = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    n_hidden = trial.suggest_int("n_hidden", 20, 300)
    model = ImageClassifier(64, n_hidden, n_hidden, 10).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    criterion = nn.CrossEntropyLoss()
    best_accuracy = 0.0
    for epoch in range(n_epochs):
        train(model, optimizer, criterion, train_loader, n_epochs=1)
        n_correct = evaluate(model, valid_loader, lambda logits, y: (logits.argmax(dim=1) == y).sum(), torch.sum)
        valid_accuracy = n_correct.item() / len(valid_loader.dataset)
        best_accuracy = max(best_accuracy, valid_accuracy)
        trial.report(valid_accuracy, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return best_accuracy


REFERENCE = (objective,)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def objective(trial, train_loader, valid_loader, n_epochs=5) -> float:
    learning_rate = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    n_hidden = trial.suggest_int("n_hidden", 20, 300)
    model = ImageClassifier(64, n_hidden, n_hidden, 10).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    xentropy = nn.CrossEntropyLoss()
    best_accuracy = 0.0
    for epoch in range(n_epochs):
        train(model, optimizer, xentropy, train_loader, n_epochs=1)
        # erro típico: a média das acurácias dos lotes dá peso demais ao último lote, quando ele é menor
        batch_accuracy = lambda logits, y: (logits.argmax(dim=1) == y).float().mean()
        valid_accuracy = evaluate(model, valid_loader, batch_accuracy).item()
        best_accuracy = max(best_accuracy, valid_accuracy)
        trial.report(valid_accuracy, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return best_accuracy
"""

SUGGESTIONS = {
    "learning_rate": ('trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)', "float", 1e-5, 1e-1, True, None),
    "n_hidden": ('trial.suggest_int("n_hidden", 20, 300)', "int", 20, 300, False, 1),
}

# --------------------------------------------------------------------------- hidden inputs


def draw(rng):
    X_train, X_valid, _, y_train, y_valid, _ = data.digits_splits()
    train_rows = np.sort(rng.choice(len(y_train), size=int(rng.integers(300, 400)), replace=False))
    valid_batch = int(rng.integers(16, 33))
    n_valid = int(rng.choice([n for n in range(60, 100) if n % valid_batch != 0]))
    valid_rows = np.sort(rng.choice(len(y_valid), size=n_valid, replace=False))
    loaders = {
        "X_train": encode(X_train[train_rows]),
        "y_train": encode(y_train[train_rows]),
        "X_valid": encode(X_valid[valid_rows]),
        "y_valid": encode(y_valid[valid_rows]),
        "train_batch": int(rng.integers(6, 11)),
        "valid_batch": valid_batch,
    }
    runs = []
    for n_epochs, prune_at in ((3, None), (3, int(rng.integers(0, 2)))):
        run = {
            "learning_rate": float(round(rng.uniform(0.06, 0.1), 4)),
            "n_hidden": int(rng.integers(20, 61)),
            "n_epochs": n_epochs,
            "seed": int(rng.integers(0, 10_000)),
            "loader_seed": int(rng.integers(0, 10_000)),
        }
        if prune_at is not None:
            run["prune_at"] = prune_at
        runs.append(run)
    return {"data": loaders, "runs": runs}


# --------------------------------------------------------------------------- what the reference computes


class PruneAt(optuna.pruners.BasePruner):
    def __init__(self, step):
        self.step = step

    def prune(self, study, trial):
        return any(s >= self.step for s in trial.intermediate_values)


def _loaders(spec, run):
    t = lambda name: torch.from_numpy(decode(spec[name]))
    generator = torch.Generator().manual_seed(run["loader_seed"])
    train_loader = DataLoader(
        TensorDataset(t("X_train"), t("y_train")), batch_size=spec["train_batch"], shuffle=True, generator=generator
    )
    return train_loader, DataLoader(TensorDataset(t("X_valid"), t("y_valid")), batch_size=spec["valid_batch"])


def reference_run(inputs, i):
    """(returned value, or None when pruned; [reported values, by step]) of the reference objective on run i."""
    return _reference_run(json.dumps({"data": inputs["data"], "run": inputs["runs"][i]}))


@lru_cache(maxsize=8)
@single_threaded
def _reference_run(key):
    spec = json.loads(key)
    run = spec["run"]
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        pruner = PruneAt(run["prune_at"]) if "prune_at" in run else optuna.pruners.NopPruner()
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0), pruner=pruner)
    finally:
        optuna.logging.set_verbosity(verbosity)
    study.enqueue_trial({"learning_rate": run["learning_rate"], "n_hidden": run["n_hidden"]})
    trial = study.ask()
    train_loader, valid_loader = _loaders(spec["data"], run)
    torch.manual_seed(run["seed"])
    try:
        returned = objective(trial, train_loader, valid_loader, n_epochs=run["n_epochs"])
    except optuna.TrialPruned:
        returned = None
    reports = study._storage.get_trial(trial._trial_id).intermediate_values
    return returned, [reports[step] for step in sorted(reports)]


# --------------------------------------------------------------------------- what the student's code returned


def _label(run):
    return (
        f"objective(trial, train_loader, valid_loader, n_epochs={run['n_epochs']}) com "
        f"learning_rate={run['learning_rate']} e n_hidden={run['n_hidden']}"
    )


def _record(seen, i, run):
    label = _label(run)
    record = seen.raw(f"run/{i}", label)
    if type(record) is not dict:
        raise Malformed()
    return label, record


def _reports(seen, record, label):
    """[(step, value)] of the trial.report calls, in step order."""
    reports = record.get("reports")
    if type(reports) is not list or not all(type(r) is list and len(r) == 2 and type(r[0]) is int for r in reports):
        raise Malformed()
    return [(step, seen.number(v)) for step, v in reports]


def _expect_reports(seen, record, label, expected):
    """One report per epoch (steps 0, 1, ...) with the reference's accuracies."""
    found = _reports(seen, record, label)
    steps = [step for step, _ in found]
    expected_steps = ", ".join(map(str, range(len(expected))))
    expect(steps == list(range(len(expected))), glossary.reports_at_steps(label, steps, expected_steps))
    expect(
        all(v is not None and abs(v - e) <= 1e-6 for (_, v), e in zip(found, expected)),
        glossary.reported_values_differ(label),
    )


_EXCEPTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")


def _outcome(seen, record, label):
    """("returned", description), ("pruned", None) or ("raised", exception name); Fail if objective is missing."""
    d = record.get("result")
    if type(d) is not dict or type(d.get("kind")) is not str:
        raise Malformed()
    if d["kind"] == "missing":
        raise Fail(glossary.undefined("objective"))
    if d["kind"] == "pruned":
        return "pruned", None
    if d["kind"] == "error":
        name = d.get("exception")
        if type(name) is not str or _EXCEPTION.match(name) is None:
            raise Malformed()
        return "raised", name
    return "returned", d


def _finished(seen, record, label):
    """The description of what objective returned; Fail if it raised (optuna.TrialPruned included)."""
    how, what = _outcome(seen, record, label)
    expect(how != "pruned", glossary.pruned_unasked(label))
    expect(how != "raised", glossary.raised(label, what))
    return what


# --------------------------------------------------------------------------- the checks


@check(0.5)
def check_objective_suggests_the_chapter_parameters(seen, inputs):
    label, record = _record(seen, 0, inputs["runs"][0])
    _finished(seen, record, label)  # suggestions count when the objective ran to the end
    found = record.get("distributions")
    if type(found) is not list or not all(type(d) is list and len(d) == 2 and type(d[0]) is str for d in found):
        raise Malformed()
    names = [name for name, _ in found]
    expect(sorted(names) == sorted(SUGGESTIONS), glossary.suggested_other_names(label, names))
    for name, d in found:
        if type(d) is not dict:
            raise Malformed()
        call, kind, low, high, log, step = SUGGESTIONS[name]
        bounds = [seen.number(d.get("low")), seen.number(d.get("high"))]
        log_found = d.get("log") == {"kind": "bool", "value": True}
        step_found = seen.number(d.get("step")) if step is not None else d.get("step") == {"kind": "none"}
        expect(
            d.get("kind") == kind
            and bounds == [low, high]
            and log_found == log
            and (step_found == step if step is not None else step_found),
            glossary.suggestion_differs(label, f'"{name}"', call),
        )


@check(0.75, values=True)
def check_objective_returns_best_accuracy(seen, inputs):
    label, record = _record(seen, 0, inputs["runs"][0])
    found = seen.python_float(_finished(seen, record, label), label)
    expected, _ = reference_run(inputs, 0)
    expect(abs(found - expected) <= 1e-6, glossary.best_accuracy_differs(label))


@check(0.5, values=True)
def check_objective_reports_each_epoch(seen, inputs):
    label, record = _record(seen, 0, inputs["runs"][0])
    if not record.get("reports"):
        _finished(seen, record, label)  # say why nothing was reported, when it raised
    _expect_reports(seen, record, label, reference_run(inputs, 0)[1])


@check(0.25)
def check_objective_prunes_when_told(seen, inputs):
    run = inputs["runs"][1]
    label, record = _record(seen, 1, run)
    how, what = _outcome(seen, record, label)
    if how != "pruned":
        raise Fail(glossary.not_pruned(label, "devolveu um valor" if how == "returned" else f"levantou {what}"))
    steps = [step for step, _ in _reports(seen, record, label)]
    expected = list(range(run["prune_at"] + 1))  # a report per epoch, up to the one after which it was told to prune
    expect(steps == expected, glossary.reports_at_steps(label, steps, ", ".join(map(str, expected))))


CHECKS = [
    check_objective_suggests_the_chapter_parameters,
    check_objective_returns_best_accuracy,
    check_objective_reports_each_epoch,
    check_objective_prunes_when_told,
]
