"""Exercise 13, `wide_and_deep`: the probe, run in the student's process on the judge's inputs.

It calls the student's class and functions and yields ``(key, observation)``
pairs of plain data; expected values never appear here. Models are described
through nn.Module's own tables (`observe.module`); the judge computes the test
RMSE itself, from the parameters it saw.
"""

import torch

from ...probe.inputs import as_tensor
from ...probe.observe import _is_sub, call, exception_name, module, observe_call, value

_manual_seed = torch.manual_seed
_backward = torch.autograd.backward
_sum = torch._C.TensorBase.sum
_get_grad_fn = torch._C.TensorBase.__dict__["grad_fn"].__get__
_Tensor = torch.Tensor
_Module = torch.nn.Module
_MSELoss, _L1Loss, _HuberLoss = torch.nn.MSELoss, torch.nn.L1Loss, torch.nn.HuberLoss
_type, _len, _tuple, _list = type, len, tuple, list
_NO_TABLES = {"kind": "module", "type": "custom", "training": None, "parameters": [], "children": []}  # not sent


def _described(outcome):
    """(result, error) of `call` -> the error, or the result's description."""
    result, error = outcome
    return error if error is not None else value(result)


def _backward_through(outputs, model):
    """backward() of main.sum() + aux.sum(), then the model's tables (with each parameter's .grad)."""
    try:
        _backward((_sum(outputs[0]), _sum(outputs[1])))
    except BaseException as exc:
        return {"kind": "error", "exception": exception_name(exc)}
    return module(model)


def _two_tensors_in_graph(outputs):
    return (
        _type(outputs) is _tuple
        and _len(outputs) == 2
        and all(_type(t) is _Tensor and _get_grad_fn(t) is not None for t in outputs)
    )


def _criterion(spec):
    if spec["name"] == "huber":
        return _HuberLoss(delta=spec["delta"])
    return {"mse": _MSELoss, "l1": _L1Loss}[spec["name"]]()


def _fit_result(result, with_model):
    """A fit's (model, losses): the model's tables when asked for (the housing run), else its type only."""
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
    for i, run in enumerate(inputs["model"]):
        _manual_seed(run["seed"])
        model, obs = observe_call(ns, "WideAndDeep", run["n_wide"], run["n_deep"])
        record = {"model": obs}
        if _is_sub(_type(model), _Module):
            outputs, error = call(model, as_tensor(run["X_wide"]), as_tensor(run["X_deep"]))
            record["outputs"] = error if error is not None else value(outputs)
            record["wide_moved"] = _described(call(model, as_tensor(run["X_wide_moved"]), as_tensor(run["X_deep"])))
            record["deep_moved"] = _described(call(model, as_tensor(run["X_wide"]), as_tensor(run["X_deep_moved"])))
            if error is None and _two_tensors_in_graph(outputs):
                record["after_backward"] = _backward_through(outputs, model)
        yield f"model/{i}", record
    for i, run in enumerate(inputs["loss"]):
        y_pred, y_pred_aux = as_tensor(run["y_pred"], requires_grad=True), as_tensor(run["y_pred_aux"], True)
        kwargs = {"main_weight": run["main_weight"]} if "main_weight" in run else {}
        args = (_criterion(run["criterion"]), y_pred, y_pred_aux, as_tensor(run["y_true"]))
        _, obs = observe_call(ns, "multi_output_loss", *args, **kwargs)
        yield f"loss/{i}", obs
    for run in inputs["fit"]:
        kwargs = {"seed": run["seed"]} if "seed" in run else {}
        result, obs = observe_call(ns, "fit_wide_and_deep", as_tensor(run["X"]), as_tensor(run["y"]), **kwargs)
        if obs.get("kind") not in ("error", "missing"):
            obs = _fit_result(result, with_model=run["name"] == "housing")
        yield f"fit/{run['name']}", obs
