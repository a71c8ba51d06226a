"""Test cases of `bgd_loop`: wrong answers each check must catch, correct ones that must pass, and more.

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

# The housing losses a student could copy from the visible cell's output (lr 0.4, 20 epochs).
HOUSING_BGD_LOSSES = [
    16.158457,
    4.879375,
    2.255225,
    1.330763,
    0.968069,
    0.814268,
    0.741705,
    0.70207,
    0.676592,
    0.657796,
    0.642615,
    0.629722,
    0.618494,
    0.608597,
    0.599822,
    0.592019,
    0.585069,
    0.578873,
    0.573345,
    0.56841,
]


def _bgd(epoch, init=None, ret="w, b, losses", pre="", params="X, y, lr, n_epochs, seed=42"):
    """train_linear_bgd() with the given epoch body (the chapter's by default elsewhere)."""
    init = (
        init
        or """
        torch.manual_seed(seed)
        n_features = X.shape[1]
        w = torch.randn((n_features, 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        """
    )
    indent = lambda code, n: "".join(" " * n + line + "\n" for line in dedent(code).strip().splitlines())  # noqa: E731
    return (dedent(pre).strip("\n") + "\n" if pre else "") + (
        f"def train_linear_bgd({params}):\n"
        + indent(init, 4)
        + "    for epoch in range(n_epochs):\n"
        + indent(epoch, 8)
        + f"    return {ret}\n"
    )


EPOCH = """
y_pred = X @ w + b
loss = ((y_pred - y) ** 2).mean()
loss.backward()
with torch.no_grad():
    b -= lr * b.grad
    w -= lr * w.grad
    b.grad.zero_()
    w.grad.zero_()
losses.append(loss.item())
"""
BGD = _bgd(EPOCH)

ALL_BGD = {
    "check_bgd_parameters_are_leaves",
    "check_bgd_gradients_reset",
    "check_bgd_losses_are_python_floats",
    "check_bgd_housing_trajectory",
    "check_bgd_hidden_trajectory",
    "check_bgd_housing_reaches_target_mse",
}

WRONG = [
    (
        "missing_zero_grad",
        _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
        losses.append(loss.item())
        """),
        {"check_bgd_gradients_reset", "check_bgd_housing_trajectory", "check_bgd_hidden_trajectory"},
    ),
    (
        "zero_grad_only_w",
        _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
            w.grad.zero_()
        losses.append(loss.item())
        """),
        {"check_bgd_gradients_reset", "check_bgd_housing_trajectory", "check_bgd_hidden_trajectory"},
    ),
    (
        "zeroes_before_backward",
        _bgd("""
        if w.grad is not None:
            w.grad.zero_()
            b.grad.zero_()
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
        losses.append(loss.item())
        """),
        {"check_bgd_gradients_reset"},
    ),
    (
        "update_outside_no_grad",
        _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        b -= lr * b.grad
        w -= lr * w.grad
        b.grad.zero_()
        w.grad.zero_()
        losses.append(loss.item())
        """),
        ALL,
    ),
    (
        "rebinds_parameters",
        _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        w = w - lr * w.grad
        b = b - lr * b.grad
        losses.append(loss.item())
        """),
        ALL,
    ),
    (
        "rebinds_parameters_in_no_grad",
        _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w = w - lr * w.grad
            b = b - lr * b.grad
        losses.append(loss.item())
        """),
        ALL,
    ),
    (
        "losses_as_tensors",
        _bgd(EPOCH.replace("losses.append(loss.item())", "losses.append(loss)")),
        {"check_bgd_losses_are_python_floats"},
    ),
    (
        "losses_as_detached_tensors",
        _bgd(EPOCH.replace("losses.append(loss.item())", "losses.append(loss.detach())")),
        {"check_bgd_losses_are_python_floats"},
    ),
    (
        "losses_as_numpy_floats",
        _bgd(EPOCH.replace("losses.append(loss.item())", "losses.append(loss.detach().numpy()[()])")),
        {"check_bgd_losses_are_python_floats"},
    ),
    ("ignores_lr", _bgd(EPOCH.replace("lr *", "0.4 *")), {"check_bgd_hidden_trajectory"}),
    (
        "ignores_seed",
        _bgd(
            EPOCH,
            init="""
        torch.manual_seed(42)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        """,
        ),
        {"check_bgd_hidden_trajectory"},
    ),
    (
        "seed_after_init",
        _bgd(
            EPOCH,
            init="""
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        torch.manual_seed(seed)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        """,
        ),
        {"check_bgd_housing_trajectory", "check_bgd_hidden_trajectory"},
    ),
    (
        "ignores_n_epochs",
        _bgd(
            EPOCH,
            init="""
        torch.manual_seed(seed)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        n_epochs = 20
        """,
        ),
        {"check_bgd_hidden_trajectory", "check_bgd_losses_are_python_floats"},
    ),
    (
        "hardcoded_housing_losses",
        f"""
def train_linear_bgd(X, y, lr, n_epochs, seed=42):
    torch.manual_seed(seed)
    w = torch.randn((X.shape[1], 1), requires_grad=True)
    b = torch.tensor(0., requires_grad=True)
    return w, b, {HOUSING_BGD_LOSSES!r}
""",
        {"check_bgd_results_depend_on_inputs", "check_bgd_hidden_trajectory", "check_bgd_housing_reaches_target_mse"},
    ),
    (
        "loss_recorded_after_update",
        _bgd("""
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
            b.grad.zero_()
            w.grad.zero_()
            losses.append(((X @ w + b - y) ** 2).mean().item())
        """),
        {"check_bgd_housing_trajectory", "check_bgd_hidden_trajectory"},
    ),
    (
        "sum_instead_of_mean",
        _bgd(EPOCH.replace(".mean()", ".sum()")),
        {"check_bgd_housing_trajectory", "check_bgd_hidden_trajectory", "check_bgd_housing_reaches_target_mse"},
    ),
    # The losses are right, the returned parameters are not the trained ones. (Skipping only the
    # last update is not always visible: once converged, it moves w and b by less than rtol 1e-3.)
    (
        "returns_initial_parameters",
        _bgd(
            EPOCH,
            init="""
        torch.manual_seed(seed)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        w0, b0 = w.detach().clone().requires_grad_(), b.detach().clone().requires_grad_()
        losses = []
        """,
            ret="w0, b0, losses",
        ),
        {"check_bgd_hidden_trajectory", "check_bgd_housing_reaches_target_mse"},
    ),
    ("returns_detached", _bgd(EPOCH, ret="w.detach(), b.detach(), losses"), {"check_bgd_parameters_are_leaves"}),
    (
        "bias_of_shape_1",
        _bgd(
            EPOCH,
            init="""
        torch.manual_seed(seed)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        losses = []
        """,
        ),
        {"check_bgd_parameters_are_leaves"},
    ),
    (
        "weights_as_row",
        _bgd(
            EPOCH.replace("X @ w", "X @ w.T"),
            init="""
        torch.manual_seed(seed)
        w = torch.randn((1, X.shape[1]), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        """,
        ),
        {"check_bgd_parameters_are_leaves"},
    ),
    (
        "global_losses_list",
        _bgd(
            EPOCH,
            pre="losses = []",
            init="""
        torch.manual_seed(seed)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        """,
        ),
        {"check_bgd_hidden_trajectory", "check_bgd_losses_are_python_floats"},
    ),
    (
        "always_equal_objects",
        cell(
            ALWAYS_EQUAL,
            """
        def train_linear_bgd(X, y, lr, n_epochs, seed=42):
            return AlwaysEqual(), AlwaysEqual(), [AlwaysEqual()] * n_epochs
        """,
        ),
        ALL,
    ),
    ("tensor_subclass", _bgd(EPOCH, pre=SUBCLASS, ret="w.as_subclass(MyTensor), b.as_subclass(MyTensor), losses"), ALL),
    (
        "stub_not_implemented",
        cell("""
        def train_linear_bgd(X, y, lr, n_epochs, seed=42):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", BGD),
    (
        "torch_mean_and_grad_none",
        _bgd("""
        y_pred = X @ w + b
        loss = torch.mean((y_pred - y) ** 2)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        losses.append(loss.item())
        """),
    ),
    (
        "F_mse_loss_and_float",
        _bgd(
            """
        loss = F.mse_loss(X @ w + b, y)
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
            b.sub_(lr * b.grad)
            w.grad.zero_()
            b.grad.zero_()
        losses.append(float(loss))
        """,
            pre="import torch.nn.functional as F",
        ),
    ),
    (
        "nn_functional_mse_loss_and_matmul",
        _bgd(
            """
        loss = torch.nn.functional.mse_loss(torch.matmul(X, w) + b, y)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (w, b):
                p -= lr * p.grad
                p.grad.zero_()
        """,
            init="""
        torch.manual_seed(seed)
        w = torch.randn(X.shape[1], 1, requires_grad=True)
        b = torch.zeros((), requires_grad=True)
        losses = []
        """,
        ),
    ),
    (
        "mse_loss_module",
        _bgd(
            """
        loss = criterion(X.mm(w) + b, y)
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
            b.grad.zero_()
            w.grad.zero_()
        losses.append(loss.item())
        """,
            init="""
        torch.manual_seed(seed)
        n_samples, n_features = X.shape
        w = torch.randn((n_features, 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        criterion = nn.MSELoss()
        losses = []
        """,
        ),
    ),
    # Rebinding is fine when the new tensors become leaves that require grad again.
    (
        "rebind_in_no_grad_then_requires_grad",
        _bgd("""
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w = w - lr * w.grad
            b = b - lr * b.grad
        w.requires_grad_()
        b.requires_grad_()
        losses.append(loss.item())
        """),
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for run in inputs["runs"][1:]:  # the housing run's numbers are the chapter's, shown on purpose
        w, b, losses = judge.reference_run(run)
        numbers += list(losses) + list(w.ravel()) + list(np.ravel(b))
    return numbers


STOCK_TEST = """import numpy as np
w, b, losses = train_linear_bgd(X_train_t, y_train_t, 0.4, 20)
assert np.allclose(losses[0], 16.158457, rtol=1e-3) and np.allclose(losses[-1], 0.568410, rtol=1e-3)"""
