"""Test cases of `fix_inplace`: wrong answers each check must catch, correct ones that must pass, and more.

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

Z_FIXED = """
def z_fixed(t):
    return t.exp() + 1
"""

WRONG = [
    (
        "detached_result",
        fix_cell("""
        def z_fixed(t):
            return (t.exp() + 1).detach()
        """),
        {"check_z_fixed_gradient"},
    ),
    (
        "data_inplace",
        fix_cell("""
        def z_fixed(t):
            z = t.exp()
            z.data += 1
            return z
        """),
        {"check_z_fixed_gradient"},
    ),
    (
        "still_inplace",
        fix_cell("""
        def z_fixed(t):
            z = torch.exp(t)
            z.add_(1)
            return z
        """),
        {"check_z_fixed_gradient"},
    ),
    (
        "computed_in_no_grad",
        fix_cell("""
        def z_fixed(t):
            with torch.no_grad():
                return t.exp() + 1
        """),
        {"check_z_fixed_gradient"},
    ),
    (
        "numpy_roundtrip",
        fix_cell("""
        def z_fixed(t):
            return torch.tensor(np.exp(t.detach().numpy()) + 1)
        """),
        {"check_z_fixed_gradient"},
    ),
    (
        "calls_z_buggy",
        fix_cell("""
        def z_fixed(t):
            return z_buggy(t)
        """),
        {"check_z_fixed_gradient"},
    ),
    (
        "missing_plus_one",
        fix_cell("""
        def z_fixed(t):
            return t.exp()
        """),
        {"check_z_fixed_values"},
    ),
    (
        "exp_of_t_plus_one",
        fix_cell("""
        def z_fixed(t):
            return torch.exp(t + 1)
        """),
        {"check_z_fixed_values", "check_z_fixed_gradient"},
    ),
    (
        "modifies_t",
        fix_cell("""
        def z_fixed(t):
            z = torch.exp(t) + 1
            t.data.mul_(2)
            return z
        """),
        {"check_z_fixed_leaves_t_unchanged"},
    ),
    (
        "z_buggy_redefined_into_fix",
        fix_cell(
            """
        def z_buggy(t):
            z = t.exp()
            z = z + 1
            return z
        """,
            Z_FIXED,
        ),
        {"check_z_buggy_still_raises"},
    ),
    ("z_buggy_deleted", fix_cell("del z_buggy", Z_FIXED), {"check_z_buggy_still_raises"}),
    (
        "z_buggy_raises_directly",
        fix_cell(
            """
        def z_buggy(t):
            raise RuntimeError("in-place")
        """,
            Z_FIXED,
        ),
        {"check_z_buggy_still_raises"},
    ),
    (
        "always_equal_objects",
        fix_cell(
            ALWAYS_EQUAL,
            """
        def z_fixed(t):
            return AlwaysEqual()
        """,
        ),
        ALL,
    ),
    (
        "tensor_subclass",
        fix_cell(
            SUBCLASS,
            """
        def z_fixed(t):
            return (t.exp() + 1).as_subclass(MyTensor)
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        fix_cell("""
        def z_fixed(t):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", fix_cell(Z_FIXED)),
    (
        "torch_exp_plus_one",
        fix_cell("""
        def z_fixed(t):
            return torch.exp(t) + 1
        """),
    ),
    (
        "one_plus_exp",
        fix_cell("""
        def z_fixed(t):
            return 1 + t.exp()
        """),
    ),
    (
        "add_method",
        fix_cell("""
        def z_fixed(t):
            return t.exp().add(1)
        """),
    ),
    (
        "torch_add",
        fix_cell("""
        def z_fixed(t):
            return torch.add(torch.exp(t), 1)
        """),
    ),
    (
        "rebind_z",
        fix_cell("""
        def z_fixed(t):
            z = t.exp()
            z = z + 1
            return z
        """),
    ),
    (
        "clone_then_inplace",
        fix_cell("""
        def z_fixed(t):
            z = t.exp().clone()
            z += 1
            return z
        """),
    ),
    (
        "ones_like",
        fix_cell("""
        def z_fixed(t):
            return torch.exp(t) + torch.ones_like(t)
        """),
    ),
]


# Answers that get only the incidental properties of a function right (the value, t unchanged), not what the
# exercise teaches (a graph whose backward() gives exp(t)): (name, its checks, its points).
Z_FIXED_CHECKS = {"check_z_fixed_values", "check_z_fixed_gradient", "check_z_fixed_leaves_t_unchanged"}
INCIDENTAL = [
    (name, Z_FIXED_CHECKS, 3.0)
    for name in ("detached_result", "data_inplace", "still_inplace", "computed_in_no_grad", "numpy_roundtrip")
]


def hidden_numbers(judge, inputs):
    numbers = []
    for spec in inputs["t"]:
        t = decode(spec).astype(np.float64)
        numbers += list(np.ravel(np.exp(t) + 1)) + list(np.ravel(np.exp(t)))
    return numbers


STOCK_TEST = """import torch
t = torch.tensor([0.5, 1.0], requires_grad=True)
z = z_fixed(t)
assert torch.allclose(z, torch.exp(t) + 1)
z.sum().backward()
assert torch.allclose(t.grad, torch.exp(t.detach()))"""
