"""Exercise 6, `bgd_loop`: linear regression from scratch with batch gradient descent."""

from functools import lru_cache

import numpy as np
import torch

from ... import data
from ...judge import (
    Fail,
    check,
    decode,
    encode,
    expect,
    expect_dtype,
    expect_python_floats,
    expect_requires_grad,
    expect_shape,
    expect_trajectory,
    glossary,
    grad_is_reset,
    loss_values,
    matches,
    same_losses,
)
from ...judge.draws import synthetic_regression as _synthetic

# --------------------------------------------------------------------------- the reference (the chapter's code)


def train_linear_bgd(X, y, lr, n_epochs, seed=42, zero_grad=True, reduce="mean"):
    """`zero_grad=False`, `reduce="sum"` reproduce typical mistakes, to name them in feedback."""
    torch.manual_seed(seed)
    n_features = X.shape[1]
    w = torch.randn((n_features, 1), requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    losses = []
    for _ in range(n_epochs):
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean() if reduce == "mean" else ((y_pred - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
            if zero_grad:
                b.grad.zero_()
                w.grad.zero_()
        losses.append(loss.item())
    return w, b, losses


REFERENCE = (train_linear_bgd,)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def train_linear_bgd(X, y, lr, n_epochs, seed=42):
    torch.manual_seed(seed)
    w = torch.randn((X.shape[1], 1), requires_grad=True)
    b = torch.tensor(0., requires_grad=True)
    losses = []
    for epoch in range(n_epochs):
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        losses.append(loss)  # erros típicos: sem zerar os gradientes, perda guardada como tensor
    return w, b, losses
"""


TARGET_TRAIN_MSE = 0.60


@lru_cache(maxsize=1)
def housing_run():
    X_train, _, y_train, _ = data.housing_standardized()
    return {"name": "housing", "X": encode(X_train), "y": encode(y_train), "lr": 0.4, "n_epochs": 20, "seed": 42}


def draw(rng):
    return {"runs": [housing_run()] + [dict(_synthetic(rng), name=f"hidden{i}") for i in range(2)]}


def reference_run(run, **mistake):
    X, y = torch.from_numpy(decode(run["X"])), torch.from_numpy(decode(run["y"]))
    w, b, losses = train_linear_bgd(X, y, run["lr"], run["n_epochs"], seed=run["seed"], **mistake)
    return w.detach().numpy(), b.detach().numpy(), np.array(losses)


_housing_reference = lru_cache(maxsize=1)(lambda: reference_run(housing_run()))

# What to check when the loss curve differs, in this exercise's words.
FIRST_LOSS = "a inicialização (torch.manual_seed(seed), depois w e então b) e a perda MSE"
ZERO_GRADS = "w.grad.zero_() e b.grad.zero_()"
EPOCH_STEP = "a atualização de w e b com a taxa de aprendizado lr, dentro de torch.no_grad(), e o zerar dos gradientes"


def _expect_losses(seen, run, label, losses, show_values):
    """The loss curve equals the reference's; otherwise say where, and the typical mistake it matches."""
    found = loss_values(seen, losses, label, run["n_epochs"])
    expected = _housing_reference()[2] if run["name"] == "housing" else reference_run(run)[2]
    mistakes = [
        (lambda: reference_run(run, zero_grad=False)[2], glossary.gradients_accumulate(label, ZERO_GRADS)),
        (lambda: reference_run(run, reduce="sum")[2], glossary.loss_is_a_sum(label)),
    ]
    expect_trajectory(found, expected, label, show_values, first=FIRST_LOSS, step=EPOCH_STEP, mistakes=mistakes)


def _label(run):
    if run["name"] == "housing":
        return "train_linear_bgd nos dados de housing (lr=0.4, 20 épocas)"
    return f"train_linear_bgd em dados ocultos (lr={run['lr']}, {run['n_epochs']} épocas, seed={run['seed']})"


def _output(seen, run):
    """(label, w, b, losses description) of one run."""
    label = _label(run)
    d = seen.result(f"train_linear_bgd/{run['name']}", label, causes=glossary.update_errors("w e b"))
    w_d, b_d, losses = seen.sequence(d, label, 3, glossary.not_the_tuple(label, "(w, b, losses)"))
    w = seen.tensor_from(w_d, glossary.part_of(label, "w"))
    b = seen.tensor_from(b_d, glossary.part_of(label, "b"))
    return label, w, b, losses


@check(0.75)
def check_bgd_parameters_are_leaves(seen, inputs):
    for run in inputs["runs"]:
        label, w, b, _ = _output(seen, run)
        k = run["X"]["shape"][1]
        for name, t, shape in (("w", w, (k, 1)), ("b", b, ())):
            part = glossary.part_of(label, name)
            expect_shape(t, shape, part, verb="tem")
            expect_dtype(t, "torch.float32", part, verb="tem")
            expect_requires_grad(t, part, verb="tem")
            expect(t.is_leaf, glossary.not_a_leaf(part, "atualize dentro de torch.no_grad(), sem reatribuir"))


@check(0.5)
def check_bgd_gradients_reset(seen, inputs):
    for run in inputs["runs"]:
        label, w, b, _ = _output(seen, run)
        for name, t in (("w", w), ("b", b)):
            expect(grad_is_reset(t), glossary.grad_not_reset_each_epoch(label, name))


@check(0.5)
def check_bgd_losses_are_python_floats(seen, inputs):
    for run in inputs["runs"]:
        label, _, _, losses = _output(seen, run)
        loss_values(seen, losses, label, run["n_epochs"])
        expect_python_floats(seen, losses, label)


@check(1.25, values=True)
def check_bgd_housing_trajectory(seen, inputs):
    run = inputs["runs"][0]
    label, _, _, losses = _output(seen, run)
    _expect_losses(seen, run, label, losses, show_values=True)


@check(1.25, values=True)
def check_bgd_hidden_trajectory(seen, inputs):
    for run in inputs["runs"][1:]:
        label, w, b, losses = _output(seen, run)
        _expect_losses(seen, run, label, losses, show_values=False)
        ref_w, ref_b, _ = reference_run(run)
        expect(  # the numbers: their shapes are judged by check_bgd_parameters_are_leaves
            matches(w, ref_w, rtol=1e-3, atol=1e-5, ignore_shape=True)
            and matches(b, ref_b, rtol=1e-3, atol=1e-5, ignore_shape=True),
            glossary.final_parameters_differ(label),
        )


@check(0.75, values=True)
def check_bgd_housing_reaches_target_mse(seen, inputs):
    run = inputs["runs"][0]
    label, w, b, _ = _output(seen, run)
    X_train, _, y_train, _ = data.housing_standardized()
    expect(w.values is not None and b.values is not None, glossary.missing_values(label, "w e b"))
    k = run["X"]["shape"][1]
    # The numbers, as a column and a scalar (their shapes are judged apart); a w of another size cannot predict.
    expect(w.values.size == k, glossary.wrong_shape(glossary.part_of(label, "w"), w.shape, (k, 1), verb="tem"))
    expect(b.values.size == 1, glossary.wrong_shape(glossary.part_of(label, "b"), b.shape, (), verb="tem"))
    predictions = X_train.astype(np.float64) @ w.values.reshape(k, 1) + b.values.reshape(())
    mse = float(np.mean((predictions - y_train) ** 2))
    expect(mse <= TARGET_TRAIN_MSE, glossary.above_target(label, "MSE de treino", mse, TARGET_TRAIN_MSE))


@check(0, gate=True)
def check_bgd_results_depend_on_inputs(seen, inputs):
    """Hard-coded results (e.g. the housing run's, copied from a notebook run) earn nothing."""
    housing = inputs["runs"][0]
    try:
        _, _, _, housing_losses = _output(seen, housing)
    except Fail:
        return
    for run in inputs["runs"][1:]:
        try:
            _, w, _, losses = _output(seen, run)
        except Fail:
            continue
        k = run["X"]["shape"][1]
        housing_w = w.shape == (8, 1) and k != 8  # the housing run's w, whatever the data
        expect(
            not same_losses(seen, losses, housing_losses) and not housing_w,
            glossary.same_results("train_linear_bgd", "os mesmos resultados"),
        )


CHECKS = [
    check_bgd_results_depend_on_inputs,
    check_bgd_parameters_are_leaves,
    check_bgd_gradients_reset,
    check_bgd_losses_are_python_floats,
    check_bgd_housing_trajectory,
    check_bgd_hidden_trajectory,
    check_bgd_housing_reaches_target_mse,
]
