"""What the cases of `custom_models` (exercises 12 to 15) share: the notebook's locked code, and the
solutions of exercise 12 that exercise 15's objective builds on.

A case's code is what the notebook holds when its exercise is probed: the
locked setup (imports, `device`) and given code (`make_loader`, `train`,
`evaluate`), then the solution cells before it, then the cell under test.
The data sets are not loaded here: the probes hand the functions their data.
"""

from .common import cell

GIVEN = cell(
    """
    import tempfile

    import numpy as np
    import optuna
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset

    if torch.cuda.is_available():
        device = "cuda"
    elif torch.backends.mps.is_available():
        device = "mps"
    else:
        device = "cpu"
    """,
    """
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


    def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
        model.eval()
        metrics = []
        with torch.no_grad():
            for X_batch, y_batch in data_loader:
                X_batch, y_batch = X_batch.to(device), y_batch.to(device)
                y_pred = model(X_batch)
                metrics.append(metric_fn(y_pred, y_batch))
        return aggregate_fn(torch.stack(metrics))
    """,
)

IMAGE_CLASSIFIER = """
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
"""


def notebook(*parts, before=()):
    """The given code, ``before`` (earlier exercises' solutions), then the cell under test."""
    return GIVEN + "\n\n" + cell(*before, *parts)
