"""Exercise 13, `wide_and_deep`: a module of one's own with two inputs and two outputs (the chapter's
WideAndDeepV4), the weighted loss of both outputs, and its training on California housing."""

from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from ... import data
from ...judge import Fail, check, close, decode, encode, expect, expect_dtype, glossary, loss_values
from ...judge.models import (
    child,
    expect_layers,
    expect_loss_curve,
    expect_registered,
    load_parameters,
    parameters_in_order,
    single_threaded,
)

# --------------------------------------------------------------------------- the reference (the chapter's code)

device = "cpu"  # the grader's, and the sandbox's


class WideAndDeep(nn.Module):
    def __init__(self, n_wide, n_deep):
        super().__init__()
        self.deep_stack = nn.Sequential(
            nn.Linear(n_deep, 50),
            nn.ReLU(),
            nn.Linear(50, 40),
            nn.ReLU(),
            nn.Linear(40, 30),
            nn.ReLU(),
        )
        self.output_layer = nn.Linear(30 + n_wide, 1)
        self.aux_output_layer = nn.Linear(30, 1)

    def forward(self, X_wide, X_deep):
        deep_output = self.deep_stack(X_deep)
        wide_and_deep = torch.concat([X_wide, deep_output], dim=1)
        return self.output_layer(wide_and_deep), self.aux_output_layer(deep_output)


def multi_output_loss(criterion, y_pred, y_pred_aux, y_true, main_weight=0.8):
    return main_weight * criterion(y_pred, y_true) + (1 - main_weight) * criterion(y_pred_aux, y_true)


def fit_wide_and_deep(X_train, y_train, seed=42):
    X_wide, X_deep = X_train[:, :5], X_train[:, 2:]
    torch.manual_seed(seed)
    model = WideAndDeep(5, X_train.shape[1] - 2).to(device)
    train_loader = DataLoader(
        TensorDataset(X_wide, X_deep, y_train),
        batch_size=128,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    criterion = nn.MSELoss()
    model.train()
    losses = []
    for epoch in range(10):
        total_loss = 0.0
        for X_batch_wide, X_batch_deep, y_batch in train_loader:
            X_batch_wide, X_batch_deep, y_batch = X_batch_wide.to(device), X_batch_deep.to(device), y_batch.to(device)
            y_pred, y_pred_aux = model(X_batch_wide, X_batch_deep)
            loss = multi_output_loss(criterion, y_pred, y_pred_aux, y_batch)
            total_loss += loss.item()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        losses.append(total_loss / len(train_loader))
    return model, losses


REFERENCE = (WideAndDeep, multi_output_loss, fit_wide_and_deep)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """class WideAndDeep(nn.Module):
    def __init__(self, n_wide, n_deep):
        super().__init__()
        # erro típico: camadas em uma lista comum do Python, que o nn.Module não registra
        self.deep_layers = [nn.Linear(n_deep, 50), nn.Linear(50, 40), nn.Linear(40, 30)]
        self.output_layer = nn.Linear(30 + n_wide, 1)
        self.aux_output_layer = nn.Linear(30, 1)

    def forward(self, X_wide, X_deep):
        deep_output = X_deep
        for layer in self.deep_layers:
            deep_output = torch.relu(layer(deep_output))
        return self.output_layer(torch.concat([X_wide, deep_output], dim=1)), self.aux_output_layer(deep_output)


def multi_output_loss(criterion, y_pred, y_pred_aux, y_true, main_weight=0.8):
    return main_weight * criterion(y_pred, y_true) + (1 - main_weight) * criterion(y_pred_aux, y_true)


def fit_wide_and_deep(X_train, y_train, seed=42):
    X_wide, X_deep = X_train[:, :5], X_train[:, 2:]
    torch.manual_seed(seed)
    model = WideAndDeep(5, X_train.shape[1] - 2).to(device)
    train_loader = DataLoader(TensorDataset(X_wide, X_deep, y_train), batch_size=128, shuffle=True,
                              generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    criterion = nn.MSELoss()
    model.train()
    losses = []
    for epoch in range(10):
        total_loss = 0.0
        for X_batch_wide, X_batch_deep, y_batch in train_loader:
            y_pred, y_pred_aux = model(X_batch_wide, X_batch_deep)
            loss = multi_output_loss(criterion, y_pred, y_pred_aux, y_batch)
            total_loss += loss.item()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        losses.append(total_loss / len(train_loader))
    return model, losses
"""

TARGET_TEST_RMSE = 0.65
DEEP_LAYERS = ["nn.Linear", "nn.ReLU", "nn.Linear", "nn.ReLU", "nn.Linear", "nn.ReLU"]
HOUSING_ARCHITECTURE = "WideAndDeep(5, 6)"

# --------------------------------------------------------------------------- hidden inputs


@lru_cache(maxsize=1)
def housing_run():
    X_train, _, y_train, _ = data.housing_standardized()
    return {"name": "housing", "X": encode(X_train), "y": encode(y_train)}


def _normal(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def _model_run(rng, n_wide, n_deep):
    n = int(rng.integers(5, 12))
    X_wide, X_deep = _normal(rng, n, n_wide), _normal(rng, n, n_deep)
    return {
        "n_wide": n_wide,
        "n_deep": n_deep,
        "seed": int(rng.integers(0, 10_000)),
        "X_wide": encode(X_wide),
        "X_deep": encode(X_deep),
        "X_wide_moved": encode(X_wide + _normal(rng, n, n_wide)),
        "X_deep_moved": encode(X_deep + _normal(rng, n, n_deep)),
    }


def _loss_run(rng, criterion, main_weight=None):
    n = int(rng.integers(4, 20))
    run = {
        "criterion": criterion,
        "y_pred": encode(_normal(rng, n, 1)),
        "y_pred_aux": encode(_normal(rng, n, 1)),
        "y_true": encode(_normal(rng, n, 1)),
    }
    if main_weight is not None:
        run["main_weight"] = main_weight
    return run


def _synthetic_fit(rng):
    n, k = int(rng.integers(150, 300)), int(rng.integers(7, 11))
    X = rng.standard_normal((n, k))
    y = np.tanh(X @ rng.uniform(-1, 1, size=(k, 4))) @ rng.uniform(-2, 2, size=(4, 1)) + rng.uniform(-1, 3)
    y += 0.1 * rng.standard_normal((n, 1))
    return {
        "name": "hidden",
        "X": encode(X.astype(np.float32)),
        "y": encode(y.astype(np.float32)),
        "seed": int(rng.integers(0, 10_000)),
    }


def draw(rng):
    weight = lambda: float(round(rng.uniform(0.1, 0.9), 2))
    return {
        "model": [_model_run(rng, 5, 6), _model_run(rng, int(rng.integers(1, 7)), int(rng.integers(2, 10)))],
        "loss": [
            _loss_run(rng, {"name": "mse"}, weight()),
            _loss_run(rng, {"name": "l1"}),
            _loss_run(rng, {"name": "huber", "delta": float(round(rng.uniform(0.3, 1.5), 2))}, weight()),
        ],
        "fit": [housing_run(), _synthetic_fit(rng)],
    }


# --------------------------------------------------------------------------- what the reference computes


def _tensor(spec, requires_grad=False):
    return torch.from_numpy(decode(spec)).requires_grad_(requires_grad)


def reference_model(run):
    torch.manual_seed(run["seed"])
    return WideAndDeep(run["n_wide"], run["n_deep"])


def reference_outputs_and_gradients(run):
    """The reference's two outputs on (X_wide, X_deep), and its parameters' gradients of main.sum() + aux.sum()."""
    model = reference_model(run)
    main, aux = model(_tensor(run["X_wide"]), _tensor(run["X_deep"]))
    torch.autograd.backward((main.sum(), aux.sum()))
    return main.detach().numpy(), aux.detach().numpy(), [p.grad.numpy() for p in model.parameters()]


def _criterion(spec):
    if spec["name"] == "huber":
        return nn.HuberLoss(delta=spec["delta"])
    return {"mse": nn.MSELoss, "l1": nn.L1Loss}[spec["name"]]()


def reference_loss(run):
    kwargs = {"main_weight": run["main_weight"]} if "main_weight" in run else {}
    args = (_tensor(run["y_pred"]), _tensor(run["y_pred_aux"]), _tensor(run["y_true"]))
    return multi_output_loss(_criterion(run["criterion"]), *args, **kwargs).item()


@single_threaded
def reference_fit(run):
    kwargs = {"seed": run["seed"]} if "seed" in run else {}
    model, losses = fit_wide_and_deep(_tensor(run["X"]), _tensor(run["y"]), **kwargs)
    return model, np.array(losses)


_housing_reference = lru_cache(maxsize=1)(lambda: reference_fit(housing_run()))


def test_rmse(values):
    """The main output's RMSE on the housing test split, for WideAndDeep(5, 6) with these parameters."""
    _, X_test, _, y_test = data.housing_standardized()
    model = load_parameters(WideAndDeep(5, 6), values)
    X = torch.from_numpy(X_test)
    with torch.no_grad():
        y_pred, _ = model(X[:, :5], X[:, 2:])
    return float(np.sqrt(np.mean((y_pred.numpy().astype(np.float64) - y_test) ** 2)))


# --------------------------------------------------------------------------- what the student's code returned


def _model_label(run):
    return f"WideAndDeep({run['n_wide']}, {run['n_deep']})"


def _model(seen, i, run):
    label = _model_label(run)
    record = seen.raw(f"model/{i}", label)
    d = record.get("model") if type(record) is dict else None
    if type(d) is dict and d.get("kind") == "missing":
        raise Fail(glossary.undefined_class("WideAndDeep"))
    return label, seen.module(d, label)


def _call_label(run):
    n = run["X_wide"]["shape"][0]
    return f"{_model_label(run)}(X_wide, X_deep), com {n} linhas"


def _outputs(seen, i, run, field):
    """The two outputs of one call, as SeenTensors of shape (N, 1)."""
    _model(seen, i, run)
    label = _call_label(run)
    d = seen.result(f"model/{i}", label, field)
    items = seen.sequence(d, label, 2, glossary.not_a_pair(label, "(main_output, aux_output)"), kinds=("tuple",))
    n = run["X_wide"]["shape"][0]
    out = []
    for item, which in zip(items, ("principal", "auxiliar")):
        t = seen.tensor_from(item, f"a saída {which} de {label}")
        expect(t.shape == (n, 1), glossary.wrong_shape(f"a saída {which} de {label}", t.shape, (n, 1), verb="tem"))
        expect(t.values is not None, glossary.wrong_values(label, "dos da referência"))
        out.append(t)
    return label, out


def _fit_label(run):
    if run["name"] == "housing":
        return "fit_wide_and_deep(X_train_housing, y_train_housing)"
    n, k = run["X"]["shape"]
    return f"fit_wide_and_deep com dados que você não vê ({n} linhas, {k} colunas) e seed={run['seed']}"


def _fit(seen, run):
    label = _fit_label(run)
    d = seen.result(f"fit/{run['name']}", label)
    model, losses = seen.sequence(d, label, 2, glossary.not_a_pair(label, "(model, losses)"))
    return label, seen.module(model, label), losses


# --------------------------------------------------------------------------- the checks


@check(0.5)
def check_every_layer_registered(seen, inputs):
    for i, run in enumerate(inputs["model"]):
        label, model = _model(seen, i, run)
        expect_registered(model, reference_model(run), label)
        expect_layers(child(model, "deep_stack", label), DEEP_LAYERS, label, "self.deep_stack")
        for name in ("output_layer", "aux_output_layer"):
            layer = child(model, name, label)
            expect(
                layer.type == "nn.Linear",
                glossary.returned_instead(f"{label}: self.{name}", layer.type, "nn.Linear", "é"),
            )


@check(1.0, values=True)
def check_outputs_after_seed(seen, inputs):
    for i, run in enumerate(inputs["model"]):
        label, (main, aux) = _outputs(seen, i, run, "outputs")
        expected_main, expected_aux, _ = reference_outputs_and_gradients(run)
        for t, expected in ((main, expected_main), (aux, expected_aux)):
            expect_dtype(t, "torch.float32", label)
            expect(
                close(t.values, expected, rtol=1e-4, atol=1e-5), glossary.outputs_differ_after_seed(label, "as saídas")
            )


@check(0.5)
def check_main_uses_both_inputs_aux_only_deep(seen, inputs):
    for i, run in enumerate(inputs["model"]):
        label, (main, aux) = _outputs(seen, i, run, "outputs")
        _, (main_w, aux_w) = _outputs(seen, i, run, "wide_moved")
        _, (main_d, aux_d) = _outputs(seen, i, run, "deep_moved")
        expect(not close(main.values, main_w.values, 0, 0), glossary.main_output_ignores_wide(label))
        expect(close(aux.values, aux_w.values, 0, 0), glossary.aux_output_uses_wide(label))
        expect(not close(main.values, main_d.values, 0, 0), glossary.output_ignores_deep(label, "principal"))
        expect(not close(aux.values, aux_d.values, 0, 0), glossary.output_ignores_deep(label, "auxiliar"))


@check(0.5, values=True)
def check_gradients_reach_every_parameter(seen, inputs):
    for i, run in enumerate(inputs["model"]):
        _outputs(seen, i, run, "outputs")
        label = f"{_call_label(run)}, com main_output.sum() + aux_output.sum()"
        after = seen.module(seen.raw(f"model/{i}", label).get("after_backward"), label)
        expect_registered(after, reference_model(run), _model_label(run))
        _, _, expected = reference_outputs_and_gradients(run)
        for (name, p), g in zip(after.named_parameters(), expected):
            expect(p.grad is not None and p.grad.values is not None, glossary.no_gradient(label, name))
            expect(close(p.grad.values, g, rtol=1e-4, atol=1e-6), glossary.gradients_differ(label))


@check(0.75, values=True)
def check_multi_output_loss(seen, inputs):
    for i, run in enumerate(inputs["loss"]):
        criterion = {"mse": "nn.MSELoss()", "l1": "nn.L1Loss()", "huber": "nn.HuberLoss(delta=...)"}
        weight = f", main_weight={run['main_weight']}" if "main_weight" in run else ""
        label = f"multi_output_loss({criterion[run['criterion']['name']]}, y_pred, y_pred_aux, y_true{weight})"
        loss = seen.tensor(f"loss/{i}", label)
        expect(loss.shape == (), glossary.wrong_shape(label, loss.shape, ()))
        expect(loss.has_grad_fn, glossary.loss_not_in_graph(label))
        expect(
            loss.values is not None and close(loss.values, reference_loss(run), rtol=1e-5, atol=1e-6),
            glossary.wrong_weighted_loss(label),
        )


@check(1.0, values=True)
def check_fit_loss_curve(seen, inputs):
    for run in inputs["fit"]:
        label, _, losses = _fit(seen, run)
        found = loss_values(seen, losses, label, 10)
        public = run["name"] == "housing"
        expected = _housing_reference()[1] if public else reference_fit(run)[1]
        expect_loss_curve(found, expected, label, show_values=public)
        for item in losses["items"]:
            seen.python_float(item, f"cada perda de {label}")


@check(0.75, values=True)
def check_fit_reaches_target_rmse(seen, inputs):
    label, model, _ = _fit(seen, inputs["fit"][0])
    values = parameters_in_order(model, WideAndDeep(5, 6), label, HOUSING_ARCHITECTURE)
    found = test_rmse(values)
    expect(
        found <= TARGET_TEST_RMSE,
        glossary.above_target_of(label, "RMSE da saída principal no conjunto de teste", found, TARGET_TEST_RMSE),
    )


CHECKS = [
    check_every_layer_registered,
    check_outputs_after_seed,
    check_main_uses_both_inputs_aux_only_deep,
    check_gradients_reach_every_parameter,
    check_multi_output_loss,
    check_fit_loss_curve,
    check_fit_reaches_target_rmse,
]
