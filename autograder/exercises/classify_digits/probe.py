"""Exercise 12, `classify_digits`: the probe, run in the student's process on the judge's inputs.

It calls the student's class and functions and yields ``(key, observation)``
pairs of plain data; expected values never appear here. Models are described
through nn.Module's own tables (`observe.module`), never by running student
code on the judge's targets: the judge computes the validation accuracy
itself, from the parameters it saw.
"""

import torch

from ...probe.inputs import as_tensor
from ...probe.observe import _is_sub, call, module, observe_call, value

_manual_seed = torch.manual_seed
_detach = torch._C.TensorBase.detach
_copy_ = torch._C.TensorBase.copy_
_Sequential, _Flatten, _Linear = torch.nn.Sequential, torch.nn.Flatten, torch.nn.Linear
_ReLU, _Dropout = torch.nn.ReLU, torch.nn.Dropout
_Module = torch.nn.Module
_type, _len, _tuple, _list = type, len, tuple, list
_NO_TABLES = {"kind": "module", "type": "custom", "training": None, "parameters": [], "children": []}  # not sent


def _described(outcome):
    """(result, error) of `call` -> the error, or the result's description."""
    result, error = outcome
    return error if error is not None else value(result)


def _linear(spec):
    layer = _Linear(spec["in_features"], spec["out_features"])
    _copy_(_detach(layer.weight), as_tensor(spec["weight"]))
    _copy_(_detach(layer.bias), as_tensor(spec["bias"]))
    return layer


def _proba_model(spec):
    """Flatten, Linear, ReLU, Dropout, Linear with the judge's weights, in training mode (as nn.Module starts)."""
    return _Sequential(_Flatten(), _linear(spec["hidden"]), _ReLU(), _Dropout(spec["dropout"]), _linear(spec["output"]))


def _fit_result(result, with_model):
    """A fit's (model, losses): the model's tables when asked for (the digits run), else its type only."""
    if _type(result) in (_tuple, _list) and _len(result) == 2:
        model, losses = result
        if _is_sub(_type(model), _Module):
            model_description = module(model) if with_model else _NO_TABLES
        else:
            model_description = value(model)
        kind = "tuple" if _type(result) is _tuple else "list"
        return {"kind": kind, "length": 2, "items": [model_description, value(losses)]}
    return value(result)


def probe(ns, inputs):
    for i, run in enumerate(inputs["classifier"]):
        _manual_seed(run["seed"])
        model, obs = observe_call(ns, "ImageClassifier", *run["sizes"])
        record = {"model": obs}
        if _is_sub(_type(model), _Module):
            record["logits"] = _described(call(model, as_tensor(run["X"])))
        yield f"classifier/{i}", record
    for i, run in enumerate(inputs["accuracy"]):
        _, obs = observe_call(ns, "accuracy", as_tensor(run["logits"]), as_tensor(run["labels"]))
        yield f"accuracy/{i}", obs
    for i, run in enumerate(inputs["predict_proba"]):
        model = _proba_model(run["model"])
        _, obs = observe_call(ns, "predict_proba", model, as_tensor(run["X"]))
        yield f"predict_proba/{i}", {"result": obs, "model_after": module(model)}
    for run in inputs["fit_digits"]:
        kwargs = {"seed": run["seed"]} if "seed" in run else {}
        fn_result, obs = observe_call(ns, "fit_digits", as_tensor(run["X"]), as_tensor(run["y"]), **kwargs)
        if obs.get("kind") not in ("error", "missing"):
            obs = _fit_result(fn_result, with_model=run["name"] == "digits")
        yield f"fit_digits/{run['name']}", obs
