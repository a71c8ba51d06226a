"""Test cases of `fit_housing_mlp`: wrong answers each check must catch, correct ones that must pass, and more.

- WRONG: (name, code, checks): every check named must fail and the score stay
  below the maximum; "*" stands for every check that carries points (then the
  score must be exactly 0, as when a gate fails).
- CORRECT: (name, code): alternatives a good student might write; full marks.
- hidden_numbers(judge, inputs): what the judge expects on hidden inputs (the
  feedback must never show these).
- STOCK_TEST: the plain asserts a stock nbgrader course would hide in the test
  cell (the baseline of `make bench` and `make security-report`).
"""

from .common import ALL, ALWAYS_EQUAL
from .mlp_common import FIT_HOUSING_MLP, fit_cell

# The reference's losses on housing, as a notebook run prints them (what a student could copy).
HOUSING_LOSSES = [0.61778, 0.451762, 0.411267, 0.389249, 0.369538, 0.361576, 0.353234, 0.357101, 0.353575, 0.343542]

TRAJECTORIES = {"check_fit_housing_mlp_housing_trajectory", "check_fit_housing_mlp_hidden_trajectory"}


def _fit(old, new):
    """The reference fit_housing_mlp with one part changed."""
    assert old in FIT_HOUSING_MLP, old
    return FIT_HOUSING_MLP.replace(old, new)


WRONG = [
    (
        "loader_without_seed",
        fit_cell(_fit("shuffle=True, seed=seed)", "shuffle=True)")),
        TRAJECTORIES,
    ),
    (
        "seed_after_the_model",
        fit_cell(
            _fit(
                "    torch.manual_seed(seed)\n    model = build_mlp(X_train.shape[1], [50, 40]).to(device)\n",
                "    model = build_mlp(X_train.shape[1], [50, 40]).to(device)\n    torch.manual_seed(seed)\n",
            )
        ),
        TRAJECTORIES,
    ),
    (
        "ignores_the_seed_argument",
        fit_cell(_fit("torch.manual_seed(seed)", "torch.manual_seed(42)").replace("seed=seed)", "seed=42)")),
        {"check_fit_housing_mlp_hidden_trajectory"},
    ),
    (
        "other_learning_rate",
        fit_cell(_fit("lr=0.1", "lr=0.05")),
        TRAJECTORIES,
    ),
    (
        "adam",
        fit_cell(_fit("torch.optim.SGD(model.parameters(), lr=0.1)", "torch.optim.Adam(model.parameters(), lr=0.001)")),
        TRAJECTORIES,
    ),
    (
        "batches_of_32",
        fit_cell(_fit("batch_size=128", "batch_size=32")),
        TRAJECTORIES,
    ),
    (
        "eight_features_always",
        fit_cell(_fit("build_mlp(X_train.shape[1], [50, 40])", "build_mlp(8, [50, 40])")),
        {"check_fit_housing_mlp_architecture", "check_fit_housing_mlp_hidden_trajectory"},
    ),
    (
        "wider_network",
        fit_cell(_fit("[50, 40]", "[100, 50]")),
        {"check_fit_housing_mlp_architecture", *TRAJECTORIES},
    ),
    (
        "no_training",
        fit_cell(_fit("    losses = train(", "    losses = [0.0] * 10 or train(")),
        {
            *TRAJECTORIES,
            "check_fit_housing_mlp_reaches_target_test_rmse",
            "check_fit_housing_mlp_results_depend_on_inputs",
        },
    ),
    (
        "hardcoded_housing_losses",
        fit_cell(
            f"""
        def fit_housing_mlp(X_train, y_train, seed=42):
            torch.manual_seed(seed)
            model = build_mlp(X_train.shape[1], [50, 40])
            return model, {HOUSING_LOSSES!r}
        """
        ),
        {
            "check_fit_housing_mlp_results_depend_on_inputs",
            "check_fit_housing_mlp_hidden_trajectory",
            "check_fit_housing_mlp_reaches_target_test_rmse",
        },
    ),
    (
        "always_equal_objects",
        fit_cell(
            ALWAYS_EQUAL,
            """
        def fit_housing_mlp(X_train, y_train, seed=42):
            return AlwaysEqual(), [AlwaysEqual()] * 10
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        fit_cell("""
        def fit_housing_mlp(X_train, y_train, seed=42):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", fit_cell(FIT_HOUSING_MLP)),
    (
        "named_steps_positional_arguments",
        fit_cell("""
        def fit_housing_mlp(X_train, y_train, seed=42):
            torch.manual_seed(seed)
            n_features = X_train.shape[1]
            model = build_mlp(n_features, [50, 40])
            model = model.to(device)
            train_loader = make_loader(X_train, y_train, 128, True, seed)
            optimizer = torch.optim.SGD(params=model.parameters(), lr=0.1)
            criterion = nn.MSELoss()
            losses = train(model, optimizer, criterion, train_loader, 10)
            return (model, losses)
        """),
    ),
]


def hidden_numbers(judge, inputs):
    return list(judge.reference_fit(inputs["runs"][1])[1])


STOCK_TEST = """import numpy as np
model, losses = fit_housing_mlp(X_train, y_train)
expected = [0.6178, 0.4518, 0.4113, 0.3892, 0.3695, 0.3616, 0.3532, 0.3571, 0.3536, 0.3435]
assert np.allclose(losses, expected, rtol=1e-3)"""
