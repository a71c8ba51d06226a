"""What the student's process reported, parsed as hostile data, with accessors that fail clearly.

Observations arrive from the student's process as JSON. Everything here treats
them as hostile: each value is parsed into a small typed record with strict
checks (exact Python types, bounded shapes and sizes, values consistent with the
declared shape). `Seen` gives a judge typed accessors (`seen.tensor`,
`seen.sequence`, `seen.python_float`, `seen.flag`...) that raise `Fail` with the
glossary's message when the student's result is not what the exercise asks.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

from . import glossary
from .errors import Fail, Malformed, expect

MAX_DIMS = 8
MAX_ELEMENTS = 10_000_000
_DTYPE = re.compile(r"^torch\.[a-z0-9_]{1,20}$|^[a-z0-9_]{1,20}$")
_DEVICES = {
    "cpu",
    "cuda",
    "mps",
    "meta",
    "xpu",
    "xla",
    "hip",
    "privateuseone",
    "mtia",
    "hpu",
    "ipu",
    "lazy",
    "vulkan",
    "mkldnn",
    "opengl",
    "opencl",
    "ideep",
    "ve",
    "fpga",
    "maia",
    "ort",
}
_EXCEPTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
_MODULE_TYPE = re.compile(r"^nn\.[A-Za-z0-9_]{1,40}$|^custom$")


def _need(cond):
    if not cond:
        raise Malformed()


def _bool(x):
    _need(type(x) is bool)
    return x


def _str(x, pattern):
    _need(type(x) is str and pattern.match(x) is not None)
    return x


def _number(x):
    if type(x) is str:
        _need(x in ("nan", "inf", "-inf"))
        return float(x)
    _need(type(x) in (int, float))
    return float(x)


def _values(nested, shape):
    """Nested lists of numbers/bools matching ``shape`` exactly -> float64 array."""

    def walk(node, dims):
        if not dims:
            if type(node) is bool:
                return float(node)
            return _number(node)
        _need(type(node) is list and len(node) == dims[0])
        return [walk(child, dims[1:]) for child in node]

    _need(math.prod(shape) <= MAX_ELEMENTS)
    return np.array(walk(nested, list(shape)), dtype=np.float64).reshape(shape)


@dataclass(frozen=True)
class SeenTensor:
    exact_type: bool
    is_parameter: bool
    dtype: str
    shape: tuple
    device: str
    requires_grad: bool
    is_leaf: bool
    has_grad_fn: bool
    values: object = None  # float64 ndarray, or None when not sent
    grad: object = None  # SeenTensor or None
    has_grad: bool = False


def parse_tensor(d, depth=0):
    _need(type(d) is dict and d.get("kind") == "tensor" and depth <= 1)
    shape = d.get("shape")
    _need(
        type(shape) is list and len(shape) <= MAX_DIMS and all(type(s) is int and 0 <= s <= MAX_ELEMENTS for s in shape)
    )
    device = d.get("device")
    _need(type(device) is str and device in _DEVICES)
    values = None
    if "values" in d:
        values = _values(d["values"], tuple(shape))
    grad, has_grad = None, False
    if "grad" in d:
        has_grad = True
        grad = None if d["grad"] is None else parse_tensor(d["grad"], depth + 1)
    return SeenTensor(
        exact_type=_bool(d.get("exact_type")),
        is_parameter=_bool(d.get("is_parameter")),
        dtype=_str(d.get("dtype"), _DTYPE),
        shape=tuple(shape),
        device=device,
        requires_grad=_bool(d.get("requires_grad")),
        is_leaf=_bool(d.get("is_leaf")),
        has_grad_fn=_bool(d.get("has_grad_fn")),
        values=values,
        grad=grad,
        has_grad=has_grad,
    )


@dataclass(frozen=True)
class SeenModule:
    """An nn.Module as the probe described it: torch.nn type (or "custom"), mode, parameters, children."""

    type: str
    training: bool | None
    parameters: tuple  # ((name, SeenTensor or None), ...): its own, in order
    children: tuple  # ((name, SeenModule or None), ...), in order

    def named_parameters(self, prefix=""):
        """((qualified name, SeenTensor), ...) in nn.Module.named_parameters() order."""
        out = [(prefix + name, t) for name, t in self.parameters if t is not None]
        for name, child in self.children:
            if child is not None:
                out += child.named_parameters(f"{prefix}{name}.")
        return out

    def parameter_count(self):
        return sum(int(np.prod(t.shape)) for _, t in self.named_parameters())

    def layers(self):
        """The types of the children, in order."""
        return [child.type if child is not None else None for _, child in self.children]

    def parameter(self, name):
        """One of its own parameters (SeenTensor), or None when it has none of that name (e.g. bias=False)."""
        return dict(self.parameters).get(name)


def parse_module(d, depth=0):
    _need(type(d) is dict and d.get("kind") == "module" and depth <= 8)
    kind = _str(d.get("type"), _MODULE_TYPE)
    training = d.get("training")
    _need(training is None or type(training) is bool)
    params, children = d.get("parameters"), d.get("children")
    _need(type(params) is list and type(children) is list and len(params) <= 64 and len(children) <= 64)
    parsed_params = []
    for item in params:
        _need(type(item) is list and len(item) == 2 and type(item[0]) is str)
        parsed_params.append((item[0], None if item[1] is None else parse_tensor(item[1])))
    parsed_children = []
    for item in children:
        _need(type(item) is list and len(item) == 2 and type(item[0]) is str and type(item[1]) is dict)
        child = None if item[1].get("kind") == "none" else parse_module(item[1], depth + 1)
        parsed_children.append((item[0], child))
    return SeenModule(kind, training, tuple(parsed_params), tuple(parsed_children))


@dataclass(frozen=True)
class SeenBackward:
    """What happened when the probe called backward() on a result: it ran (and the input's .grad), or raised."""

    ok: bool
    exception: str | None = None  # a built-in exception's name, when it raised
    t: SeenTensor | None = None  # the input the gradient flows to, after backward()


def parse_backward(d):
    _need(type(d) is dict)
    if _bool(d.get("ok")):
        return SeenBackward(True, t=parse_tensor(d.get("t")))
    return SeenBackward(False, exception=_str(d.get("exception"), _EXCEPTION))


def describe(d):
    return glossary.describe(d)


class Seen:
    """Observations of one exercise, with typed accessors that fail with the glossary's messages."""

    def __init__(self, observations, interruption=None):
        _need(type(observations) is dict)
        self.observations = observations
        self.interruption = interruption  # why the probe stopped early, if it did

    def raw(self, key, label):
        if key not in self.observations:
            raise Fail(glossary.not_evaluated(label, self.interruption))
        return self.observations[key]

    def result(self, key, label, field=None, causes=None):
        """The description of a call's result; Fail if missing, undefined or raised.

        ``causes``: {exception name: its likely cause in this exercise}, said when the function raised it."""
        d = self.raw(key, label)
        if field is not None:
            _need(type(d) is dict)
            d = d.get(field)
        return self.described(d, label, causes)

    def described(self, d, label, causes=None):
        """A result's description (already fetched): Fail if the function was missing or raised."""
        _need(type(d) is dict and type(d.get("kind")) is str)
        if d["kind"] == "missing":
            raise Fail(glossary.undefined(label.split("(")[0]))
        if d["kind"] == "error":
            exception = _str(d.get("exception"), _EXCEPTION)
            raise Fail(glossary.raised(label, exception, (causes or {}).get(exception)))
        return d

    def flag(self, key, field, label):
        d = self.raw(key, label)
        _need(type(d) is dict)
        return _bool(d.get(field))

    def devices(self, key, field, label):
        """A list of device types the probe recorded (where operations ran), as a tuple; () when none."""
        d = self.raw(key, label)
        _need(type(d) is dict)
        found = d.get(field, [])
        _need(type(found) is list and len(found) <= 16 and all(type(x) is str and x in _DEVICES for x in found))
        return tuple(found)

    def moves(self, key, field, label):
        """The copies between devices the probe recorded, as ((from, to), ...); () when none."""
        d = self.raw(key, label)
        _need(type(d) is dict)
        found = d.get(field, [])
        _need(type(found) is list and len(found) <= 16)
        for move in found:
            _need(type(move) is list and len(move) == 2 and all(type(x) is str and x in _DEVICES for x in move))
        return tuple(tuple(move) for move in found)

    def text(self, key, label, expected):
        """A str result: its value when the probe reported it (one of the expected words), else None.

        Fail, naming what came instead of the str ``expected``, when the result is not a str."""
        d = self.result(key, label)
        expect(d["kind"] == "str", glossary.returned_instead(label, describe(d), f'a str "{expected}"'))
        value = d.get("value")
        _need(value is None or (type(value) is str and len(value) <= 40))
        return value

    def backward(self, key, label, field="backward"):
        """The probe's backward() run on a result (SeenBackward), or None when it did not run one."""
        d = self.raw(key, label)
        _need(type(d) is dict)
        return None if field not in d else parse_backward(d[field])

    def tensor(self, key, label, field=None, causes=None):
        """An exact torch.Tensor result, or Fail naming what came instead (``causes``: as for result)."""
        d = self.result(key, label, field, causes)
        expect(
            d["kind"] == "tensor" and d.get("exact_type") is True,
            glossary.returned_instead(label, describe(d), "torch.Tensor"),
        )
        return parse_tensor(d)

    def tensor_from(self, d, label):
        """An exact torch.Tensor inside an already-fetched result (tuple item, field), or Fail naming what came."""
        _need(type(d) is dict)
        expect(
            d.get("kind") == "tensor" and d.get("exact_type") is True,
            glossary.returned_instead(label, describe(d), "torch.Tensor", verb="é"),
        )
        return parse_tensor(d)

    def sequence(self, d, label, length, message, kinds=("tuple", "list")):
        """The items of a tuple or list result of ``length`` items, or Fail with ``message``."""
        _need(type(d) is dict)
        items = d.get("items")
        expect(
            d.get("kind") in kinds and d.get("length") == length and type(items) is list and len(items) == length,
            message,
        )
        return items

    def module(self, d, label, exact=None):
        """An nn.Module result (its exact type is in .type), or Fail naming what came instead.

        ``exact``: the torch.nn type it must be ("nn.Linear"); a subclass or any other module fails."""
        d = self.described(d, label)
        if exact is not None:
            expect(
                d["kind"] == "module" and d.get("type") == exact, glossary.not_module_type(label, describe(d), exact)
            )
        expect(d["kind"] == "module", glossary.returned_instead(label, describe(d), "um nn.Module"))
        return parse_module(d)

    def python_float(self, d, label):
        _need(type(d) is dict)
        if d.get("kind") == "tensor":
            raise Fail(glossary.not_python_float(label, "tensor"))
        expect(d.get("kind") == "float", glossary.not_python_float(label, describe(d)))
        return _number(d.get("value"))

    def number(self, d):
        """The value of a Python float (or int) description, or None for anything else."""
        if type(d) is dict and d.get("kind") in ("float", "int"):
            return _number(d.get("value"))
        return None

    def scalar(self, d, label, what):
        """A number however it came back: a Python float or int, or a one-element tensor or array (whether it
        is the Python float asked for is judged apart, by python_float); Fail naming what came instead."""
        _need(type(d) is dict)
        kind, values = d.get("kind"), None
        if kind in ("float", "int", "numpy_scalar"):
            return _number(d.get("value"))
        if kind == "tensor" and d.get("exact_type") is True:
            values = parse_tensor(d).values
        elif kind == "ndarray" and "values" in d:
            shape = d.get("shape")
            _need(type(shape) is list and len(shape) <= MAX_DIMS and all(type(s) is int and s >= 0 for s in shape))
            values = _values(d["values"], tuple(shape))
        expect(values is not None and values.size == 1, glossary.not_a_number(label, describe(d), what))
        return float(values.reshape(-1)[0])


def close(actual, expected, rtol=1e-5, atol=1e-6):
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return actual.shape == expected.shape and bool(np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True))


shape_str = glossary.shape_str
