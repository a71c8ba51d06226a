"""Exercise 7, `train_nn_linear`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

import torch

from ...probe.inputs import as_tensor
from ...probe.observe import observe_call, value

_no_grad = torch.no_grad
_Linear = torch.nn.Linear
_SGD = torch.optim.SGD
_MSELoss = torch.nn.MSELoss
_copy_ = torch._C.TensorBase.copy_


def _linear_from(spec):
    model = _Linear(spec["in_features"], 1)
    with _no_grad():
        _copy_(model.weight, as_tensor(spec["weight"]))
        _copy_(model.bias, as_tensor(spec["bias"]))
    return model


def _parameters(model):
    """The model's parameters as the probe describes them; its train/eval mode is not one of them."""
    return value(model)["parameters"]


def probe(ns, inputs):
    for run in inputs["fit_linear"]:
        X, y = as_tensor(run["X"]), as_tensor(run["y"])
        kwargs = {k: run[k] for k in ("lr", "n_epochs", "seed") if k in run}
        _, obs = observe_call(ns, "fit_linear", X, y, **kwargs)
        yield f"fit_linear/{run['name']}", obs
    for i, run in enumerate(inputs["train_bgd"]):
        model = _linear_from(run["model"])
        optimizer = _SGD(model.parameters(), lr=run["lr"])
        X, y = as_tensor(run["X"]), as_tensor(run["y"])
        _, obs = observe_call(ns, "train_bgd", model, optimizer, _MSELoss(), X, y, run["n_epochs"])
        yield f"train_bgd/{i}", {"losses": obs, "model": value(model)}
    for i, run in enumerate(inputs["predict"]):
        model = _linear_from(run["model"])
        before = _parameters(model)
        X = as_tensor(run["X"])
        _, obs = observe_call(ns, "predict", model, X)
        yield f"predict/{i}", {"result": obs, "model_unchanged": _parameters(model) == before}
