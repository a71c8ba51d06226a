"""Print every reference number of exercises 8–15 in ../shared/COURSE.md next to what reference.py gets.

Run from the repository root, on CPU, with torch 2.13.0 and the cached data set:

    SCIKIT_LEARN_DATA=../shared/data/scikit_learn_data OMP_NUM_THREADS=1 .venv/bin/python drafts/chapter/reproduce.py

About 25 s on one core. Numbers are printed with the precision COURSE.md gives them.
"""

import sys
import time
from pathlib import Path

import optuna
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402


def show(what, got, course, note=""):
    print(f"  {what:<58} {got:<16} COURSE.md: {course}{'   ' + note if note else ''}")


def main():
    start = time.perf_counter()
    print(f"torch {torch.__version__}, optuna {optuna.__version__}, device {ref.device}, "
          f"threads {torch.get_num_threads()}")
    X_train, y_train, X_valid, y_valid, X_test, y_test = ref.load_housing()
    print(f"housing split: {len(X_train)} / {len(X_valid)} / {len(X_test)}   COURSE.md: 11610 / 3870 / 5160")

    print("\n8. build_mlp")
    model = ref.build_mlp(8, [50, 40])
    show("parameters of build_mlp(8, [50, 40])", sum(p.numel() for p in model.parameters()), "(not given)")

    print("\n11. fit_housing_mlp (and 9. make_loader/train, 10. dataset_rmse)")
    model, losses = ref.fit_housing_mlp(X_train, y_train)
    test_loader = ref.make_loader(X_test, y_test, batch_size=128)
    show("loss, epoch 1", f"{losses[0]:.4f}", "0.6178")
    show("loss, epoch 10", f"{losses[-1]:.4f}", "0.3435")
    show("test RMSE (dataset_rmse)", f"{ref.dataset_rmse(model, test_loader):.3f}", "0.599 (target <= 0.62)")

    print("\n7. (for comparison) the linear model of exercise 7")
    torch.manual_seed(42)
    linear = nn.Linear(8, 1)
    optimizer = torch.optim.SGD(linear.parameters(), lr=0.4)
    for _ in range(20):
        loss = nn.MSELoss()(linear(X_train), y_train)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    rmse_linear = ref.dataset_rmse(linear, test_loader)
    show("linear model, test RMSE", f"{rmse_linear:.3f}", "0.733",
         f"= sqrt(test MSE {rmse_linear ** 2:.5f}) = {rmse_linear:.5f}: rounds to 0.734")

    print("\n10. evaluate: mean of per-batch RMSEs vs true RMSE (the chapter's setting)")
    # The chapter: DataLoader(batch_size=32, shuffle=True) without a generator, created before
    # torch.manual_seed(42); the MLP; SGD lr=0.02; 20 epochs; valid loader of batch 32.
    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
    torch.manual_seed(42)
    model = ref.build_mlp(8, [50, 40]).to(ref.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02)
    losses = ref.train(model, optimizer, nn.MSELoss(), train_loader, 20)
    valid_loader = DataLoader(TensorDataset(X_valid, y_valid), batch_size=32)
    show("(chapter model) last epoch loss", f"{losses[-1]:.4f}", "(book notebook, on MPS: 0.3072)")
    show("mean of batch RMSEs, evaluate(model, valid_loader, rmse)",
         f"{ref.evaluate(model, valid_loader, ref.rmse).item():.4f}", "0.5668")
    show("sqrt of mean batch MSE, evaluate(..., mse).sqrt()",
         f"{ref.evaluate(model, valid_loader, nn.MSELoss()).sqrt().item():.4f}", "(0.6388?)")
    show("true RMSE, dataset_rmse(model, valid_loader)", f"{ref.dataset_rmse(model, valid_loader):.4f}", "0.6388",
         "the book's printed value; on CPU the same setting gives this")
    model, _ = ref.fit_housing_mlp(X_train, y_train)
    loader32 = DataLoader(TensorDataset(X_valid, y_valid), batch_size=32)
    show("(fit_housing_mlp model) mean of batch RMSEs, valid, batch 32",
         f"{ref.evaluate(model, loader32, ref.rmse).item():.4f}", "(used in the notebook)")
    show("(fit_housing_mlp model) true RMSE, valid", f"{ref.dataset_rmse(model, loader32):.4f}", "(used in the notebook)")

    print("\n12. classify_digits")
    Xd, yd, Xv, yv, Xt, yt = ref.load_digits_split()
    print(f"  digits split: {len(Xd)} / {len(Xv)} / {len(Xt)}, {tuple(Xd.shape[1:])} {Xd.dtype} in "
          f"[{Xd.min():.0f}, {Xd.max():.0f}], labels {yd.dtype}   COURSE.md: 1010 / 337 / 450")
    model, losses = ref.fit_digits(Xd, yd)
    show("parameters of ImageClassifier(64, 300, 100, 10)", sum(p.numel() for p in model.parameters()), "(not given)")
    show("loss, epoch 1 -> epoch 20", f"{losses[0]:.4f} -> {losses[-1]:.4f}", "(not given)")
    proba_v, proba_t = ref.predict_proba(model, Xv.to(ref.device)), ref.predict_proba(model, Xt.to(ref.device))
    show("validation accuracy", f"{ref.accuracy(proba_v, yv.to(ref.device)):.3f}", "0.950 (target >= 0.93)")
    show("test accuracy", f"{ref.accuracy(proba_t, yt.to(ref.device)):.3f}", "0.953")

    print("\n13. wide_and_deep")
    model, losses = ref.fit_wide_and_deep(X_train, y_train)
    show("parameters of WideAndDeep(5, 6)", sum(p.numel() for p in model.parameters()), "(not given)")
    show("loss, epoch 1 -> epoch 10", f"{losses[0]:.4f} -> {losses[-1]:.4f}", "(not given)")
    model.eval()
    with torch.no_grad():
        y_pred, y_pred_aux = model(X_test[:, :5].to(ref.device), X_test[:, 2:].to(ref.device))
    y_true = y_test.to(ref.device)
    show("test RMSE, main output", f"{((y_pred - y_true) ** 2).mean().sqrt().item():.3f}", "0.609 (target <= 0.65)")
    show("test RMSE, auxiliary output", f"{((y_pred_aux - y_true) ** 2).mean().sqrt().item():.3f}", "(not given)")

    print("\n15. tune_with_optuna: the notebook's short study")
    train_loader = ref.make_loader(Xd, yd, batch_size=32, shuffle=True, seed=42)
    valid_loader = ref.make_loader(Xv, yv, batch_size=32)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    torch.manual_seed(42)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=42),
                                pruner=optuna.pruners.MedianPruner())
    t0 = time.perf_counter()
    study.optimize(lambda trial: ref.objective(trial, train_loader, valid_loader), n_trials=20)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    show("20 trials x 5 epochs: best value", f"{study.best_value:.3f}", "(not given)",
         f"{pruned} pruned, {time.perf_counter() - t0:.1f} s, best {study.best_params}")

    print(f"\ntotal {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
