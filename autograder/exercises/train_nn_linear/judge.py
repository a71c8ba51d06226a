"""Exercise 7, `train_nn_linear`: train_bgd, fit_linear and predict with the high-level API."""

from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn

from ... import data
from ...judge import (
    Fail,
    check,
    decode,
    encode,
    expect,
    expect_dtype,
    expect_no_graph,
    expect_python_floats,
    expect_shape,
    expect_trajectory,
    expect_values,
    glossary,
    loss_values,
    matches,
    same_losses,
    shape_str,
)
from ...judge.draws import synthetic_regression as _synthetic

# --------------------------------------------------------------------------- the reference (the chapter's code)


def train_bgd(model, optimizer, criterion, X, y, n_epochs, zero_grad=True):
    """`zero_grad=False` reproduces the typical mistake, to name it in feedback."""
    losses = []
    for _ in range(n_epochs):
        y_pred = model(X)
        loss = criterion(y_pred, y)
        loss.backward()
        optimizer.step()
        if zero_grad:
            optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42, zero_grad=True):
    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = train_bgd(model, optimizer, nn.MSELoss(), X, y, n_epochs, zero_grad=zero_grad)
    return model, losses


REFERENCE = (train_bgd, fit_linear)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def train_bgd(model, optimizer, criterion, X, y, n_epochs):
    losses = []
    for epoch in range(n_epochs):
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses

def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):
    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, train_bgd(model, optimizer, nn.MSELoss(), X, y, n_epochs)

def predict(model, X):
    return model(X)  # erro típico: previsões ligadas ao grafo
"""


TARGET_TEST_MSE = 0.56


@lru_cache(maxsize=1)
def housing_run():
    X_train, _, y_train, _ = data.housing_standardized()
    return {"name": "housing", "X": encode(X_train), "y": encode(y_train)}


def _model_spec(rng, k):
    return {
        "in_features": k,
        "weight": encode(rng.uniform(-1, 1, size=(1, k)).astype(np.float32)),
        "bias": encode(rng.uniform(-1, 1, size=(1,)).astype(np.float32)),
    }


def draw(rng):
    fit_hidden = dict(_synthetic(rng), name="hidden")
    train_bgd = []
    for _ in range(2):
        run = _synthetic(rng)
        k = run["X"]["shape"][1]
        train_bgd.append(
            {"model": _model_spec(rng, k), "X": run["X"], "y": run["y"], "lr": run["lr"], "n_epochs": run["n_epochs"]}
        )
    n, k = int(rng.integers(5, 40)), int(rng.integers(2, 7))
    predict = [{"model": _model_spec(rng, k), "X": encode(rng.standard_normal((n, k)).astype(np.float32))}]
    return {"fit_linear": [housing_run(), fit_hidden], "train_bgd": train_bgd, "predict": predict}


def _tensor(spec):
    return torch.from_numpy(decode(spec))


def _linear(spec):
    model = nn.Linear(spec["in_features"], 1)
    with torch.no_grad():
        model.weight.copy_(_tensor(spec["weight"]))
        model.bias.copy_(_tensor(spec["bias"]))
    return model


def reference_fit(run, **mistake):
    kwargs = {k: run[k] for k in ("lr", "n_epochs", "seed") if k in run}
    model, losses = fit_linear(_tensor(run["X"]), _tensor(run["y"]), **kwargs, **mistake)
    return model, np.array(losses)


_housing_reference = lru_cache(maxsize=1)(lambda: reference_fit(housing_run()))

# What to check when a loss curve differs, in this exercise's words (the optimizer updates without no_grad).
FIT_FIRST_LOSS = "torch.manual_seed(seed) antes de criar o nn.Linear, e a perda nn.MSELoss()"
FIT_EPOCH_STEP = "o torch.optim.SGD com a taxa de aprendizado lr, o número de épocas n_epochs e o laço de train_bgd"
TRAIN_FIRST_LOSS = "a perda calculada com o criterion recebido, antes de optimizer.step()"
TRAIN_EPOCH_STEP = (
    "optimizer.step() depois de backward() e optimizer.zero_grad() a cada época, com o optimizer recebido"
)
ZERO_GRAD = "optimizer.zero_grad()"
FIT_ERRORS = {"RuntimeError": "as formas não combinam: crie nn.Linear(X.shape[1], 1), com o número de atributos de X"}


def _expect_fit_losses(seen, run, label, losses, show_values):
    found = loss_values(seen, losses, label, 20 if run["name"] == "housing" else run["n_epochs"])
    expected = (_housing_reference() if run["name"] == "housing" else reference_fit(run))[1]
    mistakes = [(lambda: reference_fit(run, zero_grad=False)[1], glossary.gradients_accumulate(label, ZERO_GRAD))]
    expect_trajectory(found, expected, label, show_values, first=FIT_FIRST_LOSS, step=FIT_EPOCH_STEP, mistakes=mistakes)


def _reference_train(run, **mistake):
    """train_bgd on a hidden run: (the trained model, its losses)."""
    model = _linear(run["model"])
    optimizer = torch.optim.SGD(model.parameters(), lr=run["lr"])
    X, y = _tensor(run["X"]), _tensor(run["y"])
    return model, np.array(train_bgd(model, optimizer, nn.MSELoss(), X, y, run["n_epochs"], **mistake))


def _fit_label(run):
    if run["name"] == "housing":
        return "fit_linear(X_train, y_train) nos dados de housing"
    return f"fit_linear em dados ocultos (lr={run['lr']}, n_epochs={run['n_epochs']}, seed={run['seed']})"


def _fit(seen, run):
    """(label, weight, bias, losses description) of one fit_linear call."""
    label = _fit_label(run)
    d = seen.result(f"fit_linear/{run['name']}", label, causes=FIT_ERRORS)
    model, losses = seen.sequence(d, label, 2, glossary.not_the_tuple(label, "(model, losses)"))
    model = seen.module(model, glossary.part_of(label, "model"), exact="nn.Linear")
    expect(model.parameter("bias") is not None, glossary.without_bias(label))
    return label, model.parameter("weight"), model.parameter("bias"), losses


@check(0.5)
def check_fit_linear_returns_linear_8_1(seen, inputs):
    run = inputs["fit_linear"][0]
    label, weight, bias, _ = _fit(seen, run)
    expect_shape(
        weight, (1, 8), glossary.part_of(label, "weight"), verb="tem", expected_text="(1, 8) (nn.Linear(8, 1))"
    )
    expect_shape(bias, (1,), glossary.part_of(label, "bias"), verb="tem")
    for name, t in (("weight", weight), ("bias", bias)):
        expect_dtype(t, "torch.float32", glossary.part_of(label, name), verb="tem")


@check(1.0, values=True)
def check_fit_linear_housing_trajectory(seen, inputs):
    run = inputs["fit_linear"][0]
    label, _, _, losses = _fit(seen, run)
    _expect_fit_losses(seen, run, label, losses, show_values=True)
    expect_python_floats(seen, losses, label)


@check(0.75, values=True)
def check_fit_linear_reaches_target_test_mse(seen, inputs):
    label, weight, bias, _ = _fit(seen, inputs["fit_linear"][0])
    _, X_test, _, y_test = data.housing_standardized()
    expect(
        weight.values is not None and weight.shape == (1, 8) and bias.values is not None and bias.shape == (1,),
        glossary.parameters_missing(label),
    )
    mse = float(np.mean((X_test.astype(np.float64) @ weight.values.T + bias.values - y_test) ** 2))
    expect(mse <= TARGET_TEST_MSE, glossary.above_target(label, "MSE no conjunto de teste", mse, TARGET_TEST_MSE, None))


@check(0.5, values=True)
def check_fit_linear_uses_its_arguments(seen, inputs):
    run = inputs["fit_linear"][1]
    label, _, _, losses = _fit(seen, run)
    _expect_fit_losses(seen, run, label, losses, show_values=False)


@check(1.5, values=True)
def check_train_bgd_follows_reference(seen, inputs):
    for i, run in enumerate(inputs["train_bgd"]):
        label = f"train_bgd com um modelo, otimizador (lr={run['lr']}) e dados ocultos, {run['n_epochs']} épocas"
        losses = seen.result(f"train_bgd/{i}", label, "losses")
        model, expected = _reference_train(run)
        mistakes = [
            (lambda: _reference_train(run, zero_grad=False)[1], glossary.gradients_accumulate(label, ZERO_GRAD))
        ]
        expect_trajectory(
            loss_values(seen, losses, label, run["n_epochs"]),
            expected,
            label,
            show_values=False,
            first=TRAIN_FIRST_LOSS,
            step=TRAIN_EPOCH_STEP,
            mistakes=mistakes,
        )
        expect_python_floats(seen, losses, label)
        final = seen.module(seen.result(f"train_bgd/{i}", label, "model"), label)
        expect(
            matches(final.parameter("weight"), model.weight.detach().numpy(), rtol=1e-3, atol=1e-5),
            glossary.final_weights_differ(label),
        )


@check(0.75, values=True)
def check_predict_without_graph(seen, inputs):
    for i, run in enumerate(inputs["predict"]):
        label = f"predict(model, X) com X de forma {shape_str(run['X']['shape'])}"
        t = seen.tensor(f"predict/{i}", label, "result")
        expect_shape(t, (run["X"]["shape"][0], 1), label)
        expect_no_graph(t, label)
        with torch.no_grad():
            expected = _linear(run["model"])(_tensor(run["X"])).numpy()
        expect_values(t, expected, label, "de model(X)")
        expect(seen.flag(f"predict/{i}", "model_unchanged", label), glossary.model_changed(label))


@check(0, gate=True)
def check_fit_linear_results_depend_on_inputs(seen, inputs):
    """Hard-coded losses (the housing run's, copied from a notebook run) earn nothing."""
    try:
        _, _, _, housing_losses = _fit(seen, inputs["fit_linear"][0])
        _, _, _, hidden_losses = _fit(seen, inputs["fit_linear"][1])
    except Fail:
        return
    expect(
        not same_losses(seen, hidden_losses, housing_losses), glossary.same_results("fit_linear", "as mesmas perdas")
    )


CHECKS = [
    check_fit_linear_results_depend_on_inputs,
    check_fit_linear_returns_linear_8_1,
    check_fit_linear_housing_trajectory,
    check_fit_linear_reaches_target_test_mse,
    check_fit_linear_uses_its_arguments,
    check_train_bgd_follows_reference,
    check_predict_without_graph,
]
