"""Test cases of `move_to_device`: wrong answers each check must catch, correct ones that must pass, and more.

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

PICK_DEVICE = """
def pick_device():
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"
"""
GRAM_ON = """
def gram_on(M, device):
    M_dev = M.to(device)
    return M_dev @ M_dev.T
"""

WRONG = [
    (
        "pick_device_hardcoded_cuda",
        cell(
            """
        def pick_device():
            return "cuda"
        """,
            GRAM_ON,
        ),
        {"check_pick_device_cuda_0_mps_1", "check_pick_device_cuda_0_mps_0"},
    ),
    (
        "pick_device_always_cpu",
        cell(
            """
        def pick_device():
            return "cpu"
        """,
            GRAM_ON,
        ),
        {"check_pick_device_cuda_1_mps_1", "check_pick_device_cuda_1_mps_0", "check_pick_device_cuda_0_mps_1"},
    ),
    (
        "pick_device_ignores_mps",
        cell(
            """
        def pick_device():
            return "cuda" if torch.cuda.is_available() else "cpu"
        """,
            GRAM_ON,
        ),
        {"check_pick_device_cuda_0_mps_1"},
    ),
    (
        "pick_device_mps_first",
        cell(
            """
        def pick_device():
            if torch.backends.mps.is_available():
                return "mps"
            if torch.cuda.is_available():
                return "cuda"
            return "cpu"
        """,
            GRAM_ON,
        ),
        {"check_pick_device_cuda_1_mps_1"},
    ),
    (
        "pick_device_returns_torch_device",
        cell(
            """
        def pick_device():
            if torch.cuda.is_available():
                return torch.device("cuda")
            if torch.backends.mps.is_available():
                return torch.device("mps")
            return torch.device("cpu")
        """,
            GRAM_ON,
        ),
        {
            "check_pick_device_cuda_1_mps_1",
            "check_pick_device_cuda_1_mps_0",
            "check_pick_device_cuda_0_mps_1",
            "check_pick_device_cuda_0_mps_0",
        },
    ),
    # Decided once when the cell runs: wrong for MPS-only whatever the grading machine has.
    (
        "pick_device_decided_at_import",
        cell(
            """
        DEVICE = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
        def pick_device():
            return DEVICE
        """,
            GRAM_ON,
        ),
        {"check_pick_device_cuda_0_mps_1"},
    ),
    (
        "gram_on_hardcoded_cuda",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            M_dev = M.to("cuda")
            return M_dev @ M_dev.T
        """,
        ),
        {"check_gram_on_computes_on_device"},
    ),
    (
        "gram_on_ignores_device",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            return M @ M.T
        """,
        ),
        {"check_gram_on_computes_on_device"},
    ),
    # The mistake the exercise is about: computed where M is, and only the result moved.
    (
        "gram_on_computed_then_moved",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            return (M @ M.T).to(device)
        """,
        ),
        {"check_gram_on_computes_on_device"},
    ),
    (
        "gram_on_computed_then_copied_into_device",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            G = torch.empty(M.shape[0], M.shape[0], dtype=M.dtype, device=device)
            G.copy_(torch.mm(M, M.t()))
            return G
        """,
        ),
        {"check_gram_on_computes_on_device"},
    ),
    (
        "gram_on_returns_to_cpu",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            M_dev = M.to(device)
            return (M_dev @ M_dev.T).cpu()
        """,
        ),
        {"check_gram_on_computes_on_device"},
    ),
    (
        "gram_on_wrong_product",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            M_dev = M.to(device)
            return M_dev.T @ M_dev
        """,
        ),
        {"check_gram_on_values", "check_gram_on_computes_on_device"},
    ),
    (
        "gram_on_casts_to_float32",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            M_dev = M.to(device, torch.float32)
            return M_dev @ M_dev.T
        """,
        ),
        {"check_gram_on_values"},
    ),
    (
        "gram_on_hardcoded_visible",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            return torch.tensor([[14.0, 38.0], [38.0, 126.0]], device=device)
        """,
        ),
        {"check_gram_on_values", "check_gram_on_computes_on_device"},
    ),
    (
        "gram_on_moves_M_data",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            M.data = M.data.to(device)
            return M @ M.T
        """,
        ),
        {"check_gram_on_computes_on_device", "check_gram_on_leaves_input_unchanged"},
    ),
    (
        "gram_on_clobbers_M",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            M_dev = M.to(device)
            G = M_dev @ M_dev.T
            M.zero_()
            return G
        """,
        ),
        {"check_gram_on_leaves_input_unchanged"},
    ),
    (
        "always_equal_objects",
        cell(
            ALWAYS_EQUAL,
            """
        def pick_device():
            return AlwaysEqual()
        def gram_on(M, device):
            return AlwaysEqual()
        """,
        ),
        ALL,
    ),
    (
        "tensor_subclass",
        cell(
            PICK_DEVICE,
            SUBCLASS,
            """
        def gram_on(M, device):
            M_dev = M.to(device)
            return (M_dev @ M_dev.T).as_subclass(MyTensor)
        """,
        ),
        {"check_gram_on_values", "check_gram_on_computes_on_device", "check_gram_on_leaves_input_unchanged"},
    ),
    (
        "stub_not_implemented",
        cell("""
        def pick_device():
            raise NotImplementedError()
        def gram_on(M, device):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", cell(PICK_DEVICE, GRAM_ON)),
    (
        "elif_and_mm",
        cell("""
        def pick_device():
            if torch.cuda.is_available():
                return "cuda"
            elif torch.backends.mps.is_available():
                return "mps"
            else:
                return "cpu"
        def gram_on(M, device):
            M_dev = M.to(device)
            return torch.mm(M_dev, M_dev.t())
        """),
    ),
    (
        "ternary_and_matmul",
        cell("""
        def pick_device():
            return "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
        def gram_on(M, device):
            return torch.matmul(M.to(device), M.to(device).transpose(0, 1))
        """),
    ),
    (
        "overwritten_choice_and_device_object",
        cell("""
        def pick_device():
            device = "cpu"
            if torch.backends.mps.is_available():
                device = "mps"
            if torch.cuda.is_available():
                device = "cuda"
            return device
        def gram_on(M, device):
            M_dev = M.to(device=torch.device(device))
            return M_dev @ M_dev.mT
        """),
    ),
    (
        "import_inside_and_einsum",
        cell("""
        def pick_device():
            from torch.cuda import is_available as cuda_ok
            from torch.backends.mps import is_available as mps_ok
            for name, ok in (("cuda", cuda_ok), ("mps", mps_ok)):
                if ok():
                    return name
            return "cpu"
        def gram_on(M, device):
            X = M.clone().to(device)
            return torch.einsum("ij,kj->ik", X, X)
        """),
    ),
    # Products of rows summed by broadcasting, on the device: M @ M.T without a matrix product.
    (
        "broadcast_sum_on_device",
        cell(
            PICK_DEVICE,
            """
        def gram_on(M, device):
            X = M.to(device)
            return (X[:, None, :] * X[None, :, :]).sum(dim=-1)
        """,
        ),
    ),
]

# Answers that get only the incidental properties of a function right: (name, its checks, its points).
GRAM_ON_CHECKS = {"check_gram_on_values", "check_gram_on_computes_on_device", "check_gram_on_leaves_input_unchanged"}
INCIDENTAL = [
    ("gram_on_computed_then_moved", GRAM_ON_CHECKS, 2.0),
    ("gram_on_computed_then_copied_into_device", GRAM_ON_CHECKS, 2.0),
    ("gram_on_ignores_device", GRAM_ON_CHECKS, 2.0),
]


def hidden_numbers(judge, inputs):
    return [v for spec in inputs["matrices"] for v in judge.gram(decode(spec)).ravel()]


STOCK_TEST = """import torch
assert pick_device() in ("cuda", "mps", "cpu")
M = torch.randn(3, 5)
assert torch.allclose(gram_on(M, "cpu"), M @ M.T)"""
