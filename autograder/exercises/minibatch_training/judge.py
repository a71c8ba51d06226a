"""Exercise 9, `minibatch_training`: make_loader (a reproducible DataLoader) and the chapter's mini-batch loop."""

import json
from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from ...judge import (
    Fail,
    check,
    close,
    decode,
    encode,
    expect,
    expect_python_floats,
    glossary,
    loss_values,
    networks,
)
from ...judge.errors import Malformed

DEVICE = "cpu"  # the reference runs on the CPU

# --------------------------------------------------------------------------- the reference (the chapter's code)


def make_loader(X, y, batch_size=32, shuffle=False, seed=None):
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator)


def train(model, optimizer, criterion, train_loader, n_epochs):
    model.train()
    return _epoch_losses(model, optimizer, criterion, train_loader, n_epochs)


def _epoch_losses(model, optimizer, criterion, train_loader, n_epochs):
    losses = []
    for epoch in range(n_epochs):
        total_loss = 0.0
        for X_batch, y_batch in train_loader:
            X_batch, y_batch = X_batch.to(DEVICE), y_batch.to(DEVICE)
            y_pred = model(X_batch)
            loss = criterion(y_pred, y_batch)
            total_loss += loss.item()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        losses.append(total_loss / len(train_loader))
    return losses


REFERENCE = (make_loader, train)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def make_loader(X, y, batch_size=32, shuffle=False, seed=None):
    if seed is not None:
        torch.manual_seed(seed)  # erro típico: mexe no gerador global em vez de dar um gerador ao DataLoader
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle)


def train(model, optimizer, criterion, train_loader, n_epochs):
    model.train()
    losses = []
    for epoch in range(n_epochs):
        total_loss = 0.0
        for X_batch, y_batch in train_loader:
            X_batch, y_batch = X_batch.to(device), y_batch.to(device)
            y_pred = model(X_batch)
            loss = criterion(y_pred, y_batch)
            total_loss += loss.item()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        losses.append(total_loss / len(train_loader))
    return losses
"""

CRITERIA = {"mse": nn.MSELoss, "l1": nn.L1Loss}


def _regression(rng, n, k):
    """Hidden targets: a linear part, a nonlinear part and noise."""
    X = rng.standard_normal((n, k))
    y = X @ rng.uniform(-1, 1, size=(k, 1)) + 0.5 * np.sin(X @ rng.uniform(-2, 2, size=(k, 1)))
    y += 0.1 * rng.standard_normal((n, 1))
    return X.astype(np.float32), y.astype(np.float32)


def _not_multiple(rng, low, high, batch_size):
    """A number of samples in [low, high] that leaves a smaller last batch."""
    n = int(rng.integers(low, high))
    return n + 1 if n % batch_size == 0 else n


def _train_run(rng, hidden, dropout, optimizer, criterion, eval_mode):
    k, batch_size = int(rng.integers(3, 7)), int(rng.integers(8, 17))
    X, y = _regression(rng, _not_multiple(rng, 40, 90, batch_size), k)
    return {
        "model": networks.draw_mlp(rng, [k, *hidden, 1], dropout),
        "eval_mode": eval_mode,
        "optimizer": optimizer,
        "criterion": criterion,
        "loader": {
            "X": encode(X),
            "y": encode(y),
            "batch_size": batch_size,
            "shuffle": True,
            "seed": int(rng.integers(0, 100_000)),
        },
        "n_epochs": int(rng.integers(2, 5)),
        "seed": int(rng.integers(0, 100_000)),
    }


def draw(rng):
    batch_size = int(rng.integers(5, 10))
    n = _not_multiple(rng, 37, 62, batch_size)  # also not a multiple of the default 32
    X = rng.standard_normal((n, int(rng.integers(2, 5)))).astype(np.float32)
    y = rng.standard_normal((n, 1)).astype(np.float32)
    seeds = [int(s) for s in rng.choice(100_000, size=4, replace=False)]
    make = {
        "X": encode(X),
        "y": encode(y),
        "batch_size": batch_size,
        "seeds": seeds[:2],
        "global_seeds": [int(rng.integers(0, 100_000))],
        "unseeded_global_seeds": [seeds[2], seeds[2], seeds[3]],
    }
    h = [int(s) for s in rng.integers(4, 13, size=3)]
    runs = [
        _train_run(
            rng,
            [h[0]],
            None,
            {"type": "sgd", "lr": float(round(rng.uniform(0.01, 0.1), 3)), "momentum": 0.9},
            "mse",
            False,
        ),
        _train_run(
            rng, [h[1], h[2]], None, {"type": "adam", "lr": float(round(rng.uniform(0.002, 0.02), 4))}, "l1", False
        ),
        _train_run(
            rng,
            [int(rng.integers(8, 17))],
            float(round(rng.uniform(0.2, 0.5), 2)),
            {"type": "sgd", "lr": float(round(rng.uniform(0.02, 0.1), 3)), "momentum": 0.0},
            "mse",
            True,
        ),
    ]
    return {"make_loader": make, "train": runs}


# --------------------------------------------------------------------------- make_loader


def _label(spec, name):
    n = spec["batch_size"]
    return {
        "default": "make_loader(X, y)",
        "ordered": f"make_loader(X, y, batch_size={n}, shuffle=False)",
        "seeded": f"make_loader(X, y, batch_size={n}, shuffle=True, seed={spec['seeds'][0]})",
        "same_seed": f"make_loader(X, y, batch_size={n}, shuffle=True, seed={spec['seeds'][0]})",
        "other_seed": f"make_loader(X, y, batch_size={n}, shuffle=True, seed={spec['seeds'][1]})",
    }.get(name, f"make_loader(X, y, batch_size={n}, shuffle=True)")


def _epochs(seen, spec, name):
    """[[(indices of the batch's rows in X, whether each y row is its X row's), ...] per epoch] of one call."""
    label = _label(spec, name)
    d = seen.result(f"make_loader/{name}", label, "result")
    expect(d["kind"] == "dataloader", glossary.returned_instead(label, glossary.describe(d), "um DataLoader"))
    epochs = d.get("epochs")
    if type(epochs) is dict:
        seen.described(epochs, f"percorrer {label}")
    if type(epochs) is not list or not all(type(e) is list for e in epochs):
        raise Malformed()
    X, y = decode(spec["X"]).astype(np.float64), decode(spec["y"]).astype(np.float64)
    rows = {tuple(row): i for i, row in enumerate(X)}
    out = []
    for batches in epochs:
        epoch = []
        for batch in batches:
            items = seen.sequence(batch, label, 2, glossary.batch_not_a_pair(label))
            X_batch = seen.tensor_from(items[0], f"o X_batch de {label}")
            y_batch = seen.tensor_from(items[1], f"o y_batch de {label}")
            expect(
                len(X_batch.shape) == 2
                and X_batch.shape[1:] == X.shape[1:]
                and y_batch.shape == (X_batch.shape[0], 1)
                and X_batch.values is not None
                and y_batch.values is not None,
                glossary.wrong_batch_shapes(label, X_batch.shape, y_batch.shape, X.shape[1]),
            )
            indices = [rows.get(tuple(row)) for row in X_batch.values]
            expect(None not in indices, glossary.batch_rows_not_from_X(label))
            epoch.append((indices, bool(np.array_equal(y_batch.values, y[indices]))))
        out.append(epoch)
    return label, out


def _order(epoch):
    return [i for indices, _ in epoch for i in indices]


def _expected_sizes(n, batch_size):
    return [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])


@check(0.5, values=True)
def check_make_loader_batches(seen, inputs):
    spec = inputs["make_loader"]
    n = spec["X"]["shape"][0]
    for name in ("default", "ordered", "seeded", "same_seed", "other_seed"):
        label, epochs = _epochs(seen, spec, name)
        expected = _expected_sizes(n, 32 if name == "default" else spec["batch_size"])
        for epoch in epochs:
            found = [len(indices) for indices, _ in epoch]
            expect(found == expected, glossary.wrong_batch_sizes(label, found, expected))
            expect(all(pairs_kept for _, pairs_kept in epoch), glossary.pairs_broken(label))


@check(0.25, values=True)
def check_make_loader_keeps_order_without_shuffle(seen, inputs):
    spec = inputs["make_loader"]
    for name in ("default", "ordered"):
        label, epochs = _epochs(seen, spec, name)
        expect(_order(epochs[0]) == list(range(spec["X"]["shape"][0])), glossary.shuffled_without_shuffle(label))


@check(0.25, values=True)
def check_make_loader_shuffles_each_epoch(seen, inputs):
    spec = inputs["make_loader"]
    n = spec["X"]["shape"][0]
    label, epochs = _epochs(seen, spec, "seeded")
    expect(len(epochs) == 2, glossary.not_a_permutation(label))
    orders = [_order(epoch) for epoch in epochs]
    for order in orders:
        expect(sorted(order) == list(range(n)), glossary.not_a_permutation(label))
        expect(order != list(range(n)), glossary.not_shuffled(label))
    expect(orders[0] != orders[1], glossary.same_order_every_epoch(label))


@check(0.5, values=True)
def check_make_loader_seed_controls_order(seen, inputs):
    spec = inputs["make_loader"]
    label, seeded = _epochs(seen, spec, "seeded")
    _, same = _epochs(seen, spec, "same_seed")
    other_label, other = _epochs(seen, spec, "other_seed")
    expect(_order(same[0]) == _order(seeded[0]), glossary.same_seed_other_order(label))
    expect(_order(other[0]) != _order(seeded[0]), glossary.other_seed_same_order(other_label))
    unseeded_label, a = _epochs(seen, spec, "unseeded_a")
    _, b = _epochs(seen, spec, "unseeded_b")
    _, c = _epochs(seen, spec, "unseeded_c")
    expect(_order(a[0]) == _order(b[0]) and _order(a[0]) != _order(c[0]), glossary.unseeded_order_fixed(unseeded_label))


@check(0.5)
def check_make_loader_leaves_global_rng_untouched(seen, inputs):
    spec = inputs["make_loader"]
    label = _label(spec, "seeded")
    _epochs(seen, spec, "seeded")
    expect(seen.flag("make_loader/seeded", "global_rng_untouched", label), glossary.global_rng_touched(label))


# --------------------------------------------------------------------------- train


def _optimizer(model, spec):
    if spec["type"] == "adam":
        return torch.optim.Adam(model.parameters(), lr=spec["lr"])
    return torch.optim.SGD(model.parameters(), lr=spec["lr"], momentum=spec["momentum"])


def _run_reference(run, loop):
    with torch.random.fork_rng(devices=[]), networks.single_threaded():
        model = networks.build(run["model"])
        if run["eval_mode"]:
            model.eval()
        optimizer = _optimizer(model, run["optimizer"])
        spec = run["loader"]
        loader = make_loader(
            torch.from_numpy(decode(spec["X"])),
            torch.from_numpy(decode(spec["y"])),
            batch_size=spec["batch_size"],
            shuffle=spec["shuffle"],
            seed=spec["seed"],
        )
        torch.manual_seed(run["seed"])
        losses = loop(model, optimizer, CRITERIA[run["criterion"]](), loader, run["n_epochs"])
    return losses, [p.detach().numpy() for p in model.parameters()]


def _batch_losses(model, optimizer, criterion, train_loader, n_epochs):
    """The reference loop, keeping each batch's (loss, size): to name the usual wrong epoch losses."""
    model.train()
    epochs = []
    for _ in range(n_epochs):
        batches = []
        for X_batch, y_batch in train_loader:
            loss = criterion(model(X_batch), y_batch)
            batches.append((loss.item(), len(y_batch)))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        epochs.append(batches)
    return epochs


def _wrong_epoch_losses(run):
    """{what went wrong: the epoch losses it gives} for the usual mistakes in computing an epoch's loss."""
    epochs = _run_reference(run, _batch_losses)[0]
    return {
        "last_batch": np.array([batches[-1][0] for batches in epochs]),
        "weighted_by_samples": np.array([sum(loss * n for loss, n in b) / sum(n for _, n in b) for b in epochs]),
    }


@lru_cache(maxsize=8)
def _reference_of(run_json, with_train_mode=True):
    # without model.train(): the model keeps the mode it came in
    losses, parameters = _run_reference(json.loads(run_json), train if with_train_mode else _epoch_losses)
    return np.array(losses), parameters


def reference_train(run, with_train_mode=True):
    """(losses, final parameters) of the reference train on a drawn run."""
    return _reference_of(json.dumps(run, sort_keys=True), with_train_mode)


def _train_label(run):
    optimizer = run["optimizer"]
    name = "Adam" if optimizer["type"] == "adam" else "SGD"
    model = "com nn.Dropout, entregue em modo de avaliação" if run["eval_mode"] else "oculto"
    return (
        f"train com um modelo {model}, {name} (lr={optimizer['lr']}), perda {run['criterion'].upper()} e um "
        f"carregador oculto, {run['n_epochs']} épocas"
    )


def _train_losses(seen, i, run):
    label = _train_label(run)
    record = seen.raw(f"train/{i}", label)
    if type(record) is not dict:
        raise Malformed()
    losses = seen.result(f"train/{i}", label, "losses")
    return label, record, losses


def _close(found, expected):
    return close(found, expected, rtol=1e-4, atol=1e-7)


def _expect_follows_reference(seen, i, run):
    label, record, losses = _train_losses(seen, i, run)
    found = loss_values(seen, losses, label, run["n_epochs"])
    expected, parameters = reference_train(run)
    if not _close(found, expected):
        if run["eval_mode"] and _close(found, reference_train(run, with_train_mode=False)[0]):
            raise Fail(glossary.missing_train_mode(label))
        for mistake, losses in _wrong_epoch_losses(run).items():
            if _close(found, losses):
                raise Fail(glossary.wrong_epoch_loss(label, mistake))
        k = int(np.argmax(~np.isclose(found, expected, rtol=1e-4, atol=1e-7)))
        if k == 0:
            raise Fail(glossary.first_epoch_loss_differs(label))
        raise Fail(glossary.epoch_losses_diverge(label, k + 1))
    model = seen.module(record.get("model"), label)
    found_parameters = networks.parameter_values(model)
    expect(
        len(found_parameters) == len(parameters)
        and all(v is not None and close(v, p, rtol=1e-4, atol=1e-6) for (_, v), p in zip(found_parameters, parameters)),
        glossary.minibatch_parameters_differ(label),
    )


@check(0.25)
def check_train_returns_epoch_losses(seen, inputs):
    for i, run in enumerate(inputs["train"]):
        label, _, losses = _train_losses(seen, i, run)
        loss_values(seen, losses, label, run["n_epochs"])
        expect_python_floats(seen, losses, label)


@check(1.75, values=True)
def check_train_follows_reference(seen, inputs):
    for i, run in enumerate(inputs["train"]):
        if not run["eval_mode"]:
            _expect_follows_reference(seen, i, run)


@check(1.0, values=True)
def check_train_puts_model_in_train_mode(seen, inputs):
    for i, run in enumerate(inputs["train"]):
        if run["eval_mode"]:
            _expect_follows_reference(seen, i, run)


CHECKS = [
    check_make_loader_batches,
    check_make_loader_keeps_order_without_shuffle,
    check_make_loader_shuffles_each_epoch,
    check_make_loader_seed_controls_order,
    check_make_loader_leaves_global_rng_untouched,
    check_train_returns_epoch_losses,
    check_train_follows_reference,
    check_train_puts_model_in_train_mode,
]
