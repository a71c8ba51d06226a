"""Exercise 5, `prepare_data`: standardize with X_train's statistics; to_column.

The synthetic splits come from different distributions, so standardizing each
split with its own statistics (or the test split's) gives visibly different
values, and the judge can name the mistake.
"""

import numpy as np
import torch

from ...judge import check, close, decode, encode, expect, parse_tensor, shape_str

# --------------------------------------------------------------------------- the reference (the chapter's code)


def standardize(X_train, X_valid, X_test, unbiased=True, own_stats=False):
    """`unbiased`/`own_stats` reproduce typical mistakes, to name them in feedback."""
    tensors = [torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test)]
    means, stds = tensors[0].mean(dim=0), tensors[0].std(dim=0, unbiased=unbiased)
    out = []
    for X in tensors:
        if own_stats:
            means, stds = X.mean(dim=0), X.std(dim=0, unbiased=unbiased)
        out.append((X - means) / stds)
    return tuple(out)


REFERENCE = (standardize,)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def standardize(X_train, X_valid, X_test):
    X_train, X_valid, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
    means, stds = X_train.mean(dim=0), X_train.std(dim=0, unbiased=False)  # erro típico: desvio enviesado
    return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds

def to_column(y):
    return torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
"""


SPLITS = ("train", "valid", "test")


def draw(rng):
    runs = []
    for _ in range(2):
        n_features = int(rng.integers(2, 6))
        split = {}
        for name, n in zip(SPLITS, (int(rng.integers(20, 60)), int(rng.integers(5, 20)), int(rng.integers(5, 20)))):
            loc = rng.uniform(-50, 50, size=n_features)
            scale = rng.uniform(0.5, 20, size=n_features)
            split[name] = encode(rng.normal(loc, scale, size=(n, n_features)))
        runs.append(split)
    to_column = [encode(rng.uniform(0, 5, size=int(rng.integers(1, 40)))) for _ in range(2)]
    return {"standardize": runs, "to_column": to_column}


def _outputs(seen, i, split):
    label = "standardize(X_train, X_valid, X_test) com dados sintéticos"
    d = seen.result(f"standardize/{i}", label, "result")
    expect(
        d["kind"] in ("tuple", "list") and d.get("length") == 3,
        f"{label} não devolveu 3 tensores (X_train, X_valid, X_test)",
    )
    tensors = []
    for name, item in zip(SPLITS, d["items"]):
        expect(
            type(item) is dict and item.get("kind") == "tensor" and item.get("exact_type") is True,
            f"{label}: a saída de X_{name} não é um torch.Tensor",
        )
        tensors.append(parse_tensor(item))
    return label, tensors


@check(0.75)
def check_standardize_dtype_and_shape(seen, inputs):
    for i, split in enumerate(inputs["standardize"]):
        label, tensors = _outputs(seen, i, split)
        for name, t in zip(SPLITS, tensors):
            expect(t.dtype == "torch.float32", f"{label}: X_{name} saiu com dtype {t.dtype}; esperado torch.float32")
            shape = tuple(split[name]["shape"])
            expect(
                t.shape == shape, f"{label}: X_{name} saiu com forma {shape_str(t.shape)}; esperado {shape_str(shape)}"
            )


def _diagnose(arrays, tensors):
    own = standardize(*arrays, own_stats=True)
    biased = standardize(*arrays, unbiased=False)
    if all(close(t.values, o.numpy(), rtol=1e-3, atol=1e-4) for t, o in zip(tensors, own)):
        return "cada conjunto foi padronizado com as próprias estatísticas; use a média e o desvio de X_train em todos"
    if all(close(t.values, b.numpy(), rtol=1e-3, atol=1e-4) for t, b in zip(tensors, biased)):
        return "o desvio padrão usado é o enviesado (unbiased=False); use o padrão do torch (não enviesado)"
    return "os valores não correspondem a (X - média de X_train) / desvio de X_train, coluna a coluna"


@check(1.5, values=True)
def check_standardize_uses_train_statistics(seen, inputs):
    for i, split in enumerate(inputs["standardize"]):
        label, tensors = _outputs(seen, i, split)
        arrays = [decode(split[name]) for name in SPLITS]
        expected = standardize(*arrays)
        ok = all(
            t.values is not None and close(t.values, e.numpy(), rtol=1e-3, atol=1e-4) for t, e in zip(tensors, expected)
        )
        if not ok:
            comparable = all(t.values is not None and t.shape == tuple(e.shape) for t, e in zip(tensors, expected))
            expect(False, f"{label}: {_diagnose(arrays, tensors) if comparable else 'valores incorretos'}")


@check(0.25)
def check_standardize_leaves_inputs_unchanged(seen, inputs):
    for i, split in enumerate(inputs["standardize"]):
        label, tensors = _outputs(seen, i, split)
        expect(
            all(t.shape == tuple(split[name]["shape"]) for name, t in zip(SPLITS, tensors)),
            f"{label}: as saídas não têm as formas das entradas",
        )
        expect(seen.flag(f"standardize/{i}", "input_unchanged", label), f"{label} modificou os arrays de entrada")


@check(0.5, values=True)
def check_to_column(seen, inputs):
    for i, spec in enumerate(inputs["to_column"]):
        n = spec["shape"][0]
        label = f"to_column(y) com y de forma ({n},)"
        t = seen.tensor(f"to_column/{i}", label, "result")
        expect(t.dtype == "torch.float32", f"{label} devolveu dtype {t.dtype}; esperado torch.float32")
        expect(t.shape == (n, 1), f"{label} devolveu forma {shape_str(t.shape)}; esperado ({n}, 1)")
        expect(
            close(t.values, decode(spec).astype(np.float32).reshape(-1, 1), rtol=0, atol=0),
            f"{label} devolveu valores diferentes dos de y",
        )
        expect(seen.flag(f"to_column/{i}", "input_unchanged", label), f"{label} modificou y")


CHECKS = [
    check_standardize_dtype_and_shape,
    check_standardize_uses_train_statistics,
    check_standardize_leaves_inputs_unchanged,
    check_to_column,
]
