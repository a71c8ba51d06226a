"""Exercise 1, `create_tensors`: make_matrix, to_float32, column_vector."""

import numpy as np
import torch

from ...judge import check, close, decode, encode, expect, shape_str

# --------------------------------------------------------------------------- the reference (the chapter's code)


def make_matrix():
    return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]])


def to_float32(a):
    return torch.tensor(np.asarray(a), dtype=torch.float32)


def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()


REFERENCE = (make_matrix, to_float32, column_vector)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def make_matrix():
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])

def to_float32(a):
    return torch.tensor(a)  # erro típico: herda o float64 do NumPy

def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
"""


MATRIX = make_matrix().numpy()
DTYPES = ["float64", "float32", "int64", "bool"]


def _random_array(rng, dtype, shape):
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype == "int64":
        return rng.integers(-1000, 1000, size=shape, dtype=np.int64)
    return np.asarray(rng.standard_normal(shape) * 10.0 ** int(rng.integers(-3, 4))).astype(dtype)


def draw(rng):
    shapes = [(), (0,), (3, 0, 2)] + [
        tuple(int(d) for d in rng.integers(1, 5, size=rng.integers(1, 5))) for _ in range(5)
    ]
    to_float32 = [encode(_random_array(rng, DTYPES[i % 4], shape)) for i, shape in enumerate(shapes)]
    column_vector = []
    for i, n in enumerate([int(rng.integers(2, 30)), 1, int(rng.integers(2, 30)), int(rng.integers(2, 30))]):
        spec = encode(_random_array(rng, ["float64", "float32", "int64", "float64"][i], (n,)))
        spec["as"] = "tensor" if i % 2 else "numpy"
        column_vector.append(spec)
    return {"to_float32": to_float32, "column_vector": column_vector}


def _about(spec):
    return f"dtype {spec['dtype']} e forma {shape_str(spec['shape'])}"


@check(0.25)
def check_make_matrix_dtype_and_shape(seen, inputs):
    for i in range(2):
        m = seen.tensor(f"make_matrix/{i}", "make_matrix()")
        expect(m.dtype == "torch.float32", f"make_matrix() devolveu dtype {m.dtype}; esperado torch.float32")
        expect(m.shape == (2, 3), f"make_matrix() devolveu forma {shape_str(m.shape)}; esperado (2, 3)")


@check(0.5, values=True)
def check_make_matrix_values(seen, inputs):
    for i in range(2):
        m = seen.tensor(f"make_matrix/{i}", "make_matrix()")
        expect(
            m.values is not None and close(m.values, MATRIX, rtol=0, atol=0),
            "make_matrix() devolveu valores diferentes de [[1., 4., 7.], [2., 3., 6.]]",
        )


@check(0.5)
def check_to_float32_dtype(seen, inputs):
    for i, spec in enumerate(inputs["to_float32"]):
        t = seen.tensor(f"to_float32/{i}", f"to_float32(a) com a de {_about(spec)}", "result")
        expect(
            t.dtype == "torch.float32",
            f"to_float32(a) com a de {_about(spec)} devolveu dtype {t.dtype}; esperado torch.float32",
        )


@check(0.5, values=True)
def check_to_float32_shape_and_values(seen, inputs):
    for i, spec in enumerate(inputs["to_float32"]):
        label = f"to_float32(a) com a de {_about(spec)}"
        t = seen.tensor(f"to_float32/{i}", label, "result")
        expect(
            t.shape == tuple(spec["shape"]), f"{label} devolveu forma {shape_str(t.shape)}; esperado a mesma forma de a"
        )
        expected = decode(spec).astype(np.float32)
        # float32 rounding tolerance: a float64 result is judged by the dtype check alone
        expect(
            t.values is not None and close(t.values, expected, rtol=1e-6, atol=0),
            f"{label} devolveu valores diferentes dos de a",
        )


@check(0.25)
def check_to_float32_leaves_input_unchanged(seen, inputs):
    for i, spec in enumerate(inputs["to_float32"]):
        label = f"to_float32(a) com a de {_about(spec)}"
        t = seen.tensor(f"to_float32/{i}", label, "result")
        expect(
            t.shape == tuple(spec["shape"]), f"{label} devolveu forma {shape_str(t.shape)}; esperado a mesma forma de a"
        )
        expect(seen.flag(f"to_float32/{i}", "input_unchanged", label), f"{label} modificou a entrada a")


def _column_label(spec):
    kind = "tensor" if spec["as"] == "tensor" else "array NumPy"
    return f"column_vector(y) com y um {kind} de {_about(spec)}"


@check(0.5)
def check_column_vector_dtype_and_shape(seen, inputs):
    for i, spec in enumerate(inputs["column_vector"]):
        label = _column_label(spec)
        t = seen.tensor(f"column_vector/{i}", label, "result")
        expect(t.dtype == "torch.float32", f"{label} devolveu dtype {t.dtype}; esperado torch.float32")
        n = spec["shape"][0]
        expect(t.shape == (n, 1), f"{label} devolveu forma {shape_str(t.shape)}; esperado ({n}, 1)")


@check(0.5, values=True)
def check_column_vector_values(seen, inputs):
    for i, spec in enumerate(inputs["column_vector"]):
        label = _column_label(spec)
        t = seen.tensor(f"column_vector/{i}", label, "result")
        expected = decode(spec).astype(np.float32).reshape(-1, 1)
        expect(
            t.values is not None and close(t.values, expected, rtol=1e-6, atol=0),
            f"{label} devolveu valores diferentes dos de y",
        )
        expect(seen.flag(f"column_vector/{i}", "input_unchanged", label), f"{label} modificou a entrada y")


CHECKS = [
    check_make_matrix_dtype_and_shape,
    check_make_matrix_values,
    check_to_float32_dtype,
    check_to_float32_shape_and_values,
    check_to_float32_leaves_input_unchanged,
    check_column_vector_dtype_and_shape,
    check_column_vector_values,
]
