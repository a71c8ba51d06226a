"""Exercise 10, `evaluate`: the chapter's evaluate, and the RMSE over every sample of a loader."""

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from ...judge import Fail, check, close, decode, encode, expect, glossary, networks

DEVICE = "cpu"  # the reference runs on the CPU

# --------------------------------------------------------------------------- the reference (the chapter's code)


def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
    model.eval()
    metrics = []
    with torch.no_grad():
        for X_batch, y_batch in data_loader:
            X_batch, y_batch = X_batch.to(DEVICE), y_batch.to(DEVICE)
            y_pred = model(X_batch)
            metric = metric_fn(y_pred, y_batch)
            metrics.append(metric)
    return aggregate_fn(torch.stack(metrics))


def dataset_rmse(model, data_loader):
    sum_of_squares = evaluate(model, data_loader, lambda y_pred, y: ((y_pred - y) ** 2).sum(), torch.sum)
    return (sum_of_squares / len(data_loader.dataset)).sqrt().item()


REFERENCE = (evaluate, dataset_rmse)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
    model.eval()
    metrics = []
    with torch.no_grad():
        for X_batch, y_batch in data_loader:
            X_batch, y_batch = X_batch.to(device), y_batch.to(device)
            y_pred = model(X_batch)
            metrics.append(metric_fn(y_pred, y_batch))
    return aggregate_fn(torch.stack(metrics))


def dataset_rmse(model, data_loader):
    def rmse(y_pred, y_true):
        return ((y_pred - y_true) ** 2).mean().sqrt()
    return evaluate(model, data_loader, rmse).item()  # erro típico: a média dos RMSEs dos lotes
"""

# The metric and aggregate functions the probe hands to evaluate (the probe's own, in the student's process).
METRICS = {
    "max_abs": lambda y_pred, y_true: (y_pred - y_true).abs().amax(),
    "mean_error": lambda y_pred, y_true: (y_pred - y_true).mean(),
    "mse": nn.MSELoss(),
}
AGGREGATES = {"each_batch": lambda metrics: metrics, "largest": lambda metrics: metrics.amax()}
METRIC_NAMES = {
    "max_abs": "metric_fn = maior erro absoluto",
    "mean_error": "metric_fn = erro médio (com sinal)",
    "mse": "metric_fn = nn.MSELoss()",
}
AGGREGATE_NAMES = {
    None: "aggregate_fn padrão",
    "each_batch": "aggregate_fn = identidade",
    "largest": "aggregate_fn = máximo",
}


def _loader(X, y, batch_size):
    return {"X": encode(X), "y": encode(y), "batch_size": batch_size, "shuffle": False, "seed": None}


def _samples(rng, k, low, high, batch_size):
    n = int(rng.integers(low, high))
    n = n + 1 if n % batch_size == 0 else n  # a smaller last batch
    return rng.standard_normal((n, k)).astype(np.float32), rng.standard_normal((n, 1)).astype(np.float32)


def _model(rng, k, dropout=None):
    return networks.draw_mlp(rng, [k, int(rng.integers(6, 17)), 1], dropout)


def _rmse_run(rng):
    """A loader whose last batch is smaller and holds the largest errors: averaging batches misses the RMSE."""
    k, batch_size = int(rng.integers(2, 6)), int(rng.integers(6, 11))
    full, rest = batch_size * int(rng.integers(3, 6)), int(rng.integers(1, batch_size // 2 + 1))
    X = rng.standard_normal((full + rest, k)).astype(np.float32)
    y = 0.5 * rng.standard_normal((full + rest, 1))
    y[full:] += rng.choice([-1, 1], size=(rest, 1)) * rng.uniform(3, 5, size=(rest, 1))
    return {"model": _model(rng, k), "loader": _loader(X, y.astype(np.float32), batch_size)}


def draw(rng):
    runs = []
    for metric, aggregate in (("max_abs", "each_batch"), ("mse", None), ("mean_error", "largest")):
        k, batch_size = int(rng.integers(2, 6)), int(rng.integers(4, 9))
        X, y = _samples(rng, k, 20, 50, batch_size)
        runs.append(
            {"model": _model(rng, k), "loader": _loader(X, y, batch_size), "metric": metric, "aggregate": aggregate}
        )
    k, batch_size = int(rng.integers(2, 6)), int(rng.integers(4, 9))
    X, y = _samples(rng, k, 20, 50, batch_size)
    dropout = {"model": _model(rng, k, dropout=0.5), "loader": _loader(X, y, batch_size)}
    return {"evaluate": runs, "dataset_rmse": [_rmse_run(rng), _rmse_run(rng)], "dropout": dropout}


def _loader_of(spec):
    X, y = torch.from_numpy(decode(spec["X"])), torch.from_numpy(decode(spec["y"]))
    return DataLoader(TensorDataset(X, y), batch_size=spec["batch_size"])


def reference_evaluate(run, metric="mse", aggregate="each_batch"):
    kwargs = {} if aggregate is None else {"aggregate_fn": AGGREGATES[aggregate]}
    return evaluate(networks.build(run["model"]), _loader_of(run["loader"]), METRICS[metric], **kwargs).numpy()


def reference_rmse(run):
    return dataset_rmse(networks.build(run["model"]), _loader_of(run["loader"]))


def _batch_errors(run):
    """The squared errors of each batch, in float64 (for naming the usual wrong averages)."""
    model = networks.build(run["model"]).eval()
    with torch.no_grad():
        return [((model(X) - y).double() ** 2).numpy().ravel() for X, y in _loader_of(run["loader"])]


def _about(run):
    loader = run["loader"]
    return f"um carregador de {loader['X']['shape'][0]} exemplos em lotes de {loader['batch_size']}"


def _evaluate_label(run):
    metric, aggregate = METRIC_NAMES[run["metric"]], AGGREGATE_NAMES[run["aggregate"]]
    return f"evaluate com um modelo oculto, {_about(run)}, {metric} e {aggregate}"


def _rmse_label(run):
    return f"dataset_rmse com um modelo oculto e {_about(run)}"


def _evaluate_result(seen, key, label):
    return seen.tensor(key, label, "result")


def _rmse_value(seen, key, label):
    """The number dataset_rmse returned (a Python float, or a one-element tensor: its type is judged apart)."""
    d = seen.result(key, label, "result")
    if d["kind"] == "tensor":
        t = seen.tensor(key, label, "result")
        expect(t.values is not None and t.values.size == 1, glossary.not_python_float(label, "tensor"))
        return float(t.values.reshape(-1)[0])
    return seen.python_float(d, label)


@check(0.75, values=True)
def check_evaluate_uses_given_functions(seen, inputs):
    for i, run in enumerate(inputs["evaluate"]):
        label = _evaluate_label(run)
        result = _evaluate_result(seen, f"evaluate/{i}", label)
        expected = reference_evaluate(run, run["metric"], run["aggregate"])
        expect(result.shape == expected.shape, glossary.wrong_shape(label, result.shape, expected.shape))
        expect(
            result.values is not None and close(result.values, expected, rtol=1e-4, atol=1e-6),
            glossary.evaluate_values_differ(label),
        )


def _dropout_label(name, run):
    return f"{name} com um modelo com nn.Dropout em modo de treino e {_about(run)}"


def _control_label(name):
    return f"{name} com o mesmo modelo em modo de avaliação"


@check(0.5)
def check_evaluate_in_eval_mode_without_graph(seen, inputs):
    """A model handed over in training mode gives what it gives in evaluation mode; no graph; parameters stay."""
    run = inputs["dropout"]
    label = _dropout_label("evaluate", run)
    found = _evaluate_result(seen, "dropout/evaluate/train", label)
    control = _evaluate_result(seen, "dropout/evaluate/eval", _control_label("evaluate"))
    expect(
        found.values is not None and control.values is not None and close(found.values, control.values, 1e-6, 1e-7),
        glossary.not_in_eval_mode(label),
    )
    for i, run in enumerate(inputs["evaluate"]):
        label = _evaluate_label(run)
        result = _evaluate_result(seen, f"evaluate/{i}", label)
        expect(not result.has_grad_fn and not result.requires_grad, glossary.attached_to_graph(label))
        expect(seen.flag(f"evaluate/{i}", "model_unchanged", label), glossary.evaluation_changed_model(label))


@check(0.5)
def check_dataset_rmse_in_eval_mode(seen, inputs):
    """A model handed over in training mode gives what it gives in evaluation mode; parameters stay."""
    run = inputs["dropout"]
    label = _dropout_label("dataset_rmse", run)
    found = _rmse_value(seen, "dropout/dataset_rmse/train", label)
    control = _rmse_value(seen, "dropout/dataset_rmse/eval", _control_label("dataset_rmse"))
    expect(close(found, control, rtol=1e-6, atol=1e-7), glossary.not_in_eval_mode(label))
    for i, run in enumerate(inputs["dataset_rmse"]):
        label = _rmse_label(run)
        _rmse_value(seen, f"dataset_rmse/{i}", label)
        expect(seen.flag(f"dataset_rmse/{i}", "model_unchanged", label), glossary.evaluation_changed_model(label))


@check(1.0, values=True)
def check_dataset_rmse_over_all_samples(seen, inputs):
    for i, run in enumerate(inputs["dataset_rmse"]):
        label = _rmse_label(run)
        found = _rmse_value(seen, f"dataset_rmse/{i}", label)
        if close(found, reference_rmse(run), rtol=1e-4, atol=1e-6):
            continue
        errors = _batch_errors(run)
        if close(found, np.mean([np.sqrt(e.mean()) for e in errors]), rtol=1e-4, atol=1e-6):
            raise Fail(glossary.mean_of_batch_rmses(label))
        if close(found, np.sqrt(np.mean([e.mean() for e in errors])), rtol=1e-4, atol=1e-6):
            raise Fail(glossary.unweighted_batch_mean(label))
        raise Fail(glossary.not_dataset_rmse(label))


@check(0.25)
def check_dataset_rmse_returns_python_float(seen, inputs):
    for i, run in enumerate(inputs["dataset_rmse"]):
        label = _rmse_label(run)
        seen.python_float(seen.result(f"dataset_rmse/{i}", label, "result"), label)


CHECKS = [
    check_evaluate_uses_given_functions,
    check_evaluate_in_eval_mode_without_graph,
    check_dataset_rmse_over_all_samples,
    check_dataset_rmse_in_eval_mode,
    check_dataset_rmse_returns_python_float,
]
