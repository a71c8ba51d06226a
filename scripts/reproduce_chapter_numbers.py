"""Print every reference number in COURSE.md next to what the judges' own references compute.

On CPU, with torch 2.13.0 and the cached data set, one thread:

    SCIKIT_LEARN_DATA=../shared/data/scikit_learn_data OMP_NUM_THREADS=1 .venv/bin/python scripts/reproduce_chapter_numbers.py

The references are the ones the hidden checks compare with (`REFERENCE` in each
`autograder/exercises/<id>/judge.py`), run on the chapter's data and settings.
"""

import time

import torch
from torch.utils.data import DataLoader, TensorDataset

from autograder import data
from autograder.exercises import judge


def show(what, got, course):
    print(f"  {what:<52} {got:<18} COURSE.md: {course}")


def housing_tensors():
    X_train, X_valid, X_test, y_train, y_valid, y_test = data.housing_splits()
    Xs = [t.float() for t in data.standardize(X_train, X_valid, X_test)]
    ys = [torch.tensor(y, dtype=torch.float32).reshape(-1, 1) for y in (y_train, y_valid, y_test)]
    return (*Xs, *ys)


def rmse(model, X, y):
    with torch.no_grad():
        return float(((model(X) - y) ** 2).mean().sqrt())


def main():
    torch.set_num_threads(1)
    start = time.perf_counter()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), CPU")
    X_train, X_valid, X_test, y_train, y_valid, y_test = housing_tensors()
    print(f"housing split {len(X_train)} / {len(X_valid)} / {len(X_test)}  COURSE.md: 11610 / 3870 / 5160")

    print("6. bgd_loop")
    _, _, losses = judge("bgd_loop").train_linear_bgd(X_train, y_train, 0.4, 20)
    show("losses, epoch 1 -> 20", f"{losses[0]:.6f} -> {losses[-1]:.6f}", "16.158457 -> 0.568410")

    print("7. train_nn_linear")
    linear, losses = judge("train_nn_linear").fit_linear(X_train, y_train)
    show("losses, epoch 1 -> 20", f"{losses[0]:.6f} -> {losses[-1]:.6f}", "4.337850 -> 0.537429")
    show(
        "test MSE / test RMSE",
        f"{rmse(linear, X_test, y_test) ** 2:.4f} / {rmse(linear, X_test, y_test):.4f}",
        "0.538 / 0.733",
    )

    print("11. fit_housing_mlp")
    model, losses = judge("fit_housing_mlp").fit_housing_mlp(X_train, y_train)
    show("losses, epoch 1 -> 10", f"{losses[0]:.4f} -> {losses[-1]:.4f}", "0.6178 -> 0.3435")
    show("test RMSE", f"{rmse(model, X_test, y_test):.4f}", "0.599 (target <= 0.62)")
    evaluate = judge("evaluate")
    loader = DataLoader(TensorDataset(X_valid, y_valid), batch_size=32)
    batch_rmse = evaluate.evaluate(model, loader, lambda p, y: ((p - y) ** 2).mean().sqrt()).item()
    show(
        "valid: mean of batch RMSEs vs true RMSE",
        f"{batch_rmse:.4f} vs {evaluate.dataset_rmse(model, loader):.4f}",
        "(the chapter's model: 0.5668 vs 0.6388)",
    )

    print("12. classify_digits")
    splits = data.digits_splits()
    (Xd, yd), (Xv, yv), (Xt, yt) = [(torch.from_numpy(X), torch.from_numpy(y)) for X, y in zip(splits[:3], splits[3:])]
    print(f"  digits split {len(Xd)} / {len(Xv)} / {len(Xt)}  COURSE.md: 1010 / 337 / 450")
    digits = judge("classify_digits")
    classifier, losses = digits.fit_digits(Xd, yd)
    show(
        "validation / test accuracy",
        f"{digits.accuracy(classifier(Xv), yv):.3f} / {digits.accuracy(classifier(Xt), yt):.3f}",
        "0.950 / 0.953 (target >= 0.93)",
    )

    print("13. wide_and_deep")
    model, losses = judge("wide_and_deep").fit_wide_and_deep(X_train, y_train)
    model.eval()
    with torch.no_grad():
        main_output, _ = model(X_test[:, :5], X_test[:, 2:])
    show(
        "test RMSE, main output", f"{float(((main_output - y_test) ** 2).mean().sqrt()):.4f}", "0.609 (target <= 0.65)"
    )
    print(f"total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
