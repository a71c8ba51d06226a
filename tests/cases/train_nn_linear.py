"""Test cases of `train_nn_linear`: wrong answers each check must catch, correct ones that must pass, and more.

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

HOUSING_FIT_LOSSES = [
    4.33785,
    0.780294,
    0.625384,
    0.606043,
    0.59563,
    0.587357,
    0.580299,
    0.574138,
    0.56871,
    0.563908,
    0.559651,
    0.555874,
    0.552519,
    0.549539,
    0.54689,
    0.544534,
    0.542438,
    0.540572,
    0.53891,
    0.537429,
]

TRAIN_BGD = """
def train_bgd(model, optimizer, criterion, X, y, n_epochs):
    losses = []
    for epoch in range(n_epochs):
        y_pred = model(X)
        loss = criterion(y_pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses
"""
FIT_LINEAR = """
def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):
    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.MSELoss()
    losses = train_bgd(model, optimizer, criterion, X, y, n_epochs)
    return model, losses
"""
PREDICT = """
def predict(model, X):
    with torch.no_grad():
        return model(X)
"""

FIT_CHECKS = {
    "check_fit_linear_returns_linear_8_1",
    "check_fit_linear_housing_trajectory",
    "check_fit_linear_reaches_target_test_mse",
    "check_fit_linear_uses_its_arguments",
}


def _fit(body):
    """fit_linear() with the given body (after the signature)."""
    return "def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):\n" + "".join(
        "    " + line + "\n" for line in dedent(body).strip().splitlines()
    )


WRONG = [
    (
        "train_bgd_missing_zero_grad",
        cell(TRAIN_BGD.replace("        optimizer.zero_grad()\n", ""), FIT_LINEAR, PREDICT),
        {
            "check_train_bgd_follows_reference",
            "check_fit_linear_housing_trajectory",
            "check_fit_linear_uses_its_arguments",
        },
    ),
    (
        "train_bgd_missing_step",
        cell(TRAIN_BGD.replace("        optimizer.step()\n", ""), FIT_LINEAR, PREDICT),
        {
            "check_train_bgd_follows_reference",
            "check_fit_linear_housing_trajectory",
            "check_fit_linear_reaches_target_test_mse",
            "check_fit_linear_uses_its_arguments",
        },
    ),
    (
        "train_bgd_hardcoded_lr",
        cell(
            TRAIN_BGD.replace(
                "    losses = []\n", "    losses = []\n    optimizer = torch.optim.SGD(model.parameters(), lr=0.4)\n"
            ),
            FIT_LINEAR,
            PREDICT,
        ),
        {"check_train_bgd_follows_reference", "check_fit_linear_uses_its_arguments"},
    ),
    (
        "train_bgd_losses_as_tensors",
        cell(TRAIN_BGD.replace("loss.item()", "loss"), FIT_LINEAR, PREDICT),
        {"check_train_bgd_follows_reference", "check_fit_linear_housing_trajectory"},
    ),
    (
        "train_bgd_global_losses_list",
        cell("losses = []", TRAIN_BGD.replace("    losses = []\n", ""), FIT_LINEAR, PREDICT),
        {"check_train_bgd_follows_reference", "check_fit_linear_uses_its_arguments"},
    ),
    (
        "train_bgd_step_before_backward",
        cell(
            """
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            losses = []
            for epoch in range(n_epochs):
                optimizer.zero_grad()
                optimizer.step()
                loss = criterion(model(X), y)
                loss.backward()
                losses.append(loss.item())
            return losses
        """,
            FIT_LINEAR,
            PREDICT,
        ),
        {
            "check_train_bgd_follows_reference",
            "check_fit_linear_housing_trajectory",
            "check_fit_linear_uses_its_arguments",
        },
    ),
    (
        "fit_linear_ignores_lr",
        cell(TRAIN_BGD, FIT_LINEAR.replace("lr=lr", "lr=0.4"), PREDICT),
        {"check_fit_linear_uses_its_arguments"},
    ),
    (
        "fit_linear_ignores_seed",
        cell(TRAIN_BGD, FIT_LINEAR.replace("manual_seed(seed)", "manual_seed(42)"), PREDICT),
        {"check_fit_linear_uses_its_arguments"},
    ),
    (
        "fit_linear_ignores_n_epochs",
        cell(TRAIN_BGD, FIT_LINEAR.replace("X, y, n_epochs)", "X, y, 20)"), PREDICT),
        {"check_fit_linear_uses_its_arguments"},
    ),
    (
        "fit_linear_hardcoded_8_features",
        cell(TRAIN_BGD, FIT_LINEAR.replace("X.shape[1]", "8"), PREDICT),
        {"check_fit_linear_uses_its_arguments"},
    ),
    (
        "fit_linear_seed_after_model",
        cell(
            TRAIN_BGD,
            _fit("""
        model = nn.Linear(X.shape[1], 1)
        torch.manual_seed(seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        return model, train_bgd(model, optimizer, nn.MSELoss(), X, y, n_epochs)
        """),
            PREDICT,
        ),
        {"check_fit_linear_housing_trajectory", "check_fit_linear_uses_its_arguments"},
    ),
    (
        "fit_linear_adam",
        cell(TRAIN_BGD, FIT_LINEAR.replace("torch.optim.SGD", "torch.optim.Adam"), PREDICT),
        {"check_fit_linear_housing_trajectory", "check_fit_linear_uses_its_arguments"},
    ),
    (
        "fit_linear_hardcoded_housing_losses",
        cell(
            TRAIN_BGD,
            _fit(f"""
        torch.manual_seed(seed)
        return nn.Linear(X.shape[1], 1), {HOUSING_FIT_LOSSES!r}
        """),
            PREDICT,
        ),
        {
            "check_fit_linear_results_depend_on_inputs",
            "check_fit_linear_reaches_target_test_mse",
            "check_fit_linear_uses_its_arguments",
        },
    ),
    (
        "fit_linear_without_bias",
        cell(TRAIN_BGD, FIT_LINEAR.replace("X.shape[1], 1)", "X.shape[1], 1, bias=False)"), PREDICT),
        FIT_CHECKS,
    ),
    (
        "fit_linear_sequential",
        cell(
            TRAIN_BGD,
            FIT_LINEAR.replace("nn.Linear(X.shape[1], 1)", "nn.Sequential(nn.Linear(X.shape[1], 1))"),
            PREDICT,
        ),
        FIT_CHECKS,
    ),
    (
        "fit_linear_linear_subclass",
        cell(
            """
        class MyLinear(nn.Linear):
            pass
        """,
            TRAIN_BGD,
            FIT_LINEAR.replace("nn.Linear(", "MyLinear("),
            PREDICT,
        ),
        FIT_CHECKS,
    ),
    (
        "predict_without_no_grad",
        cell(
            TRAIN_BGD,
            FIT_LINEAR,
            """
        def predict(model, X):
            return model(X)
        """,
        ),
        {"check_predict_without_graph"},
    ),
    (
        "predict_freezes_parameters",
        cell(
            TRAIN_BGD,
            FIT_LINEAR,
            """
        def predict(model, X):
            for p in model.parameters():
                p.requires_grad_(False)
            return model(X)
        """,
        ),
        {"check_predict_without_graph"},
    ),
    (
        "predict_resets_model",
        cell(
            TRAIN_BGD,
            FIT_LINEAR,
            """
        def predict(model, X):
            with torch.no_grad():
                y_pred = model(X)
                model.weight.zero_()
            return y_pred
        """,
        ),
        {"check_predict_without_graph"},
    ),
    (
        "predict_squeezes",
        cell(
            TRAIN_BGD,
            FIT_LINEAR,
            """
        def predict(model, X):
            with torch.no_grad():
                return model(X).squeeze(1)
        """,
        ),
        {"check_predict_without_graph"},
    ),
    (
        "predict_returns_numpy",
        cell(
            TRAIN_BGD,
            FIT_LINEAR,
            """
        def predict(model, X):
            with torch.no_grad():
                return model(X).numpy()
        """,
        ),
        {"check_predict_without_graph"},
    ),
    (
        "predict_tensor_subclass",
        cell(
            TRAIN_BGD,
            FIT_LINEAR,
            SUBCLASS,
            """
        def predict(model, X):
            with torch.no_grad():
                return model(X).as_subclass(MyTensor)
        """,
        ),
        {"check_predict_without_graph"},
    ),
    (
        "always_equal_objects",
        cell(
            ALWAYS_EQUAL,
            """
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            return [AlwaysEqual()] * n_epochs
        def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):
            return AlwaysEqual(), [AlwaysEqual()] * n_epochs
        def predict(model, X):
            return AlwaysEqual()
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        cell("""
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            raise NotImplementedError()
        def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):
            raise NotImplementedError()
        def predict(model, X):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", cell(TRAIN_BGD, FIT_LINEAR, PREDICT)),
    (
        "set_to_none_functional_inference_mode",
        cell(
            """
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            losses = []
            for epoch in range(n_epochs):
                loss = criterion(model(X), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                losses.append(float(loss))
            return losses
        """,
            _fit("""
        torch.manual_seed(seed)
        model = nn.Linear(X.shape[1], 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        return model, train_bgd(model, optimizer, torch.nn.functional.mse_loss, X, y, n_epochs)
        """),
            """
        def predict(model, X):
            with torch.inference_mode():
                return model(X)
        """,
        ),
    ),
    (
        "F_mse_zero_grad_first_decorator",
        cell(
            """
        import torch.nn.functional as F
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            losses = []
            for epoch in range(n_epochs):
                optimizer.zero_grad()
                loss = criterion(model(X), y)
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            return losses
        """,
            _fit("""
        torch.manual_seed(seed)
        model = nn.Linear(in_features=X.shape[1], out_features=1)
        optimizer = torch.optim.SGD(params=model.parameters(), lr=lr)
        losses = train_bgd(model, optimizer, F.mse_loss, X, y, n_epochs)
        return model, losses
        """),
            """
        @torch.no_grad()
        def predict(model, X):
            return model(X)
        """,
        ),
    ),
    (
        "eval_and_set_grad_enabled",
        cell(
            TRAIN_BGD,
            _fit("""
        torch.manual_seed(seed)
        n_features = X.shape[1]
        model = nn.Linear(n_features, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        losses = train_bgd(model=model, optimizer=optimizer, criterion=nn.MSELoss(), X=X, y=y, n_epochs=n_epochs)
        return (model, losses)
        """),
            """
        def predict(model, X):
            model.eval()
            with torch.set_grad_enabled(False):
                y_pred = model(X)
            return y_pred
        """,
        ),
    ),
    (
        "detach_after_no_grad_model_zero_grad",
        cell(
            """
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            history = []
            for _ in range(n_epochs):
                y_pred = model(X)
                loss = criterion(y_pred, y)
                loss.backward()
                optimizer.step()
                model.zero_grad()
                history.append(loss.item())
            return history
        """,
            FIT_LINEAR,
            """
        def predict(model, X):
            with torch.no_grad():
                y_pred = model(X)
            return y_pred.detach()
        """,
        ),
    ),
]


def hidden_numbers(judge, inputs):
    import torch
    import torch.nn as nn

    model, losses = judge.reference_fit(inputs["fit_linear"][1])
    numbers = list(losses) + list(model.weight.detach().numpy().ravel())
    for run in inputs["train_bgd"]:
        model = judge._linear(run["model"])
        optimizer = torch.optim.SGD(model.parameters(), lr=run["lr"])
        numbers += judge.train_bgd(
            model, optimizer, nn.MSELoss(), judge._tensor(run["X"]), judge._tensor(run["y"]), run["n_epochs"]
        )
    for run in inputs["predict"]:
        with torch.no_grad():
            numbers += list(judge._linear(run["model"])(judge._tensor(run["X"])).numpy().ravel())
    return numbers


STOCK_TEST = """import numpy as np
model, losses = fit_linear(X_train_t, y_train_t)
assert np.allclose(losses[-1], 0.537429, rtol=1e-3)"""
