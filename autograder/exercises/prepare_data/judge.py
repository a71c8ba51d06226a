"""Exercise 5, `prepare_data`: standardize with X_train's statistics; to_column.

The synthetic splits come from different distributions, so standardizing each
split with its own statistics (or the test split's) gives visibly different
values, and the judge can name the mistake. Either standard deviation is right:
torch's default (divisor N - 1, the chapter's) or StandardScaler's (divisor N).
"""

import numpy as np
import torch

from ...judge import (
    Fail,
    check,
    decode,
    encode,
    expect,
    expect_dtype,
    expect_shape,
    expect_unchanged,
    expect_values,
    glossary,
    matches,
)

# --------------------------------------------------------------------------- the reference (the chapter's code)


def standardize(X_train, X_valid, X_test, unbiased=True, stats_of="train"):
    """`unbiased=False`: StandardScaler's divisor (accepted too); `stats_of` ("own", "valid", "test") reproduces
    typical mistakes, to name them in feedback."""
    tensors = [torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test)]
    source = tensors[SPLITS.index(stats_of)] if stats_of in SPLITS else None
    out = []
    for X in tensors:
        S = X if source is None else source
        out.append((X - S.mean(dim=0)) / S.std(dim=0, unbiased=unbiased))
    return tuple(out)


SPLITS = ("train", "valid", "test")
REFERENCE = (standardize,)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def standardize(X_train, X_valid, X_test):
    out = []
    for X in (X_train, X_valid, X_test):  # erro típico: cada conjunto com as próprias estatísticas
        X = torch.tensor(X, dtype=torch.float32)
        out.append((X - X.mean(dim=0)) / X.std(dim=0))
    return tuple(out)

def to_column(y):
    return torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
"""


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
    items = seen.sequence(d, label, 3, glossary.not_n_tensors(label, 3, "(X_train, X_valid, X_test)"))
    tensors = [seen.tensor_from(item, glossary.part_of(label, f"X_{name}")) for name, item in zip(SPLITS, items)]
    return label, tensors


@check(0.75)
def check_standardize_dtype_and_shape(seen, inputs):
    for i, split in enumerate(inputs["standardize"]):
        label, tensors = _outputs(seen, i, split)
        for name, t in zip(SPLITS, tensors):
            expect_dtype(t, "torch.float32", glossary.part_of(label, f"X_{name}"), verb="saiu com")
            expect_shape(t, split[name]["shape"], glossary.part_of(label, f"X_{name}"), verb="saiu com")


def _standardized_with(arrays, tensors, stats_of):
    """Whether the outputs are the splits standardized with ``stats_of``'s statistics (either divisor)."""
    return any(
        all(
            matches(t, e.numpy(), rtol=1e-3, atol=1e-4)
            for t, e in zip(tensors, standardize(*arrays, unbiased, stats_of))
        )
        for unbiased in (True, False)
    )


def _diagnose(label, arrays, tensors):
    """The likely mistake behind standardized values that differ from the reference."""
    if _standardized_with(arrays, tensors, "own"):
        return glossary.own_statistics(label)
    for name in ("valid", "test"):
        if _standardized_with(arrays, tensors, name):
            return glossary.statistics_of(label, f"X_{name}")
    return glossary.not_standardized(label)


@check(1.5, values=True)
def check_standardize_uses_train_statistics(seen, inputs):
    for i, split in enumerate(inputs["standardize"]):
        label, tensors = _outputs(seen, i, split)
        arrays = [decode(split[name]) for name in SPLITS]
        if _standardized_with(arrays, tensors, "train"):
            continue
        expect(
            all(t.values is not None and t.shape == tuple(split[n]["shape"]) for n, t in zip(SPLITS, tensors)),
            glossary.shapes_differ_from_inputs(label),
        )
        raise Fail(_diagnose(label, arrays, tensors))


@check(0.25)
def check_standardize_leaves_inputs_unchanged(seen, inputs):
    for i, split in enumerate(inputs["standardize"]):
        label, tensors = _outputs(seen, i, split)
        expect(
            all(t.shape == tuple(split[name]["shape"]) for name, t in zip(SPLITS, tensors)),
            glossary.shapes_differ_from_inputs(label),
        )
        expect_unchanged(seen, f"standardize/{i}", label, "os arrays de entrada")


@check(0.5, values=True)
def check_to_column(seen, inputs):
    for i, spec in enumerate(inputs["to_column"]):
        n = spec["shape"][0]
        label = f"to_column(y) com y de forma ({n},)"
        t = seen.tensor(f"to_column/{i}", label, "result")
        expect_dtype(t, "torch.float32", label)
        expect_shape(t, (n, 1), label)
        expect_values(t, decode(spec).astype(np.float32).reshape(-1, 1), label, "dos de y", rtol=0, atol=0)
        expect_unchanged(seen, f"to_column/{i}", label, "y")


CHECKS = [
    check_standardize_dtype_and_shape,
    check_standardize_uses_train_statistics,
    check_standardize_leaves_inputs_unchanged,
    check_to_column,
]
