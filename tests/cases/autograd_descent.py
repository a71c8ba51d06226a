"""Test cases of `autograd_descent`: wrong answers each check must catch, correct ones that must pass, and more.

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

SQUARE_AND_GRAD = """
def square_and_grad(x0):
    x = torch.tensor(x0, requires_grad=True)
    f = x ** 2
    f.backward()
    return f.item(), x.grad.item()
"""
DESCEND = """
def descend(x0, lr, n_iter):
    x = torch.tensor(x0, requires_grad=True)
    for _ in range(n_iter):
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
            x.grad.zero_()
    return x
"""


def _descend(body, ret="x"):
    """descend() with the loop body replaced (indented for the for loop)."""
    return (
        "def descend(x0, lr, n_iter):\n    x = torch.tensor(x0, requires_grad=True)\n"
        "    for _ in range(n_iter):\n"
        + "".join("        " + line + "\n" for line in dedent(body).strip().splitlines())
        + f"    return {ret}\n"
    )


WRONG = [
    (
        "square_and_grad_returns_tensors",
        cell(
            """
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return f, x.grad
        """,
            DESCEND,
        ),
        {"check_square_and_grad_returns_python_floats"},  # the numbers are right: only their type is not
    ),
    (
        "square_and_grad_returns_numpy",
        cell(
            """
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return f.detach().numpy(), x.grad.numpy()
        """,
            DESCEND,
        ),
        {"check_square_and_grad_returns_python_floats"},
    ),
    (
        "square_and_grad_formula_only_for_f",
        cell(
            """
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return f.item(), 2 * f.item()
        """,
            DESCEND,
        ),
        {"check_square_and_grad_values"},
    ),
    (
        "square_and_grad_hardcoded_visible",
        cell(
            """
        def square_and_grad(x0):
            return 9.0, 6.0
        """,
            DESCEND,
        ),
        {"check_square_and_grad_values"},
    ),
    (
        "square_and_grad_returns_only_f",
        cell(
            """
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return f.item()
        """,
            DESCEND,
        ),
        {"check_square_and_grad_values", "check_square_and_grad_returns_python_floats"},
    ),
    (
        "square_and_grad_global_x_accumulates",
        cell(
            """
        x = torch.tensor(0.0, requires_grad=True)
        def square_and_grad(x0):
            with torch.no_grad():
                x.fill_(x0)
            f = x ** 2
            f.backward()
            return f.item(), x.grad.item()
        """,
            DESCEND,
        ),
        {"check_square_and_grad_values"},
    ),
    (
        "descend_missing_zero_grad",
        cell(
            SQUARE_AND_GRAD,
            _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        """),
        ),
        {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "descend_update_outside_no_grad",
        cell(
            SQUARE_AND_GRAD,
            _descend("""
        f = x ** 2
        f.backward()
        x -= lr * x.grad
        x.grad.zero_()
        """),
        ),
        {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "descend_rebinds_x",
        cell(
            SQUARE_AND_GRAD,
            _descend("""
        f = x ** 2
        f.backward()
        x = x - lr * x.grad
        """),
        ),
        {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "descend_rebinds_x_in_no_grad",
        cell(
            SQUARE_AND_GRAD,
            _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x = x - lr * x.grad
        """),
        ),
        {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "descend_zeroes_before_backward",
        cell(
            SQUARE_AND_GRAD,
            _descend("""
        if x.grad is not None:
            x.grad.zero_()
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        """),
        ),
        {"check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "descend_ignores_lr",
        cell(
            SQUARE_AND_GRAD,
            _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= 0.1 * x.grad
            x.grad.zero_()
        """),
        ),
        {"check_descend_values"},
    ),
    (
        "descend_ignores_n_iter",
        cell(
            SQUARE_AND_GRAD,
            """
        def descend(x0, lr, n_iter):
            x = torch.tensor(x0, requires_grad=True)
            for _ in range(5):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x
        """,
        ),
        {"check_descend_values"},
    ),
    (
        "descend_off_by_one",
        cell(
            SQUARE_AND_GRAD,
            """
        def descend(x0, lr, n_iter):
            x = torch.tensor(x0, requires_grad=True)
            for _ in range(n_iter + 1):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x
        """,
        ),
        {"check_descend_values"},
    ),
    (
        "descend_hardcoded_visible",
        cell(
            SQUARE_AND_GRAD,
            """
        def descend(x0, lr, n_iter):
            return torch.tensor(0.32768, requires_grad=True)
        """,
        ),
        {"check_descend_values"},
    ),
    (
        "descend_returns_detached",
        cell(
            SQUARE_AND_GRAD,
            _descend(
                """
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
            x.grad.zero_()
        """,
                ret="x.detach()",
            ),
        ),
        {"check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "descend_returns_parameter",
        cell(
            SQUARE_AND_GRAD,
            """
        def descend(x0, lr, n_iter):
            x = nn.Parameter(torch.tensor(x0))
            for _ in range(n_iter):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x
        """,
        ),
        {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "descend_returns_float",
        cell(
            SQUARE_AND_GRAD,
            _descend(
                """
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
            x.grad.zero_()
        """,
                ret="x.item()",
            ),
        ),
        {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "always_equal_objects",
        cell(
            ALWAYS_EQUAL,
            """
        def square_and_grad(x0):
            return AlwaysEqual(), AlwaysEqual()
        def descend(x0, lr, n_iter):
            return AlwaysEqual()
        """,
        ),
        ALL,
    ),
    (
        "tensor_subclass",
        cell(
            SQUARE_AND_GRAD,
            SUBCLASS,
            """
        def descend(x0, lr, n_iter):
            x = torch.tensor(x0, requires_grad=True)
            for _ in range(n_iter):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x.as_subclass(MyTensor)
        """,
        ),
        {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"},
    ),
    (
        "stub_not_implemented",
        cell("""
        def square_and_grad(x0):
            raise NotImplementedError()
        def descend(x0, lr, n_iter):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", cell(SQUARE_AND_GRAD, DESCEND)),
    (
        "grad_none_and_float",
        cell(
            """
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return float(f), float(x.grad)
        """,
            _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad = None
        """),
        ),
    ),
    (
        "one_element_vector",
        cell("""
        def square_and_grad(x0):
            x = torch.tensor([x0], requires_grad=True)
            f = (x ** 2).sum()
            f.backward()
            return f.item(), x.grad.item()
        def descend(x0, lr, n_iter):
            x = torch.tensor([x0], requires_grad=True)
            for _ in range(n_iter):
                loss = (x ** 2).sum()
                loss.backward()
                with torch.no_grad():
                    x.sub_(lr * x.grad)
                x.grad.zero_()
            return x
        """),
    ),
    (
        "rebind_in_no_grad_then_requires_grad",
        cell(
            """
        def square_and_grad(x0):
            x = torch.tensor(float(x0), requires_grad=True)
            y = x.pow(2)
            y.backward()
            return y.item(), x.grad.item()
        """,
            _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x = x - lr * x.grad
        x.requires_grad_()
        """),
        ),
    ),
    (
        "float64",
        cell("""
        def square_and_grad(x0):
            x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
            f = x ** 2
            f.backward()
            return f.item(), x.grad.item()
        def descend(x0, lr, n_iter):
            x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
            for _ in range(n_iter):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x
        """),
    ),
]


def hidden_numbers(judge, inputs):
    xs = inputs["square_and_grad"]
    return [x0**2 for x0 in xs] + [2 * x0 for x0 in xs] + [judge.descend_closed_form(*a) for a in inputs["descend"]]


STOCK_TEST = """import math, torch
f, df = square_and_grad(2.0)
assert math.isclose(f, 4.0) and math.isclose(df, 4.0)
torch.testing.assert_close(descend(1.0, 0.1, 10).detach(), torch.tensor(0.8 ** 10))"""
