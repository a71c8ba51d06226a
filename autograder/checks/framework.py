"""The judge's side of the trust boundary.

Observations arrive from the student's process as JSON. Everything here treats
them as hostile: each value is parsed into a small typed record with strict
checks (exact Python types, bounded shapes and sizes, values consistent with the
declared shape). A check is a plain function that states a property, raising
`Fail` with one pt-BR message when it does not hold:

    @check(0.5)
    def check_make_matrix_dtype(seen, inputs):
        m = seen.tensor("make_matrix/0", "make_matrix()")
        expect(m.dtype == "torch.float32",
               f"make_matrix() devolveu dtype {m.dtype}; esperado torch.float32")
"""

import math
import re
from dataclasses import dataclass, field

import numpy as np

MAX_DIMS = 8
MAX_ELEMENTS = 10_000_000
_DTYPE = re.compile(r"^torch\.[a-z0-9_]{1,20}$|^[a-z0-9_]{1,20}$")
_DEVICES = {"cpu", "cuda", "mps", "meta", "xpu", "xla", "hip", "privateuseone", "mtia", "hpu", "ipu", "lazy", "vulkan", "mkldnn", "opengl", "opencl", "ideep", "ve", "fpga", "maia", "ort", "mps"}
_EXCEPTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")


class Fail(Exception):
    """A property does not hold; the message is shown to the student."""


class Malformed(Exception):
    """The observation does not have the shape the probe produces."""


def expect(condition, message):
    if not condition:
        raise Fail(message)


def check(points, gate=False, values=False):
    """Declare a check worth ``points``.

    A failed ``gate`` zeroes the whole exercise. ``values`` marks the checks
    that compare computed numbers with the reference: when an exercise has
    such checks and none passes, the exercise scores zero, so right shapes and
    types around wrong numbers (or zeros) earn nothing.
    """
    def mark(fn):
        fn.points, fn.gate, fn.values = float(points), gate, values
        return fn
    return mark


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
    values: object = None   # float64 ndarray, or None when not sent
    grad: object = None     # SeenTensor or None
    has_grad: bool = False


def parse_tensor(d, depth=0):
    _need(type(d) is dict and d.get("kind") == "tensor" and depth <= 1)
    shape = d.get("shape")
    _need(type(shape) is list and len(shape) <= MAX_DIMS and all(type(s) is int and 0 <= s <= MAX_ELEMENTS for s in shape))
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
        exact_type=_bool(d.get("exact_type")), is_parameter=_bool(d.get("is_parameter")),
        dtype=_str(d.get("dtype"), _DTYPE), shape=tuple(shape), device=device,
        requires_grad=_bool(d.get("requires_grad")), is_leaf=_bool(d.get("is_leaf")),
        has_grad_fn=_bool(d.get("has_grad_fn")), values=values, grad=grad, has_grad=has_grad)


_KIND_NAMES = {
    "tensor": "um torch.Tensor", "float": "um float", "int": "um int", "bool": "um bool",
    "str": "uma str", "none": "None", "list": "uma list", "tuple": "uma tuple",
    "ndarray": "um numpy.ndarray", "module": "um nn.Module", "other": "um objeto de outro tipo",
}


def describe(d):
    """How to name what the student returned, in pt-BR, from a parsed-safe subset."""
    kind = d.get("kind") if type(d) is dict else None
    if kind == "tensor" and d.get("exact_type") is False and d.get("is_parameter") is True:
        return "um nn.Parameter"
    if kind == "tensor" and d.get("exact_type") is False and d.get("is_parameter") is False:
        return "uma subclasse de torch.Tensor"
    return _KIND_NAMES.get(kind, "um objeto de outro tipo")


class Seen:
    """Observations of one exercise, with accessors that fail with clear messages."""

    def __init__(self, observations, interruption=None):
        _need(type(observations) is dict)
        self.observations = observations
        self.interruption = interruption  # why the probe stopped early, if it did

    def raw(self, key, label):
        if key not in self.observations:
            reason = self.interruption or "a verificação não chegou a esta chamada"
            raise Fail(f"{label} não foi avaliada: {reason}")
        return self.observations[key]

    def result(self, key, label, field=None):
        """The description of a call's result; Fail if missing, undefined or raised."""
        d = self.raw(key, label)
        if field is not None:
            _need(type(d) is dict)
            d = d.get(field)
        _need(type(d) is dict and type(d.get("kind")) is str)
        if d["kind"] == "missing":
            name = label.split("(")[0]
            raise Fail(f"a função {name} não está definida")
        if d["kind"] == "error":
            exc = _str(d.get("exception"), _EXCEPTION)
            raise Fail(f"{label} levantou {exc}")
        return d

    def flag(self, key, field, label):
        d = self.raw(key, label)
        _need(type(d) is dict)
        return _bool(d.get(field))

    def tensor(self, key, label, field=None):
        """An exact torch.Tensor result, or Fail naming what came instead."""
        d = self.result(key, label, field)
        expect(d["kind"] == "tensor" and d.get("exact_type") is True,
               f"{label} devolveu {describe(d)}; esperado torch.Tensor")
        return parse_tensor(d)

    def tensor_from(self, d, label):
        """An exact torch.Tensor inside an already-fetched result (tuple item, field)."""
        _need(type(d) is dict)
        expect(d.get("kind") == "tensor" and d.get("exact_type") is True,
               f"{label} é {describe(d)}; esperado torch.Tensor")
        return parse_tensor(d)

    def python_float(self, d, label):
        _need(type(d) is dict)
        if d.get("kind") == "tensor":
            raise Fail(f"{label} devolveu um torch.Tensor; esperado um float do Python (use .item())")
        expect(d.get("kind") == "float", f"{label} devolveu {describe(d)}; esperado um float do Python")
        return _number(d.get("value"))

    def float_list(self, d, label, length):
        """A list of ``length`` Python floats, as `losses` must be."""
        expect(d.get("kind") == "list", f"{label} devolveu {describe(d)} como losses; esperado uma list")
        n = d.get("length")
        _need(type(n) is int and n >= 0)
        expect(n == length, f"{label} devolveu {n} losses; esperado {length} (uma por época)")
        items = d.get("items")
        _need(type(items) is list and len(items) == n)
        return np.array([self.python_float(item, f"cada loss de {label}") for item in items], dtype=np.float64)


def close(actual, expected, rtol=1e-5, atol=1e-6):
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return actual.shape == expected.shape and bool(np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True))


def shape_str(shape):
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


@dataclass
class CheckResult:
    name: str
    max_points: float
    points: float
    message: str = None  # None when passed

    @property
    def passed(self):
        return self.message is None


@dataclass
class ExerciseResult:
    id: str
    title: str
    number: int
    max_score: float
    checks: list = field(default_factory=list)
    note: str = None  # a note about the whole exercise (process crash, timeout...)

    @property
    def score(self):
        return round(sum(c.points for c in self.checks), 4)

    @property
    def messages(self):
        out = [self.note] if self.note else []
        for c in self.checks:
            if c.message and c.message not in out:
                out.append(c.message)
        return out


NO_VALUES_MESSAGE = "nenhum valor calculado confere com o esperado: formas e tipos certos, sozinhos, não valem pontos"
MALFORMED_MESSAGE = "o processo de avaliação devolveu dados inválidos; nenhum ponto neste exercício"


def run_checks(exercise, checks, inputs, observations, interruption=None):
    """Score one exercise: every check, then gates; malformed data scores zero."""
    result = ExerciseResult(exercise.id, exercise.title, exercise.number, exercise.points)
    try:
        seen = Seen(observations, interruption)
    except Malformed:
        return _malformed(result, checks)
    gate_failed = False
    for fn in checks:
        try:
            fn(seen, inputs)
            result.checks.append(CheckResult(fn.__name__, fn.points, fn.points))
        except Fail as failure:
            result.checks.append(CheckResult(fn.__name__, fn.points, 0.0, str(failure)))
            gate_failed |= fn.gate
        except Exception:  # Malformed, or data shaped so oddly that a check tripped on it
            return _malformed(result, checks)
    value_checks = [c for c, fn in zip(result.checks, checks) if fn.values]
    if value_checks and not any(c.passed for c in value_checks) and result.score > 0:
        gate_failed = True
        result.note = NO_VALUES_MESSAGE
    if gate_failed:
        for c in result.checks:
            c.points = 0.0
    return result


def _malformed(result, checks):
    result.note = MALFORMED_MESSAGE
    result.checks = [CheckResult(fn.__name__, fn.points, 0.0, "") for fn in checks]
    return result
