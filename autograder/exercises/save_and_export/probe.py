"""Exercise 14, `save_and_export`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here. Every file a student's
function writes goes to a fresh folder in the sandbox's own tmpfs, and only
this probe opens it: `torch.load(..., weights_only=True)` for checkpoints,
`torch.export.load` for exported programs. The grader never loads anything a
student produced: it reads these descriptions.

torch.load and torch.export import much of torch lazily; `_warm_up` runs them
once when this module is imported, before any student code, so that nothing
is imported after the student's code has run.
"""

import io
import os
import shutil
import tempfile
from collections import OrderedDict

import torch
import torch.export

from ...probe.inputs import as_tensor
from ...probe.observe import _is_sub, call, exception_name, module, observe_call, tensor, value

_save, _load = torch.save, torch.load
_export, _export_save, _export_load, _Dim = torch.export.export, torch.export.save, torch.export.load, torch.export.Dim
_program_module = torch.export.ExportedProgram.module
_state_dict, _eval = torch.nn.Module.state_dict, torch.nn.Module.eval
_get_rng_state, _set_rng_state, _zeros = torch.get_rng_state, torch.set_rng_state, torch.zeros
_detach, _copy_ = torch._C.TensorBase.detach, torch._C.TensorBase.copy_
_Sequential, _Linear, _ReLU, _Dropout = torch.nn.Sequential, torch.nn.Linear, torch.nn.ReLU, torch.nn.Dropout
_Tensor, _OrderedDict = torch.Tensor, OrderedDict
_BytesIO, _mkdtemp, _rmtree, _join = io.BytesIO, tempfile.mkdtemp, shutil.rmtree, os.path.join
_type, _dict, _list, _str, _len = type, dict, list, str, len
MAX_KEYS = 64


class ProbeNet(torch.nn.Module):
    """The model save_model and load_model are given: built from its hyperparameters (a Linear, a Dropout, a
    Linear). Only its tables are read; its forward is never called."""

    def __init__(self, n_inputs, n_hidden, n_outputs):
        super().__init__()
        self.hidden = _Linear(n_inputs, n_hidden)
        self.dropout = _Dropout(0.3)
        self.output = _Linear(n_hidden, n_outputs)


class Rebuilt:
    """How many times a `Hyperparameters` came out of a full unpickling (weights_only=True never rebuilds one)."""

    count = 0


def _rebuild_hyperparameters(items):
    Rebuilt.count += 1
    return Hyperparameters(items)


class Hyperparameters(dict):
    """Plain hyperparameters in a dict of one's own class: the arbitrary object a checkpoint must not hold.
    torch.load(weights_only=True) refuses it; torch.load(weights_only=False) rebuilds it, and counts."""

    def __reduce__(self):
        return (_rebuild_hyperparameters, (_dict(self),))


def _warm_up():
    """torch.save/torch.load and torch.export, once, on a throwaway model: every module they import lazily."""
    rng = _get_rng_state()
    buffer = _BytesIO()
    _save({"model_state_dict": _state_dict(_Linear(2, 2))}, buffer)
    buffer.seek(0)
    _load(buffer, weights_only=True)
    model = _eval(_Sequential(_Linear(2, 3), _ReLU(), _Linear(3, 1)))
    program = _export(model, (_zeros(2, 2),), dynamic_shapes=({0: _Dim("batch")},))
    buffer = _BytesIO()
    _export_save(program, buffer)
    buffer.seek(0)
    _program_module(_export_load(buffer))(_zeros(3, 2))
    _set_rng_state(rng)


_warm_up()


def _ran(obs):
    """Whether the student's function ran to the end (what it wrote is worth opening)."""
    return obs.get("kind") not in ("error", "missing")


def _load_weights(model, weights):
    """Copy the judge's weights (name -> spec) into the model's parameters."""
    for name, p in model.named_parameters():
        _copy_(_detach(p), as_tensor(weights[name]))
    return model


def _probe_net(spec):
    return _load_weights(ProbeNet(**spec["hyperparameters"]), spec["weights"])


def _checkpoint(path):
    """What save_model wrote, opened as a checkpoint should be: torch.load(path, weights_only=True)."""
    try:
        content = _load(path, weights_only=True)
    except BaseException as exc:
        return {"loaded": False, "exception": exception_name(exc)}
    if _type(content) is not _dict:
        return {"loaded": True, "content": value(content)}
    keys = _list(content)
    out = {"loaded": True, "content": {"kind": "dict"}, "keys": [k[:100] for k in keys[:MAX_KEYS] if _type(k) is _str]}
    out["other_keys"] = _len([k for k in keys if _type(k) is not _str])
    state = _dict.get(content, "model_state_dict")
    if _type(state) in (_dict, _OrderedDict):
        items = _list(_dict.items(state))[:MAX_KEYS]
        out["state"] = [[k[:100], tensor(v) if _is_sub(_type(v), _Tensor) else value(v)] for k, v in items]
    hyperparameters = _dict.get(content, "model_hyperparameters")
    if _type(hyperparameters) is _dict:
        out["hyperparameters"] = [[k[:100], value(v)] for k, v in _list(_dict.items(hyperparameters))[:MAX_KEYS]]
    return out


def _exported(path, X):
    """The program export_model saved, loaded with torch.export.load and called on a batch of another size."""
    try:
        program = _program_module(_export_load(path))
    except BaseException as exc:
        return {"loaded": False, "exception": exception_name(exc)}
    output, error = call(program, X)
    return {"loaded": True, "output": error if error is not None else value(output)}


def probe(ns, inputs):
    folder = _mkdtemp(prefix="save_and_export-")
    try:
        yield from _probe(ns, inputs, folder)
    finally:
        _rmtree(folder, True)


def _probe(ns, inputs, folder):
    # save_model: a model in training mode, written where the probe says; the probe opens the file.
    spec = inputs["save"]
    model = _probe_net(spec)
    before = module(model)
    path = _join(folder, "model.pt")
    _, obs = observe_call(ns, "save_model", model, _dict(spec["hyperparameters"]), path)
    unchanged = module(model) == before
    yield "save", {"result": obs, "file": _checkpoint(path) if _ran(obs) else {}, "model_unchanged": unchanged}

    # load_model: a checkpoint the probe wrote, then one that holds an object of a class of its own.
    spec = inputs["load"]
    content = {"model_state_dict": _state_dict(_probe_net(spec)), "model_hyperparameters": spec["hyperparameters"]}
    clean, poisoned = _join(folder, "clean.pt"), _join(folder, "poisoned.pt")
    _save(content, clean)
    content["model_hyperparameters"] = Hyperparameters(spec["hyperparameters"])
    _save(content, poisoned)
    result, obs = observe_call(ns, "load_model", ProbeNet, clean)
    yield "load", {"result": obs, "exact_class": _type(result) is ProbeNet}
    rebuilt = Rebuilt.count
    _, obs = observe_call(ns, "load_model", ProbeNet, poisoned)
    refused = obs.get("kind") in ("error", "missing")
    yield "load_poisoned", {"raised": refused, "rebuilt": Rebuilt.count != rebuilt}

    # export_model: a model in eval mode and an example batch; the probe loads the program and calls it on
    # a batch of another size.
    spec = inputs["export"]
    layers = spec["layers"]
    model = _eval(_Sequential(_Linear(*layers[0]), _ReLU(), _Linear(*layers[1])))
    _load_weights(model, spec["weights"])
    before = module(model)
    path = _join(folder, "model.pt2")
    _, obs = observe_call(ns, "export_model", model, as_tensor(spec["example"]), path)
    unchanged = module(model) == before
    program = _exported(path, as_tensor(spec["other_batch"])) if _ran(obs) else {}
    yield "export", {"result": obs, "program": program, "model_unchanged": unchanged}
