"""Hidden inputs more than one judge draws: synthetic data sets."""

import numpy as np

from .encoding import encode


def synthetic_regression(rng):
    """A small linear regression problem with noise, a learning rate, a number of epochs and a seed."""
    n, k = int(rng.integers(30, 120)), int(rng.integers(2, 7))
    X = rng.standard_normal((n, k))
    y = X @ rng.uniform(-3, 3, size=(k, 1)) + rng.uniform(-2, 2) + 0.1 * rng.standard_normal((n, 1))
    return {
        "X": encode(X.astype(np.float32)),
        "y": encode(y.astype(np.float32)),
        "lr": float(round(rng.uniform(0.02, 0.3), 3)),
        "n_epochs": int(rng.integers(3, 30)),
        "seed": int(rng.integers(0, 10_000)),
    }
