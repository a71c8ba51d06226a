"""Exercise 12, `classify_digits`: ImageClassifier, accuracy, predict_proba and fit_digits on digits."""

from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ... import data
from ...judge import Fail, check, close, decode, encode, expect, expect_dtype, expect_no_graph, glossary, loss_values
from ...judge.models import (
    child,
    expect_layers,
    expect_loss_curve,
    expect_registered,
    load_parameters,
    single_threaded,
)
from ...judge.models import parameters_in_order as _parameters_in_order

# The notebook's given code is the chapter's make_loader, train and evaluate: the references of
# exercises 9 and 10, which grade them.
from ..evaluate.judge import evaluate  # noqa: F401
from ..minibatch_training.judge import make_loader, train  # noqa: F401

# --------------------------------------------------------------------------- the reference (the chapter's code)

device = "cpu"  # the grader's, and the sandbox's


class ImageClassifier(nn.Module):
    def __init__(self, n_inputs, n_hidden1, n_hidden2, n_classes):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Flatten(),
            nn.Linear(n_inputs, n_hidden1),
            nn.ReLU(),
            nn.Linear(n_hidden1, n_hidden2),
            nn.ReLU(),
            nn.Linear(n_hidden2, n_classes),
        )

    def forward(self, X):
        return self.mlp(X)


def accuracy(y_pred_logits, y_true):
    return (y_pred_logits.argmax(dim=1) == y_true).float().mean().item()


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return F.softmax(model(X), dim=1)


def fit_digits(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    model = ImageClassifier(64, 300, 100, 10).to(device)
    train_loader = make_loader(X_train, y_train, batch_size=32, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = train(model, optimizer, nn.CrossEntropyLoss(), train_loader, n_epochs=20)
    return model, losses


REFERENCE = (ImageClassifier, accuracy, predict_proba, fit_digits)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """class ImageClassifier(nn.Module):
    def __init__(self, n_inputs, n_hidden1, n_hidden2, n_classes):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Flatten(),
            nn.Linear(n_inputs, n_hidden1), nn.ReLU(),
            nn.Linear(n_hidden1, n_hidden2), nn.ReLU(),
            nn.Linear(n_hidden2, n_classes),
        )

    def forward(self, X):
        return F.softmax(self.mlp(X), dim=1)  # erro típico: softmax no forward (a perda já aplica o softmax)


def accuracy(y_pred_logits, y_true):
    return (y_pred_logits.argmax(dim=1) == y_true).float().mean().item()


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return model(X)


def fit_digits(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    model = ImageClassifier(64, 300, 100, 10).to(device)
    train_loader = make_loader(X_train, y_train, batch_size=32, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return model, train(model, optimizer, nn.CrossEntropyLoss(), train_loader, n_epochs=20)
"""

TARGET_VALID_ACCURACY = 0.93
LAYERS = ["nn.Flatten", "nn.Linear", "nn.ReLU", "nn.Linear", "nn.ReLU", "nn.Linear"]
DIGITS_ARCHITECTURE = "ImageClassifier(64, 300, 100, 10)"

# --------------------------------------------------------------------------- hidden inputs


@lru_cache(maxsize=1)
def digits_run():
    X_train, _, _, y_train, _, _ = data.digits_splits()
    return {"name": "digits", "X": encode(X_train), "y": encode(y_train)}


def _linear_spec(rng, n_in, n_out):
    bound = 1 / np.sqrt(n_in)
    return {
        "in_features": n_in,
        "out_features": n_out,
        "weight": encode(rng.uniform(-bound, bound, size=(n_out, n_in)).astype(np.float32)),
        "bias": encode(rng.uniform(-bound, bound, size=n_out).astype(np.float32)),
    }


def _images(rng, n, shape):
    return encode(rng.uniform(0, 1, size=(n, *shape)).astype(np.float32))


def draw(rng):
    classifier = []
    for shape in [(1, 8, 8), (int(rng.integers(1, 4)), int(rng.integers(2, 6)), int(rng.integers(2, 6)))]:
        sizes = [int(np.prod(shape)), int(rng.integers(5, 30)), int(rng.integers(4, 20)), int(rng.integers(3, 12))]
        classifier.append({"sizes": sizes, "seed": int(rng.integers(0, 10_000)), "X": _images(rng, 7, shape)})
    accuracy = []
    for _ in range(3):
        n, n_classes = int(rng.integers(7, 40)), int(rng.integers(3, 12))
        logits = rng.standard_normal((n, n_classes)).astype(np.float32)
        right = rng.uniform(size=n) < rng.uniform(0.3, 0.8)
        labels = np.where(right, logits.argmax(axis=1), rng.integers(0, n_classes, size=n)).astype(np.int64)
        accuracy.append({"logits": encode(logits), "labels": encode(labels)})
    shape = (1, int(rng.integers(3, 6)), int(rng.integers(3, 6)))
    n_inputs, n_hidden, n_classes = int(np.prod(shape)), int(rng.integers(6, 20)), int(rng.integers(3, 10))
    proba_model = {
        "hidden": _linear_spec(rng, n_inputs, n_hidden),
        "output": _linear_spec(rng, n_hidden, n_classes),
        "dropout": 0.5,
    }
    predict_proba = [{"model": proba_model, "X": _images(rng, int(rng.integers(4, 12)), shape)}]
    X_train, _, _, y_train, _, _ = data.digits_splits()
    rows = np.sort(rng.choice(len(y_train), size=int(rng.integers(40, 90)), replace=False))
    hidden_fit = {"name": "hidden", "X": encode(X_train[rows]), "y": encode(y_train[rows])}
    hidden_fit["seed"] = int(rng.integers(0, 10_000))
    return {
        "classifier": classifier,
        "accuracy": accuracy,
        "predict_proba": predict_proba,
        "fit_digits": [digits_run(), hidden_fit],
    }


# --------------------------------------------------------------------------- what the reference computes


def _tensor(spec):
    return torch.from_numpy(decode(spec))


def reference_classifier(run):
    torch.manual_seed(run["seed"])
    return ImageClassifier(*run["sizes"])


def reference_logits(run):
    with torch.no_grad():
        return reference_classifier(run)(_tensor(run["X"])).numpy()


def reference_accuracy(run):
    return float(np.mean(decode(run["logits"]).argmax(axis=1) == decode(run["labels"])))


def _linear(spec):
    layer = nn.Linear(spec["in_features"], spec["out_features"])
    with torch.no_grad():
        layer.weight.copy_(_tensor(spec["weight"]))
        layer.bias.copy_(_tensor(spec["bias"]))
    return layer


def reference_proba(run):
    spec = run["model"]
    model = nn.Sequential(nn.Flatten(), _linear(spec["hidden"]), nn.ReLU(), nn.Dropout(spec["dropout"]))
    model.append(_linear(spec["output"]))
    return predict_proba(model, _tensor(run["X"])).numpy()


@single_threaded
def reference_fit(run):
    kwargs = {"seed": run["seed"]} if "seed" in run else {}
    model, losses = fit_digits(_tensor(run["X"]), _tensor(run["y"]), **kwargs)
    return model, np.array(losses)


_digits_reference = lru_cache(maxsize=1)(lambda: reference_fit(digits_run()))


def validation_accuracy(values):
    """The validation accuracy of ImageClassifier(64, 300, 100, 10) with these parameters (computed here)."""
    _, X_valid, _, _, y_valid, _ = data.digits_splits()
    model = load_parameters(ImageClassifier(64, 300, 100, 10), values)
    with torch.no_grad():
        return accuracy(model(torch.from_numpy(X_valid)), torch.from_numpy(y_valid))


# --------------------------------------------------------------------------- what the student's code returned


def _classifier_label(run):
    return f"ImageClassifier({', '.join(map(str, run['sizes']))})"


def _classifier(seen, i, run):
    label = _classifier_label(run)
    record = seen.raw(f"classifier/{i}", label)
    d = record.get("model") if type(record) is dict else None
    if type(d) is dict and d.get("kind") == "missing":
        raise Fail(glossary.undefined_class("ImageClassifier"))
    return label, seen.module(d, label)


def _fit_label(run):
    if run["name"] == "digits":
        return "fit_digits(X_train_digits, y_train_digits)"
    n = run["X"]["shape"][0]
    return f"fit_digits com {n} imagens que você não vê e seed={run['seed']}"


def _fit(seen, run):
    """(label, model, losses description) of one fit_digits call."""
    label = _fit_label(run)
    d = seen.result(f"fit_digits/{run['name']}", label)
    model, losses = seen.sequence(d, label, 2, glossary.not_a_pair(label, "(model, losses)"))
    return label, seen.module(model, label), losses


# --------------------------------------------------------------------------- the checks


@check(1.25, values=True)
def check_classifier_logits_after_seed(seen, inputs):
    for i, run in enumerate(inputs["classifier"]):
        label, _ = _classifier(seen, i, run)
        n, n_classes = run["X"]["shape"][0], run["sizes"][3]
        shape = "(" + ", ".join(map(str, run["X"]["shape"])) + ")"
        call_label = f"{label}(X), com X de forma {shape}"
        logits = seen.tensor(f"classifier/{i}", call_label, "logits")
        expect(logits.shape == (n, n_classes), glossary.wrong_shape(call_label, logits.shape, (n, n_classes)))
        expect_dtype(logits, "torch.float32", call_label)
        values = logits.values
        if values is not None and np.allclose(values.sum(axis=1), 1, atol=1e-4) and (values >= 0).all():
            raise Fail(glossary.softmax_in_forward(call_label))
        expect(
            values is not None and close(values, reference_logits(run), rtol=1e-4, atol=1e-5),
            glossary.outputs_differ_after_seed(call_label, "os logits"),
        )


@check(0.5)
def check_classifier_layers(seen, inputs):
    for i, run in enumerate(inputs["classifier"]):
        label, model = _classifier(seen, i, run)
        mlp = child(model, "mlp", label)
        expect_layers(mlp, LAYERS, label, "self.mlp")
        expect_registered(model, reference_classifier(run), label)


@check(0.75, values=True)
def check_accuracy(seen, inputs):
    for i, run in enumerate(inputs["accuracy"]):
        n, n_classes = run["logits"]["shape"]
        label = f"accuracy(y_pred_logits, y_true) com logits de forma ({n}, {n_classes})"
        found = seen.python_float(seen.result(f"accuracy/{i}", label), label)
        expect(0 <= found <= 1, glossary.not_a_fraction(label))
        expect(abs(found - reference_accuracy(run)) <= 1e-6, glossary.wrong_fraction(label))


@check(1.0, values=True)
def check_predict_proba(seen, inputs):
    for i, run in enumerate(inputs["predict_proba"]):
        shape = "(" + ", ".join(map(str, run["X"]["shape"])) + ")"
        label = f"predict_proba(model, X) com um modelo com nn.Dropout e X de forma {shape}"
        proba = seen.tensor(f"predict_proba/{i}", label, "result")
        expected = reference_proba(run)
        expect(proba.shape == expected.shape, glossary.wrong_shape(label, proba.shape, tuple(expected.shape)))
        expect_dtype(proba, "torch.float32", label)
        expect(
            proba.values is not None and np.allclose(proba.values.sum(axis=1), 1, atol=1e-5),
            glossary.rows_do_not_sum_to_one(label),
        )
        after = seen.module(seen.raw(f"predict_proba/{i}", label).get("model_after"), label)
        modes = [after.training] + [sub.training for _, sub in after.children if sub is not None]
        expect(not any(modes), glossary.left_in_training_mode(label))
        expect(
            close(proba.values, expected, rtol=1e-4, atol=1e-6), glossary.wrong_values(label, "do softmax dos logits")
        )
        expect_no_graph(proba, label)
        spec = run["model"]
        original = [decode(spec[layer][name]) for layer in ("hidden", "output") for name in ("weight", "bias")]
        now = [t.values for _, t in after.named_parameters()]
        expect(
            len(now) == len(original) and all(v is not None and close(v, o, 0, 0) for v, o in zip(now, original)),
            glossary.changed_model(label),
        )


@check(0.75, values=True)
def check_fit_digits_loss_curve(seen, inputs):
    for run in inputs["fit_digits"]:
        label, _, losses = _fit(seen, run)
        found = loss_values(seen, losses, label, 20)
        public = run["name"] == "digits"
        expected = _digits_reference()[1] if public else reference_fit(run)[1]
        expect_loss_curve(found, expected, label, show_values=public)
        for item in losses["items"]:
            seen.python_float(item, f"cada perda de {label}")


@check(0.75, values=True)
def check_fit_digits_reaches_target_accuracy(seen, inputs):
    label, model, _ = _fit(seen, inputs["fit_digits"][0])
    values = _parameters_in_order(model, ImageClassifier(64, 300, 100, 10), label, DIGITS_ARCHITECTURE)
    found = validation_accuracy(values)
    expect(
        found >= TARGET_VALID_ACCURACY,
        glossary.below_target(label, "acurácia no conjunto de validação", found, TARGET_VALID_ACCURACY),
    )


CHECKS = [
    check_classifier_logits_after_seed,
    check_classifier_layers,
    check_accuracy,
    check_predict_proba,
    check_fit_digits_loss_curve,
    check_fit_digits_reaches_target_accuracy,
]
