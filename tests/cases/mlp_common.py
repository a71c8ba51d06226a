"""What the cases of `mlp_regression` (exercises 8-11) share: the notebook's names and the reference cells.

A solution cell of that notebook uses names its locked setup cell defines (`DataLoader`,
`TensorDataset`, `device`), and `fit_housing_mlp` calls the functions of exercises 8-10. In the
tests a submission runs alone, in a fresh namespace, so each case starts with `SETUP` (and, for
exercise 11, the reference solutions of the exercises before it).
"""

from .common import cell

SETUP = """
from torch.utils.data import DataLoader, TensorDataset

device = "cpu"
"""

BUILD_MLP = """
def build_mlp(n_inputs, n_hidden, n_outputs=1):
    layers = []
    for n in n_hidden:
        layers += [nn.Linear(n_inputs, n), nn.ReLU()]
        n_inputs = n
    layers.append(nn.Linear(n_inputs, n_outputs))
    return nn.Sequential(*layers)
"""

MAKE_LOADER = """
def make_loader(X, y, batch_size=32, shuffle=False, seed=None):
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator)
"""

TRAIN = """
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

EVALUATE = """
def evaluate(model, data_loader, metric_fn, aggregate_fn=torch.mean):
    model.eval()
    metrics = []
    with torch.no_grad():
        for X_batch, y_batch in data_loader:
            X_batch, y_batch = X_batch.to(device), y_batch.to(device)
            y_pred = model(X_batch)
            metrics.append(metric_fn(y_pred, y_batch))
    return aggregate_fn(torch.stack(metrics))
"""

DATASET_RMSE = """
def dataset_rmse(model, data_loader):
    sum_of_squares = evaluate(model, data_loader, lambda y_pred, y: ((y_pred - y) ** 2).sum(), torch.sum)
    return (sum_of_squares / len(data_loader.dataset)).sqrt().item()
"""

FIT_HOUSING_MLP = """
def fit_housing_mlp(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    model = build_mlp(X_train.shape[1], [50, 40]).to(device)
    train_loader = make_loader(X_train, y_train, batch_size=128, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = train(model, optimizer, nn.MSELoss(), train_loader, n_epochs=10)
    return model, losses
"""


def mlp_cell(*parts):
    """A solution cell of the mlp_regression notebook, with the setup cell's names it relies on."""
    return cell(SETUP, *parts)


def fit_cell(*parts):
    """The cell of exercise 11, after the setup and the reference solutions of exercises 8 and 9."""
    return cell(SETUP, BUILD_MLP, MAKE_LOADER, TRAIN, *parts)
