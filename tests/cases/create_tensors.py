"""Test cases of `create_tensors`: wrong answers each check must catch, correct ones that must pass, and more.

- WRONG: (name, code, checks): every check named must fail and the score stay
  below the maximum; "*" stands for every check that carries points (then the
  score must be exactly 0, as when a gate fails).
- CORRECT: (name, code): alternatives a good student might write; full marks.
- hidden_numbers(judge, inputs): what the judge expects on hidden inputs (the
  feedback must never show these).
- STOCK_TEST: the plain asserts a stock nbgrader course would hide in the test
  cell (the baseline of `make bench` and `make security-report`).
"""

from textwrap import dedent  # noqa: F401

import numpy as np  # noqa: F401

from autograder.judge import decode  # noqa: F401

from .common import ALL, ALWAYS_EQUAL, SUBCLASS, Z_BUGGY, cell, fix_cell  # noqa: F401

MAKE_MATRIX = """
def make_matrix():
    return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]])
"""
TO_FLOAT32 = """
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
"""
COLUMN_VECTOR = """
def column_vector(y):
    if isinstance(y, torch.Tensor):
        return y.to(torch.float32).reshape(-1, 1).clone()
    return torch.from_numpy(np.array(y, dtype=np.float32)).reshape(-1, 1)
"""

WRONG = [
    (
        "to_float32_keeps_float64",
        cell(
            MAKE_MATRIX,
            """
        def to_float32(a):
            return torch.tensor(a)
        """,
            COLUMN_VECTOR,
        ),
        {"check_to_float32_dtype"},
    ),
    (
        "to_float32_from_numpy_only",
        cell(
            MAKE_MATRIX,
            """
        def to_float32(a):
            return torch.from_numpy(a)
        """,
            COLUMN_VECTOR,
        ),
        {"check_to_float32_dtype"},
    ),
    (
        "to_float32_hardcoded",
        cell(
            MAKE_MATRIX,
            """
        def to_float32(a):
            return make_matrix()
        """,
            COLUMN_VECTOR,
        ),
        {"check_to_float32_shape_and_values"},
    ),
    (
        "to_float32_flattens",
        cell(
            MAKE_MATRIX,
            """
        def to_float32(a):
            return torch.tensor(a.ravel(), dtype=torch.float32)
        """,
            COLUMN_VECTOR,
        ),
        {"check_to_float32_shape_and_values"},
    ),
    (
        "to_float32_returns_numpy",
        cell(
            MAKE_MATRIX,
            """
        def to_float32(a):
            return a.astype(np.float32)
        """,
            COLUMN_VECTOR,
        ),
        {"check_to_float32_dtype", "check_to_float32_shape_and_values", "check_to_float32_leaves_input_unchanged"},
    ),
    (
        "to_float32_modifies_input",
        cell(
            MAKE_MATRIX,
            """
        def to_float32(a):
            a[...] = a.astype(np.float32)  # "converte" a no lugar
            return torch.from_numpy(a.astype(np.float32))
        """,
            COLUMN_VECTOR,
        ),
        {"check_to_float32_leaves_input_unchanged"},
    ),
    (
        "to_float32_right_only_first_call",
        cell(
            MAKE_MATRIX,
            """
        _cache = []
        def to_float32(a):
            if not _cache:
                _cache.append(torch.tensor(a, dtype=torch.float32))
            return _cache[0]
        """,
            COLUMN_VECTOR,
        ),
        {"check_to_float32_shape_and_values"},
    ),
    (
        "column_vector_flat",
        cell(
            MAKE_MATRIX,
            TO_FLOAT32,
            """
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32)
        """,
        ),
        {"check_column_vector_dtype_and_shape", "check_column_vector_values"},
    ),
    (
        "column_vector_row",
        cell(
            MAKE_MATRIX,
            TO_FLOAT32,
            """
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32).reshape(1, -1)
        """,
        ),
        {"check_column_vector_dtype_and_shape", "check_column_vector_values"},
    ),
    (
        "column_vector_float64",
        cell(
            MAKE_MATRIX,
            TO_FLOAT32,
            """
        def column_vector(y):
            return torch.tensor(np.asarray(y, dtype=np.float64)).reshape(-1, 1)
        """,
        ),
        {"check_column_vector_dtype_and_shape"},
    ),
    (
        "column_vector_hardcoded_visible",
        cell(
            MAKE_MATRIX,
            TO_FLOAT32,
            """
        def column_vector(y):
            return torch.tensor([[0.5], [1.5], [2.5]])
        """,
        ),
        {"check_column_vector_dtype_and_shape", "check_column_vector_values"},
    ),
    (
        "column_vector_arange",
        cell(
            MAKE_MATRIX,
            TO_FLOAT32,
            """
        def column_vector(y):
            return torch.arange(len(y), dtype=torch.float32).reshape(-1, 1)
        """,
        ),
        {"check_column_vector_values"},
    ),
    (
        "column_vector_modifies_input",
        cell(
            MAKE_MATRIX,
            TO_FLOAT32,
            """
        def column_vector(y):
            if isinstance(y, torch.Tensor):
                return y.unsqueeze_(1).float()
            y.shape = (-1, 1)
            return torch.tensor(y, dtype=torch.float32)
        """,
        ),
        {"check_column_vector_values"},
    ),
    (
        "make_matrix_float64",
        cell(
            """
        def make_matrix():
            return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]], dtype=torch.float64)
        """,
            TO_FLOAT32,
            COLUMN_VECTOR,
        ),
        {"check_make_matrix_dtype_and_shape"},
    ),
    (
        "make_matrix_int64",
        cell(
            """
        def make_matrix():
            return torch.tensor([[1, 4, 7], [2, 3, 6]])
        """,
            TO_FLOAT32,
            COLUMN_VECTOR,
        ),
        {"check_make_matrix_dtype_and_shape"},
    ),
    (
        "make_matrix_demo_values",
        cell(
            """
        def make_matrix():
            return torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        """,
            TO_FLOAT32,
            COLUMN_VECTOR,
        ),
        {"check_make_matrix_values"},
    ),
    (
        "make_matrix_transposed",
        cell(
            """
        def make_matrix():
            return torch.tensor([[1.0, 2.0], [4.0, 3.0], [7.0, 6.0]])
        """,
            TO_FLOAT32,
            COLUMN_VECTOR,
        ),
        {"check_make_matrix_dtype_and_shape", "check_make_matrix_values"},
    ),
    (
        "make_matrix_numpy",
        cell(
            """
        def make_matrix():
            return np.array([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]], dtype=np.float32)
        """,
            TO_FLOAT32,
            COLUMN_VECTOR,
        ),
        {"check_make_matrix_dtype_and_shape", "check_make_matrix_values"},
    ),
    (
        "make_matrix_right_only_first_call",
        cell(
            """
        _calls = []
        def make_matrix():
            _calls.append(1)
            if len(_calls) == 1:
                return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]])
            return torch.zeros(2, 3)
        """,
            TO_FLOAT32,
            COLUMN_VECTOR,
        ),
        {"check_make_matrix_values"},
    ),
    (
        "make_matrix_shared_and_mutated",
        cell(
            """
        _M = torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]])
        def make_matrix():
            _M.add_(1)
            return _M
        """,
            TO_FLOAT32,
            COLUMN_VECTOR,
        ),
        {"check_make_matrix_values"},
    ),
    (
        "always_equal_objects",
        cell(
            ALWAYS_EQUAL,
            """
        def make_matrix():
            return AlwaysEqual()
        def to_float32(a):
            return AlwaysEqual()
        def column_vector(y):
            return AlwaysEqual()
        """,
        ),
        ALL,
    ),
    (
        "tensor_subclass",
        cell(
            SUBCLASS,
            """
        def make_matrix():
            return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]]).as_subclass(MyTensor)
        def to_float32(a):
            return torch.tensor(a, dtype=torch.float32).as_subclass(MyTensor)
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).as_subclass(MyTensor)
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        cell("""
        def make_matrix():
            raise NotImplementedError()
        def to_float32(a):
            raise NotImplementedError()
        def column_vector(y):
            raise NotImplementedError()
        """),
        ALL,
    ),
    (
        "only_make_matrix_defined",
        cell(MAKE_MATRIX),
        {
            "check_to_float32_dtype",
            "check_to_float32_shape_and_values",
            "check_to_float32_leaves_input_unchanged",
            "check_column_vector_dtype_and_shape",
            "check_column_vector_values",
        },
    ),
]

CORRECT = [
    ("solution", cell(MAKE_MATRIX, TO_FLOAT32, COLUMN_VECTOR)),
    (
        "tensor_with_dtype",
        cell("""
        def make_matrix():
            return torch.tensor([[1, 4, 7], [2, 3, 6]], dtype=torch.float32)
        def to_float32(a):
            return torch.tensor(a, dtype=torch.float32)
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
        """),
    ),
    (
        "from_numpy_astype",
        cell("""
        def make_matrix():
            return torch.FloatTensor([[1, 4, 7], [2, 3, 6]])
        def to_float32(a):
            return torch.from_numpy(a.astype(np.float32))
        def column_vector(y):
            return torch.as_tensor(y).float().view(-1, 1)
        """),
    ),
    (
        "as_tensor",
        cell("""
        def make_matrix():
            return torch.tensor([1.0, 4.0, 7.0, 2.0, 3.0, 6.0]).reshape(2, 3)
        def to_float32(a):
            return torch.as_tensor(a, dtype=torch.float32)
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32).unsqueeze(1)
        """),
    ),
    (
        "tensor_then_float",
        cell("""
        def make_matrix():
            return torch.tensor([[1, 2], [4, 3], [7, 6]]).T.float()
        def to_float32(a):
            return torch.tensor(a).float()
        def column_vector(y):
            if isinstance(y, np.ndarray):
                y = torch.from_numpy(y)
            return y.float()[:, None]
        """),
    ),
    (
        "float_tensor",
        cell("""
        def make_matrix():
            return torch.FloatTensor([[1, 4, 7], [2, 3, 6]])
        def to_float32(a):
            return torch.FloatTensor(a)
        def column_vector(y):
            return torch.FloatTensor(np.asarray(y, dtype=np.float32)).reshape(-1, 1)
        """),
    ),
    (
        "copy_then_to",
        cell("""
        def make_matrix():
            m = torch.zeros(2, 3)
            m[0] = torch.tensor([1.0, 4.0, 7.0])
            m[1] = torch.tensor([2.0, 3.0, 6.0])
            return m
        def to_float32(a):
            return torch.from_numpy(a.copy()).to(torch.float32)
        def column_vector(y):
            return torch.tensor(np.asarray(y), dtype=torch.float32).reshape(len(y), 1)
        """),
    ),
]


def hidden_numbers(judge, inputs):
    return []


NO_HIDDEN_VALUES = "its expected values are the inputs themselves, cast to float32: nothing secret to leak"


STOCK_TEST = """import torch, numpy as np
assert torch.equal(make_matrix(), torch.tensor([[1., 4., 7.], [2., 3., 6.]]))
a = np.random.rand(4, 2)
assert to_float32(a).dtype == torch.float32 and np.allclose(to_float32(a).numpy(), a)
assert column_vector(np.arange(5.)).shape == (5, 1)"""
