"""Reference implementations of exercises 8–15 (assignments `mlp_regression` and `custom_models`).

Plain code, exactly as ../shared/COURSE.md specifies it and as the chapter (Géron, ch. 10) writes it.
They are meant to become the grader's references (autograder/reference.py); nothing here is grader
code. The data helpers at the bottom reproduce the locked setup cells of the two notebooks.

`device` is the chapter's global: "cuda", else "mps", else "cpu". `train`, `evaluate` and the
Optuna objective move every batch to it, as the chapter does.
"""

import numpy as np
import optuna
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"


# --- 8. build_mlp -------------------------------------------------------------------------------

def build_mlp(n_inputs, n_hidden, n_outputs=1):
    layers = []
    for n in n_hidden:
        layers += [nn.Linear(n_inputs, n), nn.ReLU()]
        n_inputs = n
    layers.append(nn.Linear(n_inputs, n_outputs))
    return nn.Sequential(*layers)


# --- 9. minibatch_training ----------------------------------------------------------------------

def make_loader(X, y, batch_size=32, shuffle=False, seed=None):
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator)


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


# --- 10. evaluate -------------------------------------------------------------------------------

def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
    model.eval()
    metrics = []
    with torch.no_grad():
        for X_batch, y_batch in data_loader:
            X_batch, y_batch = X_batch.to(device), y_batch.to(device)
            y_pred = model(X_batch)
            metrics.append(metric_fn(y_pred, y_batch))
    return aggregate_fn(torch.stack(metrics))


def rmse(y_pred, y_true):
    """The chapter's per-batch RMSE (averaging it over batches is the trap of exercise 10)."""
    return ((y_pred - y_true) ** 2).mean().sqrt()


def dataset_rmse(model, data_loader):
    """sqrt(sum of squared errors / number of samples): every sample weighs the same."""
    sse = evaluate(model, data_loader, lambda y_pred, y: ((y_pred - y) ** 2).sum(), torch.sum)
    return (sse / len(data_loader.dataset)).sqrt().item()


# --- 11. fit_housing_mlp ------------------------------------------------------------------------

def fit_housing_mlp(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    model = build_mlp(X_train.shape[1], [50, 40]).to(device)
    train_loader = make_loader(X_train, y_train, batch_size=128, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = train(model, optimizer, nn.MSELoss(), train_loader, n_epochs=10)
    return model, losses


# --- 12. classify_digits ------------------------------------------------------------------------

class ImageClassifier(nn.Module):
    def __init__(self, n_inputs, n_hidden1, n_hidden2, n_classes):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Flatten(),
            nn.Linear(n_inputs, n_hidden1), nn.ReLU(),
            nn.Linear(n_hidden1, n_hidden2), nn.ReLU(),
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


# --- 13. wide_and_deep --------------------------------------------------------------------------

class WideAndDeep(nn.Module):
    def __init__(self, n_wide, n_deep):
        super().__init__()
        self.deep_stack = nn.Sequential(
            nn.Linear(n_deep, 50), nn.ReLU(),
            nn.Linear(50, 40), nn.ReLU(),
            nn.Linear(40, 30), nn.ReLU(),
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
    train_loader = DataLoader(TensorDataset(X_wide, X_deep, y_train), batch_size=128, shuffle=True,
                              generator=torch.Generator().manual_seed(seed))
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


# --- 14. save_and_export ------------------------------------------------------------------------

def save_model(model, hyperparameters, path):
    torch.save({"model_state_dict": model.state_dict(), "model_hyperparameters": hyperparameters}, path)


def load_model(model_class, path):
    model_data = torch.load(path, weights_only=True)
    model = model_class(**model_data["model_hyperparameters"])
    model.load_state_dict(model_data["model_state_dict"])
    model.eval()
    return model


def export_model(model, example_input, path):
    batch = torch.export.Dim("batch")
    program = torch.export.export(model, (example_input,), dynamic_shapes=({0: batch},))
    torch.export.save(program, path)


# --- 15. tune_with_optuna -----------------------------------------------------------------------

def objective(trial, train_loader, valid_loader, n_epochs=5):
    learning_rate = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    n_hidden = trial.suggest_int("n_hidden", 20, 300)
    model = ImageClassifier(64, n_hidden, n_hidden, 10).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    criterion = nn.CrossEntropyLoss()
    best_accuracy = 0.0
    for epoch in range(n_epochs):
        train(model, optimizer, criterion, train_loader, n_epochs=1)
        n_correct = evaluate(model, valid_loader, lambda logits, y: (logits.argmax(dim=1) == y).sum(), torch.sum)
        valid_accuracy = n_correct.item() / len(valid_loader.dataset)
        best_accuracy = max(best_accuracy, valid_accuracy)
        trial.report(valid_accuracy, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return best_accuracy


# --- data, as the locked setup cells load it ----------------------------------------------------

def load_housing():
    """California housing split as the chapter, standardized with the training statistics (torch std)."""
    from sklearn.datasets import fetch_california_housing
    from sklearn.model_selection import train_test_split
    housing = fetch_california_housing()
    X_train_full, X_test, y_train_full, y_test = train_test_split(housing.data, housing.target, random_state=42)
    X_train, X_valid, y_train, y_valid = train_test_split(X_train_full, y_train_full, random_state=42)
    X_train, X_valid, X_test = (torch.FloatTensor(X) for X in (X_train, X_valid, X_test))
    means, stds = X_train.mean(dim=0, keepdim=True), X_train.std(dim=0, keepdim=True)
    X_train, X_valid, X_test = ((X - means) / stds for X in (X_train, X_valid, X_test))
    y_train, y_valid, y_test = (torch.FloatTensor(y).reshape(-1, 1) for y in (y_train, y_valid, y_test))
    return X_train, y_train, X_valid, y_valid, X_test, y_test


def load_digits_split():
    """Digits as float32 images (N, 1, 8, 8) in [0, 1], int64 labels; 1,010 / 337 / 450."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(digits.target, dtype=torch.int64)
    idx_train_full, idx_test = train_test_split(np.arange(len(y)), random_state=42)
    idx_train, idx_valid = train_test_split(idx_train_full, random_state=42)
    return X[idx_train], y[idx_train], X[idx_valid], y[idx_valid], X[idx_test], y[idx_test]
