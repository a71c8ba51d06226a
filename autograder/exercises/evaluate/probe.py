"""Exercise 10, `evaluate`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here. The metric and aggregate
functions handed to `evaluate` are the probe's own.
"""

import torch

from ...probe import devices
from ...probe.inputs import as_loader, as_module
from ...probe.observe import call, observe_call, tensor

_sub, _abs, _amax, _mean = torch.sub, torch.abs, torch.amax, torch.mean
_MSELoss = torch.nn.MSELoss
_to = torch.nn.Module.to
_eval = torch.nn.Module.eval
_named_parameters = torch.nn.Module.named_parameters
_detach, _cpu = torch._C.TensorBase.detach, torch._C.TensorBase.cpu

#: The chapter's device ("cuda", else "mps", else "cpu"), as the notebook's setup cell picks it.
DEVICE = "cuda" if devices.REAL_CUDA else ("mps" if devices.REAL_MPS else "cpu")


def _max_abs_error(y_pred, y_true):
    return _amax(_abs(_sub(y_pred, y_true)))


def _mean_error(y_pred, y_true):
    return _mean(_sub(y_pred, y_true))  # signed: the order of the arguments matters


def _each_batch(metrics):
    return metrics


def _largest(metrics):
    return _amax(metrics)


_METRICS = {"max_abs": _max_abs_error, "mean_error": _mean_error}
_AGGREGATES = {"each_batch": _each_batch, "largest": _largest}


def _model(spec, eval_mode=False):
    model = as_module(spec)  # fresh, in training mode, as nn.Module leaves it
    if DEVICE != "cpu":
        _to(model, DEVICE)
    if eval_mode:
        _eval(model)
    return model


def _parameters(model):
    """The model's parameters, by name, as values on the CPU."""
    return [[name, tensor(_cpu(_detach(p)))] for name, p in _named_parameters(model)]


def _observe(ns, name, spec, *args, eval_mode=False):
    """Call ``name`` on a fresh model of ``spec``: its result, and whether the model's parameters stayed."""
    model = _model(spec, eval_mode)
    before = _parameters(model)
    _, obs = observe_call(ns, name, model, *args)
    after, error = call(_parameters, model)
    return {"result": obs, "model_unchanged": error is None and after == before}


def probe(ns, inputs):
    for i, run in enumerate(inputs["evaluate"]):
        metric = _MSELoss() if run["metric"] == "mse" else _METRICS[run["metric"]]
        args = (as_loader(run["loader"]), metric)
        if run["aggregate"] is not None:  # None: the default aggregate_fn
            args += (_AGGREGATES[run["aggregate"]],)
        yield f"evaluate/{i}", _observe(ns, "evaluate", run["model"], *args)
    for i, run in enumerate(inputs["dataset_rmse"]):
        yield f"dataset_rmse/{i}", _observe(ns, "dataset_rmse", run["model"], as_loader(run["loader"]))
    # A model with nn.Dropout, handed over in training mode and, for comparison, in evaluation mode.
    run = inputs["dropout"]
    for mode, eval_mode in (("train", False), ("eval", True)):
        loader = as_loader(run["loader"])
        record = _observe(ns, "evaluate", run["model"], loader, _MSELoss(), _each_batch, eval_mode=eval_mode)
        yield f"dropout/evaluate/{mode}", record
        record = _observe(ns, "dataset_rmse", run["model"], as_loader(run["loader"]), eval_mode=eval_mode)
        yield f"dropout/dataset_rmse/{mode}", record
