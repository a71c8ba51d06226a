"""Test cases of `evaluate`: wrong answers each check must catch, correct ones that must pass, and more.

- WRONG: (name, code, checks): every check named must fail and the score stay
  below the maximum; "*" stands for every check that carries points (then the
  score must be exactly 0, as when a gate fails).
- CORRECT: (name, code): alternatives a good student might write; full marks.
- hidden_numbers(judge, inputs): what the judge expects on hidden inputs (the
  feedback must never show these).
- STOCK_TEST: the plain asserts a stock nbgrader course would hide in the test
  cell (the baseline of `make bench` and `make security-report`).
"""

from textwrap import dedent

from .common import ALL, ALWAYS_EQUAL
from .mlp_common import DATASET_RMSE, EVALUATE, mlp_cell


def _evaluate(old, new):
    """The reference evaluate with one part changed."""
    assert old in EVALUATE, old
    return EVALUATE.replace(old, new)


def _rmse(body):
    """dataset_rmse() with the given body (after the signature)."""
    return "def dataset_rmse(model, data_loader):\n" + "".join(
        "    " + line + "\n" for line in dedent(body).strip().splitlines()
    )


WRONG = [
    (
        "evaluate_without_eval",
        mlp_cell(_evaluate("    model.eval()\n", ""), DATASET_RMSE),
        {"check_evaluate_in_eval_mode_without_graph", "check_dataset_rmse_in_eval_mode"},
    ),
    (
        "evaluate_without_no_grad",
        mlp_cell(
            """
        def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
            model.eval()
            metrics = []
            for X_batch, y_batch in data_loader:
                X_batch, y_batch = X_batch.to(device), y_batch.to(device)
                metrics.append(metric_fn(model(X_batch), y_batch))
            return aggregate_fn(torch.stack(metrics))
        """,
            DATASET_RMSE.replace(".sqrt().item()", ".sqrt().item()  # float: no graph left"),
        ),
        {"check_evaluate_in_eval_mode_without_graph"},
    ),
    (
        "evaluate_ignores_aggregate_fn",
        mlp_cell(
            _evaluate("return aggregate_fn(torch.stack(metrics))", "return torch.stack(metrics).mean()"),
            _rmse("""
        squares = evaluate(model, data_loader, lambda y_pred, y: ((y_pred - y) ** 2).sum())
        return (squares * len(data_loader) / len(data_loader.dataset)).sqrt().item()
        """),
        ),
        {"check_evaluate_uses_given_functions"},
    ),
    (
        "evaluate_always_mse",
        mlp_cell(_evaluate("metric_fn(y_pred, y_batch)", "nn.functional.mse_loss(y_pred, y_batch)"), DATASET_RMSE),
        {"check_evaluate_uses_given_functions", "check_dataset_rmse_over_all_samples"},
    ),
    (
        "evaluate_swaps_metric_arguments",
        mlp_cell(_evaluate("metric_fn(y_pred, y_batch)", "metric_fn(y_batch, y_pred)"), DATASET_RMSE),
        {"check_evaluate_uses_given_functions"},
    ),
    (
        "evaluate_one_metric_for_the_whole_set",
        mlp_cell(
            """
        def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
            model.eval()
            with torch.no_grad():
                y_pred = torch.cat([model(X_batch.to(device)) for X_batch, _ in data_loader])
                y_true = torch.cat([y_batch.to(device) for _, y_batch in data_loader])
                return aggregate_fn(torch.stack([metric_fn(y_pred, y_true)]))
        """,
            DATASET_RMSE,
        ),
        {"check_evaluate_uses_given_functions"},
    ),
    (
        "evaluate_updates_the_model",
        mlp_cell(
            _evaluate(
                "            metrics.append(metric_fn(y_pred, y_batch))\n",
                "            metrics.append(metric_fn(y_pred, y_batch))\n"
                "            for p in model.parameters():\n"
                "                p.mul_(0.99)\n",
            ),
            DATASET_RMSE,
        ),
        {"check_evaluate_in_eval_mode_without_graph", "check_dataset_rmse_in_eval_mode"},
    ),
    (
        "dataset_rmse_mean_of_batch_rmses",
        mlp_cell(
            EVALUATE,
            _rmse("""
        return evaluate(model, data_loader, lambda y_pred, y: ((y_pred - y) ** 2).mean().sqrt()).item()
        """),
        ),
        {"check_dataset_rmse_over_all_samples"},
    ),
    (
        "dataset_rmse_sqrt_of_mean_batch_mse",
        mlp_cell(EVALUATE, _rmse("return evaluate(model, data_loader, nn.MSELoss()).sqrt().item()")),
        {"check_dataset_rmse_over_all_samples"},
    ),
    (
        "dataset_rmse_without_sqrt",
        mlp_cell(EVALUATE, DATASET_RMSE.replace(".sqrt().item()", ".item()")),
        {"check_dataset_rmse_over_all_samples"},
    ),
    (
        "dataset_rmse_returns_a_tensor",
        mlp_cell(EVALUATE, DATASET_RMSE.replace(".sqrt().item()", ".sqrt()")),
        {"check_dataset_rmse_returns_python_float"},
    ),
    (
        "dataset_rmse_by_hand_in_training_mode",
        mlp_cell(
            EVALUATE,
            _rmse("""
        squares, count = 0.0, 0
        with torch.no_grad():
            for X_batch, y_batch in data_loader:
                squares += ((model(X_batch) - y_batch) ** 2).sum().item()
                count += len(y_batch)
        return (squares / count) ** 0.5
        """),
        ),
        {"check_dataset_rmse_in_eval_mode"},
    ),
    (
        "always_equal_objects",
        mlp_cell(
            ALWAYS_EQUAL,
            """
        def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
            return AlwaysEqual()
        def dataset_rmse(model, data_loader):
            return AlwaysEqual()
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        mlp_cell("""
        def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
            raise NotImplementedError()
        def dataset_rmse(model, data_loader):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", mlp_cell(EVALUATE, DATASET_RMSE)),
    (
        "inference_mode_sum_reduction",
        mlp_cell(
            """
        def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
            model.eval()
            with torch.inference_mode():
                metrics = [metric_fn(model(X.to(device)), y.to(device)) for X, y in data_loader]
            return aggregate_fn(torch.stack(metrics))
        """,
            _rmse("""
        squared_errors = lambda y_pred, y: nn.functional.mse_loss(y_pred, y, reduction="sum")
        sse = evaluate(model, data_loader, squared_errors, torch.sum)
        return float(torch.sqrt(sse / len(data_loader.dataset)))
        """),
        ),
    ),
    (
        "decorator_and_batch_weighted_mse",
        mlp_cell(
            """
        @torch.no_grad()
        def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
            model.eval()
            metrics = []
            for X_batch, y_batch in data_loader:
                y_pred = model(X_batch.to(device))
                metrics.append(metric_fn(y_pred, y_batch.to(device)))
            return aggregate_fn(torch.stack(metrics))
        """,
            _rmse("""
        import math
        weighted = evaluate(model, data_loader, lambda y_pred, y: nn.MSELoss()(y_pred, y) * len(y), torch.sum)
        return math.sqrt(weighted.item() / len(data_loader.dataset))
        """),
        ),
    ),
    (
        "rmse_from_all_predictions",
        mlp_cell(
            EVALUATE,
            _rmse("""
        model.eval()
        with torch.no_grad():
            errors = torch.cat([model(X.to(device)) - y.to(device) for X, y in data_loader])
        return errors.pow(2).mean().sqrt().item()
        """),
        ),
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for run in inputs["evaluate"]:
        numbers += list(judge.reference_evaluate(run, run["metric"], run["aggregate"]).ravel())
    for run in inputs["dataset_rmse"]:
        numbers.append(judge.reference_rmse(run))
    numbers += list(judge.reference_evaluate(inputs["dropout"]).ravel()) + [judge.reference_rmse(inputs["dropout"])]
    return numbers


STOCK_TEST = """import torch
from torch.utils.data import DataLoader, TensorDataset
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
X, y = torch.randn(10, 3), torch.randn(10, 1)
loader = DataLoader(TensorDataset(X, y), batch_size=4)
mse = evaluate(model, loader, torch.nn.MSELoss())
assert mse.shape == () and mse.grad_fn is None
with torch.no_grad():
    expected = ((model(X) - y) ** 2).mean().sqrt().item()
assert abs(dataset_rmse(model, loader) - expected) < 1e-5"""
