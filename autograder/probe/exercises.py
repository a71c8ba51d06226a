"""What each exercise's probe does inside the student's process.

A probe only calls the student's functions on the judge's inputs and yields
``(key, observation)`` pairs of plain data. Each observation is sent as soon as
it exists, so a function that hangs on a later input still leaves the earlier
observations to be judged. Expected values never appear here.
"""

import numpy
import torch

from . import devices
from .observe import _get, call, exception_name, snapshot, tensor, value

_np_array = numpy.array
_tensor = torch.tensor
_as_tensor = torch.as_tensor
_no_grad = torch.no_grad
_Linear = torch.nn.Linear
_SGD = torch.optim.SGD
_MSELoss = torch.nn.MSELoss
_backward = torch.autograd.backward
_sum = torch._C.TensorBase.sum
_requires_grad_ = torch._C.TensorBase.requires_grad_
_copy_ = torch._C.TensorBase.copy_


def array(spec):
    """Decode ``{"values": flat, "dtype", "shape"}`` into a fresh NumPy array."""
    return _np_array(spec["values"], dtype=spec["dtype"]).reshape(spec["shape"])


def as_tensor(spec, requires_grad=False):
    t = _tensor(array(spec))
    return _requires_grad_(t, True) if requires_grad else t


def missing(name):
    return {"kind": "missing", "name": name}


def lookup(ns, name):
    fn = ns.get(name)
    return fn if callable(fn) else None


def observe_call(ns, name, *args, **kwargs):
    """Call ``name`` from the student namespace and describe the result."""
    fn = lookup(ns, name)
    if fn is None:
        return None, missing(name)
    result, error = call(fn, *args, **kwargs)
    return result, (error if error is not None else value(result))


def probe_create_tensors(ns, inputs):
    for i in range(2):  # twice: a function must not depend on being called first
        yield f"make_matrix/{i}", observe_call(ns, "make_matrix")[1]
    for i, spec in enumerate(inputs["to_float32"]):
        a = array(spec)
        before = snapshot(a)
        _, obs = observe_call(ns, "to_float32", a)
        yield f"to_float32/{i}", {"result": obs, "input_unchanged": snapshot(a) == before}
    for i, spec in enumerate(inputs["column_vector"]):
        y = array(spec) if spec["as"] == "numpy" else _tensor(array(spec))
        before = snapshot(y)
        _, obs = observe_call(ns, "column_vector", y)
        yield f"column_vector/{i}", {"result": obs, "input_unchanged": snapshot(y) == before}


def probe_move_to_device(ns, inputs):
    for cuda, mps in inputs["scenarios"]:
        devices.simulate(cuda, mps)
        result, obs = observe_call(ns, "pick_device")
        if obs.get("kind") == "str":
            obs["value"] = result if result in ("cuda", "mps", "cpu") else None
        yield f"pick_device/{int(cuda)}{int(mps)}", obs
    devices.reset()
    targets = ["cpu", "meta"] + (["cuda"] if devices.REAL_CUDA else [])
    for i, spec in enumerate(inputs["matrices"]):
        for device in targets:
            M = as_tensor(spec)
            before = snapshot(M)
            _, obs = observe_call(ns, "gram_on", M, device)
            yield f"gram_on/{i}/{device}", {"result": obs, "input_unchanged": snapshot(M) == before}
    yield "real_cuda", {"kind": "bool", "value": devices.REAL_CUDA}


def probe_autograd_descent(ns, inputs):
    for i, x0 in enumerate(inputs["square_and_grad"]):
        yield f"square_and_grad/{i}", observe_call(ns, "square_and_grad", x0)[1]
    for i, (x0, lr, n_iter) in enumerate(inputs["descend"]):
        yield f"descend/{i}", observe_call(ns, "descend", x0, lr, n_iter)[1]


def _backward_of(z, t):
    """Run backward on z (summed when not scalar); report t's gradient."""
    try:
        _backward(z if len(_get["shape"](z)) == 0 else _sum(z))
    except BaseException as exc:
        return {"ok": False, "exception": exception_name(exc)}
    return {"ok": True, "t": tensor(t)}


def probe_fix_inplace(ns, inputs):
    for i, spec in enumerate(inputs["t"]):
        t = as_tensor(spec, requires_grad=True)
        before = snapshot(t)
        z, obs = observe_call(ns, "z_fixed", t)
        record = {"result": obs}
        if obs.get("kind") == "tensor" and obs.get("exact_type"):
            record["backward"] = _backward_of(z, t)
        record["input_unchanged"] = snapshot(t) == before
        yield f"z_fixed/{i}", record
    # The given z_buggy must still show the error it was given to show.
    t = as_tensor(inputs["t"][0], requires_grad=True)
    z, obs = observe_call(ns, "z_buggy", t)
    if obs.get("kind") == "tensor" and obs.get("exact_type"):
        obs = {"kind": "tensor", "backward": _backward_of(z, t)}
    yield "z_buggy", obs


def probe_prepare_data(ns, inputs):
    for i, split in enumerate(inputs["standardize"]):
        arrays = [array(split[k]) for k in ("train", "valid", "test")]
        befores = [snapshot(a) for a in arrays]
        result, obs = observe_call(ns, "standardize", *arrays)
        unchanged = all(snapshot(a) == b for a, b in zip(arrays, befores))
        yield f"standardize/{i}", {"result": obs, "input_unchanged": unchanged}
    for i, spec in enumerate(inputs["to_column"]):
        y = array(spec)
        before = snapshot(y)
        _, obs = observe_call(ns, "to_column", y)
        yield f"to_column/{i}", {"result": obs, "input_unchanged": snapshot(y) == before}


def probe_bgd_loop(ns, inputs):
    for run in inputs["runs"]:
        X, y = as_tensor(run["X"]), as_tensor(run["y"])
        _, obs = observe_call(ns, "train_linear_bgd", X, y, run["lr"], run["n_epochs"], seed=run["seed"])
        yield f"train_linear_bgd/{run['name']}", obs


def _linear_from(spec):
    model = _Linear(spec["in_features"], 1)
    with _no_grad():
        _copy_(model.weight, as_tensor(spec["weight"]))
        _copy_(model.bias, as_tensor(spec["bias"]))
    return model


def probe_train_nn_linear(ns, inputs):
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
        before = value(model)
        X = as_tensor(run["X"])
        _, obs = observe_call(ns, "predict", model, X)
        yield f"predict/{i}", {"result": obs, "model_unchanged": value(model) == before}


PROBES = {
    "create_tensors": probe_create_tensors,
    "move_to_device": probe_move_to_device,
    "autograd_descent": probe_autograd_descent,
    "fix_inplace": probe_fix_inplace,
    "prepare_data": probe_prepare_data,
    "bgd_loop": probe_bgd_loop,
    "train_nn_linear": probe_train_nn_linear,
}
