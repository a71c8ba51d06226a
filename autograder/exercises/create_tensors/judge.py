"""Exercise 1, `create_tensors`: make_matrix, to_float32, column_vector."""

import numpy as np
import torch

from ...judge import check, decode, encode, expect_dtype, expect_shape, expect_unchanged, expect_values, shape_str

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
        expect_dtype(m, "torch.float32", "make_matrix()")
        expect_shape(m, (2, 3), "make_matrix()")


@check(0.5, values=True)
def check_make_matrix_values(seen, inputs):
    for i in range(2):  # called twice: a function must not depend on being called first
        m = seen.tensor(f"make_matrix/{i}", "make_matrix()")
        expect_values(m, MATRIX, "make_matrix()", "de [[1., 4., 7.], [2., 3., 6.]]", rtol=0, atol=0)


def _float32_label(spec):
    return f"to_float32(a) com a de {_about(spec)}"


@check(0.5)
def check_to_float32_dtype(seen, inputs):
    for i, spec in enumerate(inputs["to_float32"]):
        label = _float32_label(spec)
        expect_dtype(seen.tensor(f"to_float32/{i}", label, "result"), "torch.float32", label)


@check(0.5, values=True)
def check_to_float32_shape_and_values(seen, inputs):
    for i, spec in enumerate(inputs["to_float32"]):
        label = _float32_label(spec)
        t = seen.tensor(f"to_float32/{i}", label, "result")
        expect_shape(t, spec["shape"], label, expected_text="a mesma forma de a")
        # float32 rounding tolerance: a float64 result is judged by the dtype check alone
        expect_values(t, decode(spec).astype(np.float32), label, "dos de a", rtol=1e-6, atol=0)


@check(0.25)
def check_to_float32_leaves_input_unchanged(seen, inputs):
    for i, spec in enumerate(inputs["to_float32"]):
        label = _float32_label(spec)
        t = seen.tensor(f"to_float32/{i}", label, "result")
        expect_shape(t, spec["shape"], label, expected_text="a mesma forma de a")
        expect_unchanged(seen, f"to_float32/{i}", label, "a entrada a")


def _column_label(spec):
    kind = "tensor" if spec["as"] == "tensor" else "array NumPy"
    return f"column_vector(y) com y um {kind} de {_about(spec)}"


@check(0.5)
def check_column_vector_dtype_and_shape(seen, inputs):
    for i, spec in enumerate(inputs["column_vector"]):
        label = _column_label(spec)
        t = seen.tensor(f"column_vector/{i}", label, "result")
        expect_dtype(t, "torch.float32", label)
        expect_shape(t, (spec["shape"][0], 1), label)


@check(0.5, values=True)
def check_column_vector_values(seen, inputs):
    for i, spec in enumerate(inputs["column_vector"]):
        label = _column_label(spec)
        t = seen.tensor(f"column_vector/{i}", label, "result")
        expect_values(t, decode(spec).astype(np.float32).reshape(-1, 1), label, "dos de y", rtol=1e-6, atol=0)
        expect_unchanged(seen, f"column_vector/{i}", label, "a entrada y")


CHECKS = [
    check_make_matrix_dtype_and_shape,
    check_make_matrix_values,
    check_to_float32_dtype,
    check_to_float32_shape_and_values,
    check_to_float32_leaves_input_unchanged,
    check_column_vector_dtype_and_shape,
    check_column_vector_values,
]
