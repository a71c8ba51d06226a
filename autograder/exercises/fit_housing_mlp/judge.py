"""Exercise 11, `fit_housing_mlp`: the chapter's MLP trained in mini-batches on California housing."""

from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn

from ... import data
from ...judge import Fail, check, close, decode, encode, expect, expect_python_floats, glossary, loss_values, networks
from ...judge.trajectories import same_losses
from ..build_mlp.judge import build_mlp
from ..minibatch_training.judge import make_loader, train

DEVICE = "cpu"  # the reference runs on the CPU
TARGET_TEST_RMSE = 0.62

# --------------------------------------------------------------------------- the reference (the chapter's code)


def fit_housing_mlp(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    model = build_mlp(X_train.shape[1], [50, 40]).to(DEVICE)
    train_loader = make_loader(X_train, y_train, batch_size=128, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = train(model, optimizer, nn.MSELoss(), train_loader, n_epochs=10)
    return model, losses


REFERENCE = (fit_housing_mlp,)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def fit_housing_mlp(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    model = build_mlp(X_train.shape[1], [50, 40]).to(device)
    train_loader = make_loader(X_train, y_train, batch_size=128, shuffle=True)  # erro típico: sem seed=seed
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = train(model, optimizer, nn.MSELoss(), train_loader, n_epochs=10)
    return model, losses
"""


@lru_cache(maxsize=1)
def housing_run():
    X_train, _, y_train, _ = data.housing_standardized()
    return {"name": "housing", "X": encode(X_train), "y": encode(y_train), "seed": None}


def _synthetic(rng):
    """Hidden data with another number of features: a nonlinear target with noise."""
    n, k = int(rng.integers(200, 400)), int(rng.integers(3, 8))
    X = rng.standard_normal((n, k))
    y = 1.5 * np.tanh(X @ rng.uniform(-1, 1, size=(k, 1))) + 0.5 * X @ rng.uniform(-1, 1, size=(k, 1))
    y += 0.2 * rng.standard_normal((n, 1))
    seed = int(rng.integers(0, 100_000))
    return {"name": "hidden", "X": encode(X.astype(np.float32)), "y": encode(y.astype(np.float32)), "seed": seed}


def draw(rng):
    return {"runs": [housing_run(), _synthetic(rng)]}


def reference_fit(run):
    """(model, losses) of the reference on a run; the grader's global generator is left as it was."""
    X, y = torch.from_numpy(decode(run["X"])), torch.from_numpy(decode(run["y"]))
    with torch.random.fork_rng(devices=[]), networks.single_threaded():
        model, losses = fit_housing_mlp(X, y, **({} if run["seed"] is None else {"seed": run["seed"]}))
    return model, np.array(losses)


_housing_reference = lru_cache(maxsize=1)(lambda: reference_fit(housing_run()))


def _label(run):
    if run["name"] == "housing":
        return "fit_housing_mlp(X_train, y_train) nos dados de housing"
    n, k = run["X"]["shape"]
    return f"fit_housing_mlp em dados ocultos ({n} exemplos, {k} atributos, seed={run['seed']})"


def _fit(seen, run):
    """(label, model, losses description) of one fit_housing_mlp call."""
    label = _label(run)
    d = seen.result(f"fit_housing_mlp/{run['name']}", label)
    model, losses = seen.sequence(d, label, 2, glossary.not_model_and_losses(label))
    return label, seen.module(model, f"o modelo de {label}"), losses


def _expect_losses(seen, losses, expected, label, show_values):
    found = loss_values(seen, losses, label, 10)
    if close(found, expected, rtol=1e-3, atol=1e-6):
        return
    k = int(np.argmax(~np.isclose(found, expected, rtol=1e-3, atol=1e-6)))
    if show_values:
        raise Fail(glossary.epoch_loss_at(label, k + 1, found[k], expected[k]))
    raise Fail(glossary.fit_losses_differ(label, k + 1))


@check(0.5)
def check_fit_housing_mlp_architecture(seen, inputs):
    for run in inputs["runs"]:
        label, model, _ = _fit(seen, run)
        k = run["X"]["shape"][1]
        expect(model.type == "nn.Sequential", glossary.not_sequential(f"o modelo de {label}", model.type))
        found, expected = networks.layer_names(model), ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
        expect(found == expected, glossary.wrong_layers(f"o modelo de {label}", found, expected))
        shapes = [t.shape for _, t in model.named_parameters()]
        expect(
            shapes == [(50, k), (50,), (40, 50), (40,), (1, 40), (1,)],
            glossary.not_the_chapter_mlp(label, k),
        )
        for name, t in model.named_parameters():
            expect(
                t.dtype == "torch.float32", glossary.wrong_dtype(f"{label}: {name}", t.dtype, "torch.float32", "tem")
            )


@check(1.25, values=True)
def check_fit_housing_mlp_housing_trajectory(seen, inputs):
    run = inputs["runs"][0]
    label, _, losses = _fit(seen, run)
    _expect_losses(seen, losses, _housing_reference()[1], label, show_values=True)
    expect_python_floats(seen, losses, label)


@check(1.0, values=True)
def check_fit_housing_mlp_hidden_trajectory(seen, inputs):
    run = inputs["runs"][1]
    label, _, losses = _fit(seen, run)
    _expect_losses(seen, losses, reference_fit(run)[1], label, show_values=False)


@check(1.25, values=True)
def check_fit_housing_mlp_reaches_target_test_rmse(seen, inputs):
    label, model, _ = _fit(seen, inputs["runs"][0])
    _, X_test, _, y_test = data.housing_standardized()
    y_pred = networks.forward(model, X_test)
    expect(y_pred is not None and y_pred.shape == y_test.shape, glossary.test_rmse_not_computable(label))
    rmse = float(np.sqrt(np.mean((y_pred - y_test) ** 2)))
    expect(np.isfinite(rmse), glossary.training_diverged(label))
    expect(rmse <= TARGET_TEST_RMSE, glossary.above_target_rmse(label, rmse, TARGET_TEST_RMSE))


@check(0, gate=True)
def check_fit_housing_mlp_results_depend_on_inputs(seen, inputs):
    """Hard-coded losses (the housing run's, copied from a notebook run) earn nothing."""
    try:
        _, _, housing_losses = _fit(seen, inputs["runs"][0])
        _, _, hidden_losses = _fit(seen, inputs["runs"][1])
    except Fail:
        return
    expect(
        not same_losses(seen, hidden_losses, housing_losses),
        glossary.same_results_for_other_data(label="fit_housing_mlp"),
    )


CHECKS = [
    check_fit_housing_mlp_results_depend_on_inputs,
    check_fit_housing_mlp_architecture,
    check_fit_housing_mlp_housing_trajectory,
    check_fit_housing_mlp_hidden_trajectory,
    check_fit_housing_mlp_reaches_target_test_rmse,
]
