"""Turn whatever a student's function returned into plain, JSON-able data.

Everything here uses references captured when this module is imported, which
happens before any student cell runs: a student who later patches
`torch.Tensor.tolist`, `numpy.asarray` or `builtins.isinstance` changes nothing
that the probe reports. Exact types are read with `type()`, which no object can
fake, and tensor attributes through the immutable `torch._C.TensorBase`
descriptors, so a `Tensor` subclass or an always-equal object cannot pass for a
real tensor.
"""

import builtins
import math

import numpy
import torch

_TB = torch._C.TensorBase.__dict__
_get = {name: _TB[name].__get__ for name in ("dtype", "shape", "device", "requires_grad", "is_leaf", "grad_fn", "grad")}
_tolist = torch._C.TensorBase.tolist
_detach = torch._C.TensorBase.detach
_cpu = torch._C.TensorBase.cpu
_numel = torch._C.TensorBase.numel
_DisableTorchFunction = torch._C.DisableTorchFunction
_Tensor = torch.Tensor
_Module = torch.nn.Module
_Parameter = torch.nn.Parameter
_device = torch.device
_ndarray = numpy.ndarray
#: NumPy's own scalar types (a loss as `loss.detach().numpy()[()]`), by exact type: their float() is NumPy's.
_NUMPY_SCALARS = {
    cls: cls.__name__ for cls in (numpy.float64, numpy.float32, numpy.float16, numpy.int64, numpy.int32, numpy.int16)
}
_nd_tolist = numpy.ndarray.tolist
_float, _int, _bool, _str = float, int, bool, str
_list, _tuple, _dict, _type = list, tuple, dict, type
_len, _min, _isfinite = builtins.len, builtins.min, math.isfinite
_mro = type.__dict__["__mro__"].__get__  # the real MRO: no metaclass can fake it


def _is_sub(t, base):
    return base in _mro(t)


_BaseException = BaseException

#: Largest number of elements whose values cross the boundary; larger results
#: report only their metadata.
MAX_VALUES = 200_000
MAX_ITEMS = 10_000

from .wire import exception_name  # noqa: E402 - names the feedback may show, from a fixed list


def _clean(value):
    # JSON has no NaN/Infinity: encode them as strings the judge understands.
    if _type(value) is _float and not _isfinite(value):
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    if _type(value) is _list:
        return [_clean(v) for v in value]
    return value


def tensor(x, with_values=True, with_grad=True):
    """Describe an object that is (or claims to be) a tensor."""
    with _DisableTorchFunction():
        exact = _type(x) is _Tensor or _type(x) is _Parameter
        out = {
            "kind": "tensor",
            "exact_type": _type(x) is _Tensor,
            "is_parameter": _type(x) is _Parameter,
            "dtype": _str(_get["dtype"](x)),
            "shape": [_int(s) for s in _get["shape"](x)],
            "device": _str(_get["device"](x).type),
            "requires_grad": _bool(_get["requires_grad"](x)),
            "is_leaf": _bool(_get["is_leaf"](x)),
            "has_grad_fn": _get["grad_fn"](x) is not None,
        }
        if not exact:
            # A subclass may override everything; report no values at all.
            return out
        if with_values and out["device"] == "cpu" and _numel(x) <= MAX_VALUES:
            out["values"] = _clean(_tolist(_detach(x)))
        if with_grad and out["is_leaf"]:  # only leaves accumulate .grad
            g = _get["grad"](x)
            out["grad"] = None if g is None else tensor(g, with_grad=False)
        return out


def value(x):
    """Describe any returned object as plain data, by its exact type."""
    t = _type(x)
    if _is_sub(t, _Tensor):
        return tensor(x)
    if t is _float:
        return {"kind": "float", "value": _clean(x)}
    if t is _bool:
        return {"kind": "bool", "value": x}
    if t is _int:
        return {"kind": "int", "value": _float(x)}
    if t is _str:
        return {"kind": "str", "length": _len(x)}
    if x is None:
        return {"kind": "none"}
    if t is _device:
        return {"kind": "device"}
    if t is _list or t is _tuple:
        n = _len(x)
        items = [value(v) for v in x[:MAX_ITEMS]] if n <= MAX_ITEMS else []
        return {"kind": "list" if t is _list else "tuple", "length": n, "items": items}
    if t in _NUMPY_SCALARS:
        return {"kind": "numpy_scalar", "dtype": _NUMPY_SCALARS[t], "value": _clean(_float(x))}
    if t is _ndarray:
        out = {"kind": "ndarray", "dtype": _str(x.dtype), "shape": [_int(s) for s in x.shape]}
        if x.size <= MAX_VALUES:
            out["values"] = _clean(_nd_tolist(x))
        return out
    if _is_sub(t, _Module):
        return module(x)
    return {"kind": "other"}


#: torch.nn's own module classes, by identity: a module is named only if it is exactly one of these.
_NN_NAMES = {
    cls: f"nn.{name}"
    for name, cls in vars(torch.nn).items()
    if isinstance(cls, type) and issubclass(cls, torch.nn.Module) and cls.__module__.startswith("torch.nn")
}
_getattribute = object.__getattribute__
MAX_CHILDREN = 64
MAX_DEPTH = 6


def _table(m, name):
    """One of nn.Module's own tables (_parameters, _modules...), if it is an exact dict."""
    try:
        table = _getattribute(m, name)
    except _BaseException:
        return {}
    return table if _type(table) is _dict else {}


def module(m, depth=0):
    """Describe an nn.Module through nn.Module's own tables: its exact torch.nn type (or "custom"), its mode,
    its own parameters and its children, in order. Student code never runs (no attribute hooks, no forward)."""
    t = _type(m)
    training = _table(m, "__dict__").get("training")
    out = {
        "kind": "module",
        "type": _NN_NAMES.get(t, "custom"),
        "training": training if _type(training) is _bool else None,
        "parameters": [],
        "children": [],
    }
    for name, p in _list(_table(m, "_parameters").items()):
        if _type(name) is _str and (p is None or _is_sub(_type(p), _Tensor)):
            out["parameters"].append([name[:100], None if p is None else tensor(p)])
    children = _list(_table(m, "_modules").items())
    if depth < MAX_DEPTH and _len(children) <= MAX_CHILDREN:
        for name, child in children:
            if _type(name) is _str:
                described = module(child, depth + 1) if _is_sub(_type(child), _Module) else {"kind": "none"}
                out["children"].append([name[:100], described])
    else:
        out["children_truncated"] = True
    return out


def parameters_of(m):
    """A module's parameters (values and metadata) and structure, without its train/eval mode: to tell
    whether a function changed a model's parameters (switching to eval mode is not a change)."""
    out = module(m)

    def strip(d):
        d = _dict(d)
        d.pop("training", None)
        d["children"] = [
            [name, strip(child) if child.get("kind") == "module" else child] for name, child in d["children"]
        ]
        return d

    return strip(out)


def snapshot(x):
    """A comparable record of a tensor or array, to prove an input was not modified."""
    if _type(x) is _ndarray:
        return ("ndarray", _str(x.dtype), _tuple(x.shape), x.tobytes())
    with _DisableTorchFunction():
        return (
            "tensor",
            _str(_get["dtype"](x)),
            _tuple(_get["shape"](x)),
            _str(_get["device"](x)),
            _bool(_get["requires_grad"](x)),
            repr(_tolist(_detach(_cpu(x)))) if _get["device"](x).type != "meta" else "",
        )


#: The probe's working state in its fork: [what undoes student patches, objects kept alive]. The
#: guard leaves it alone when it puts the probe's tables back.
RUNTIME = [None, []]


def set_guard(restore):
    """Register what undoes student patches; it runs after every student call."""
    RUNTIME[0] = restore


def call(fn, *args, **kwargs):
    """Call a student function; return (result, None) or (None, error description)."""
    try:
        result = fn(*args, **kwargs), None
    except _BaseException as exc:  # SystemExit and KeyboardInterrupt too: all are the student's
        result = None, {"kind": "error", "exception": exception_name(exc)}
    # Nothing the student's code touched is freed before the probe exits: no finalizer of theirs runs
    # while the probe works (the collector is off in the probe's fork).
    RUNTIME[1].append((fn, args, kwargs, result))
    if RUNTIME[0] is not None:
        RUNTIME[0]()
    return result


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
