"""Test cases of `prepare_data`: wrong answers each check must catch, correct ones that must pass, and more.

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

STANDARDIZE = """
def standardize(X_train, X_valid, X_test):
    X_train = torch.from_numpy(X_train.astype(np.float32))
    X_valid = torch.from_numpy(X_valid.astype(np.float32))
    X_test = torch.from_numpy(X_test.astype(np.float32))
    means = X_train.mean(dim=0, keepdim=True)
    stds = X_train.std(dim=0, keepdim=True)
    return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds
"""
TO_COLUMN = """
def to_column(y):
    return torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
"""


def _standardize(stats):
    """standardize() whose statistics come from `stats` (code with X_train, X_valid, X_test as tensors)."""
    return (
        "def standardize(X_train, X_valid, X_test):\n"
        "    X_train, X_valid, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))\n"
        + "".join("    " + line + "\n" for line in dedent(stats).strip().splitlines())
        + "    return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds\n"
    )


WRONG = [
    (
        "test_statistics",
        cell(
            _standardize("""
        means, stds = X_test.mean(dim=0), X_test.std(dim=0)
        """),
            TO_COLUMN,
        ),
        {"check_standardize_uses_train_statistics"},
    ),
    (
        "valid_statistics",
        cell(
            _standardize("""
        means, stds = X_valid.mean(dim=0), X_valid.std(dim=0)
        """),
            TO_COLUMN,
        ),
        {"check_standardize_uses_train_statistics"},
    ),
    (
        "each_split_own_statistics",
        cell(
            """
        def standardize(X_train, X_valid, X_test):
            out = []
            for X in (X_train, X_valid, X_test):
                X = torch.tensor(X, dtype=torch.float32)
                out.append((X - X.mean(dim=0)) / X.std(dim=0))
            return tuple(out)
        """,
            TO_COLUMN,
        ),
        {"check_standardize_uses_train_statistics"},
    ),
    (
        "statistics_of_all_splits",
        cell(
            """
        def standardize(X_train, X_valid, X_test):
            X_all = np.concatenate([X_train, X_valid, X_test])
            means, stds = X_all.mean(axis=0), X_all.std(axis=0, ddof=1)
            return tuple(torch.tensor((X - means) / stds, dtype=torch.float32) for X in (X_train, X_valid, X_test))
        """,
            TO_COLUMN,
        ),
        {"check_standardize_uses_train_statistics"},
    ),
    (
        "no_std_division",
        cell(
            _standardize("""
        means, stds = X_train.mean(dim=0), 1.0
        """),
            TO_COLUMN,
        ),
        {"check_standardize_uses_train_statistics"},
    ),
    (
        "row_statistics",
        cell(
            _standardize("""
        means = X_train.mean()
        stds = X_train.std()
        """),
            TO_COLUMN,
        ),
        {"check_standardize_uses_train_statistics"},
    ),
    (
        "statistics_kept_from_first_call",
        cell(
            """
        _stats = []
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
            if not _stats:
                _stats.append((X_train.mean(dim=0), X_train.std(dim=0)))
            means, stds = _stats[0]
            return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds
        """,
            TO_COLUMN,
        ),
        {"check_standardize_uses_train_statistics"},
    ),
    (
        "float64_outputs",
        cell(
            """
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.tensor(X) for X in (X_train, X_valid, X_test))
            means, stds = X_train.mean(dim=0), X_train.std(dim=0)
            return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds
        """,
            TO_COLUMN,
        ),
        {"check_standardize_dtype_and_shape"},
    ),
    (
        "numpy_outputs",
        cell(
            """
        def standardize(X_train, X_valid, X_test):
            means, stds = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
            return tuple(((X - means) / stds).astype(np.float32) for X in (X_train, X_valid, X_test))
        """,
            TO_COLUMN,
        ),
        {
            "check_standardize_dtype_and_shape",
            "check_standardize_uses_train_statistics",
            "check_standardize_leaves_inputs_unchanged",
        },
    ),
    (
        "returns_two_splits",
        cell(
            """
        def standardize(X_train, X_valid, X_test):
            X_train, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_test))
            means, stds = X_train.mean(dim=0), X_train.std(dim=0)
            return (X_train - means) / stds, (X_test - means) / stds
        """,
            TO_COLUMN,
        ),
        {
            "check_standardize_dtype_and_shape",
            "check_standardize_uses_train_statistics",
            "check_standardize_leaves_inputs_unchanged",
        },
    ),
    (
        "modifies_inputs",
        cell(
            """
        def standardize(X_train, X_valid, X_test):
            means, stds = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
            for X in (X_train, X_valid, X_test):
                X -= means
                X /= stds
            return tuple(torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
        """,
            TO_COLUMN,
        ),
        {"check_standardize_leaves_inputs_unchanged"},
    ),
    (
        "to_column_flat",
        cell(
            STANDARDIZE,
            """
        def to_column(y):
            return torch.tensor(y, dtype=torch.float32)
        """,
        ),
        {"check_to_column"},
    ),
    (
        "to_column_float64",
        cell(
            STANDARDIZE,
            """
        def to_column(y):
            return torch.tensor(y).reshape(-1, 1)
        """,
        ),
        {"check_to_column"},
    ),
    (
        "to_column_row",
        cell(
            STANDARDIZE,
            """
        def to_column(y):
            return torch.tensor(y, dtype=torch.float32).reshape(1, -1)
        """,
        ),
        {"check_to_column"},
    ),
    (
        "to_column_modifies_y",
        cell(
            STANDARDIZE,
            """
        def to_column(y):
            y.shape = (-1, 1)
            return torch.tensor(y, dtype=torch.float32)
        """,
        ),
        {"check_to_column"},
    ),
    (
        "always_equal_objects",
        cell(
            ALWAYS_EQUAL,
            """
        def standardize(X_train, X_valid, X_test):
            return AlwaysEqual(), AlwaysEqual(), AlwaysEqual()
        def to_column(y):
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
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
            means, stds = X_train.mean(dim=0), X_train.std(dim=0)
            return tuple(((X - means) / stds).as_subclass(MyTensor) for X in (X_train, X_valid, X_test))
        def to_column(y):
            return torch.tensor(y, dtype=torch.float32).reshape(-1, 1).as_subclass(MyTensor)
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        cell("""
        def standardize(X_train, X_valid, X_test):
            raise NotImplementedError()
        def to_column(y):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", cell(STANDARDIZE, TO_COLUMN)),
    (
        "tensor_with_dtype",
        cell(
            _standardize("""
        means, stds = X_train.mean(dim=0), X_train.std(dim=0)
        """),
            """
        def to_column(y):
            return torch.tensor(y, dtype=torch.float32).unsqueeze(1)
        """,
        ),
    ),
    (
        "numpy_keepdims",
        cell("""
        def standardize(X_train, X_valid, X_test):
            means = X_train.mean(axis=0, keepdims=True)
            stds = X_train.std(axis=0, ddof=1, keepdims=True)
            return tuple(torch.tensor((X - means) / stds, dtype=torch.float32) for X in (X_train, X_valid, X_test))
        def to_column(y):
            return torch.as_tensor(y, dtype=torch.float32).view(-1, 1)
        """),
    ),
    (
        "torch_keepdims",
        cell(
            _standardize("""
        means = X_train.mean(dim=0, keepdims=True)
        stds = X_train.std(dim=0, keepdims=True)
        """),
            """
        def to_column(y):
            return torch.FloatTensor(y).reshape(-1, 1)
        """,
        ),
    ),
    (
        "std_mean_as_tensor",
        cell("""
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.as_tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
            stds, means = torch.std_mean(X_train, dim=0)
            return [(X - means) / stds for X in (X_train, X_valid, X_test)]
        def to_column(y):
            return torch.from_numpy(y).float()[:, None]
        """),
    ),
    # StandardScaler's divisor (N) is accepted as well as torch's default (N - 1), as COURSE.md says.
    (
        "biased_std",
        cell(
            _standardize("""
        means, stds = X_train.mean(dim=0), X_train.std(dim=0, unbiased=False)
        """),
            TO_COLUMN,
        ),
    ),
    (
        "numpy_default_std",
        cell(
            """
        def standardize(X_train, X_valid, X_test):
            means, stds = X_train.mean(axis=0), X_train.std(axis=0)
            return tuple(torch.tensor((X - means) / stds, dtype=torch.float32) for X in (X_train, X_valid, X_test))
        """,
            TO_COLUMN,
        ),
    ),
    (
        "sklearn_standard_scaler",
        cell(
            """
        def standardize(X_train, X_valid, X_test):
            from sklearn.preprocessing import StandardScaler
            scaler = StandardScaler().fit(X_train)
            return tuple(torch.tensor(scaler.transform(X), dtype=torch.float32) for X in (X_train, X_valid, X_test))
        """,
            TO_COLUMN,
        ),
    ),
    (
        "float64_statistics",
        cell("""
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.tensor(X) for X in (X_train, X_valid, X_test))
            means, stds = X_train.mean(0), X_train.std(0)
            return tuple(((X - means) / stds).float() for X in (X_train, X_valid, X_test))
        def to_column(y):
            return torch.tensor(y.reshape(-1, 1), dtype=torch.float32)
        """),
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for split in inputs["standardize"]:
        for out in judge.standardize(*[decode(split[k]) for k in ("train", "valid", "test")]):
            numbers += list(out.numpy().ravel())
    return numbers


STOCK_TEST = """import numpy as np
A, B, C = standardize(np.random.rand(20, 3), np.random.rand(5, 3), np.random.rand(5, 3))
assert np.allclose(A.mean(0).numpy(), 0, atol=1e-5)
assert to_column(np.arange(3.)).shape == (3, 1)"""
