"""The course's data sets, loaded and split exactly as the notebooks (and the chapter) do."""

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1)
def housing_splits():
    """(X_train, X_valid, X_test, y_train, y_valid, y_test) as NumPy float64 arrays."""
    from sklearn.datasets import fetch_california_housing
    from sklearn.model_selection import train_test_split

    housing = fetch_california_housing()
    X_train_full, X_test, y_train_full, y_test = train_test_split(housing.data, housing.target, random_state=42)
    X_train, X_valid, y_train, y_valid = train_test_split(X_train_full, y_train_full, random_state=42)
    return X_train, X_valid, X_test, y_train, y_valid, y_test


def standardize(X_train, *others):
    """float32 tensors standardized with X_train's per-column mean and (unbiased) standard deviation."""
    import torch

    tensors = [torch.tensor(X, dtype=torch.float32) for X in (X_train, *others)]
    means, stds = tensors[0].mean(dim=0), tensors[0].std(dim=0)
    return tuple((X - means) / stds for X in tensors)


@lru_cache(maxsize=1)
def housing_standardized():
    """float32 arrays: standardized X_train, X_test and (N, 1) y_train, y_test."""
    X_train, X_valid, X_test, y_train, _, y_test = housing_splits()
    X_train_t, _, X_test_t = standardize(X_train, X_valid, X_test)
    return (
        X_train_t.numpy(),
        X_test_t.numpy(),
        y_train.astype(np.float32).reshape(-1, 1),
        y_test.astype(np.float32).reshape(-1, 1),
    )


@lru_cache(maxsize=1)
def digits_splits():
    """scikit-learn's digits as the custom_models notebook loads them: float32 images (N, 1, 8, 8) in [0, 1]
    and int64 labels, split with train_test_split(indices, random_state=42) twice (1,010 / 337 / 450).

    (X_train, X_valid, X_test, y_train, y_valid, y_test) as NumPy arrays.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    idx_train_full, idx_test = train_test_split(np.arange(len(y)), random_state=42)
    idx_train, idx_valid = train_test_split(idx_train_full, random_state=42)
    return X[idx_train], X[idx_valid], X[idx_test], y[idx_train], y[idx_valid], y[idx_test]
