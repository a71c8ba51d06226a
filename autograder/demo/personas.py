"""Simulated students for the demo: what each one writes in each solution cell.

`reference` copies the instructor's solutions; `stubs` submits the release
untouched; `mistakes` makes the errors the chapter warns about, a few per
exercise, so the demo shows partial credit and the pt-BR messages.
"""

import re

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", re.M)

MISTAKES = {
    "create_tensors": '''
def make_matrix():
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])

def to_float32(a):
    return torch.tensor(a)  # erro típico: herda o float64 do NumPy

def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
''',
    "move_to_device": '''
def pick_device():
    return "cuda"  # erro típico: dispositivo fixo

def gram_on(M, device):
    M = M.to(device)
    return M @ M.T
''',
    "autograd_descent": '''
def square_and_grad(x0):
    x = torch.tensor(x0, requires_grad=True)
    f = x ** 2
    f.backward()
    return f.item(), x.grad.item()

def descend(x0, lr, n_iter):
    x = torch.tensor(x0, requires_grad=True)
    for _ in range(n_iter):
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad  # erro típico: esqueceu de zerar o gradiente
    return x
''',
    "fix_inplace": '''
def z_fixed(t):
    z = t.exp()
    z.data += 1  # erro típico: esconde o in-place do autograd, e o gradiente sai errado
    return z
''',
    "prepare_data": '''
def standardize(X_train, X_valid, X_test):
    X_train, X_valid, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
    means, stds = X_train.mean(dim=0), X_train.std(dim=0, unbiased=False)  # erro típico: desvio enviesado
    return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds

def to_column(y):
    return torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
''',
    "bgd_loop": '''
def train_linear_bgd(X, y, lr, n_epochs, seed=42):
    torch.manual_seed(seed)
    w = torch.randn((X.shape[1], 1), requires_grad=True)
    b = torch.tensor(0., requires_grad=True)
    losses = []
    for epoch in range(n_epochs):
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        losses.append(loss)  # erros típicos: sem zerar gradientes, loss guardada como tensor
    return w, b, losses
''',
    "train_nn_linear": '''
def train_bgd(model, optimizer, criterion, X, y, n_epochs):
    losses = []
    for epoch in range(n_epochs):
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses

def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):
    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, train_bgd(model, optimizer, nn.MSELoss(), X, y, n_epochs)

def predict(model, X):
    return model(X)  # erro típico: previsões ligadas ao grafo
''',
}


def reference_answers(source_nb):
    """grade_id -> the instructor's solution, without the SOLUTION markers."""
    answers = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = SOLUTION_MARKERS.sub("", cell.source)
    return answers


def fill(notebook, answers):
    """Write ``answers`` (grade_id -> source) into a notebook's solution cells, in place."""
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]].strip("\n") + "\n"
    return notebook
