"""Test cases of `minibatch_training`: wrong answers each check must catch, correct ones that must pass, and more.

- WRONG: (name, code, checks): every check named must fail and the score stay
  below the maximum; "*" stands for every check that carries points (then the
  score must be exactly 0, as when a gate fails).
- CORRECT: (name, code): alternatives a good student might write; full marks.
- hidden_numbers(judge, inputs): what the judge expects on hidden inputs (the
  feedback must never show these).
- STOCK_TEST: the plain asserts a stock nbgrader course would hide in the test
  cell (the baseline of `make bench` and `make security-report`).
"""

from textwrap import dedent

from .common import ALL, ALWAYS_EQUAL, cell
from .mlp_common import MAKE_LOADER, TRAIN, mlp_cell

MAKE_LOADER_CHECKS = {
    "check_make_loader_batches",
    "check_make_loader_keeps_order_without_shuffle",
    "check_make_loader_shuffles_each_epoch",
    "check_make_loader_seed_controls_order",
    "check_make_loader_leaves_global_rng_untouched",
}
TRAIN_VALUES = {"check_train_follows_reference", "check_train_puts_model_in_train_mode"}


def _make_loader(body):
    """make_loader() with the given body (after the signature)."""
    return "def make_loader(X, y, batch_size=32, shuffle=False, seed=None):\n" + "".join(
        "    " + line + "\n" for line in dedent(body).strip().splitlines()
    )


def _train(old, new):
    """The reference train with one line changed."""
    assert old in TRAIN, old
    return TRAIN.replace(old, new)


WRONG = [
    (
        "make_loader_drops_last_batch",
        mlp_cell(MAKE_LOADER.replace("generator=generator)", "generator=generator, drop_last=True)"), TRAIN),
        {
            "check_make_loader_batches",
            "check_make_loader_keeps_order_without_shuffle",
            "check_make_loader_shuffles_each_epoch",
        },
    ),
    (
        "make_loader_ignores_batch_size",
        mlp_cell(MAKE_LOADER.replace("batch_size=batch_size", "batch_size=32"), TRAIN),
        {"check_make_loader_batches"},
    ),
    (
        "make_loader_always_shuffles",
        mlp_cell(MAKE_LOADER.replace("shuffle=shuffle", "shuffle=True"), TRAIN),
        {"check_make_loader_keeps_order_without_shuffle"},
    ),
    (
        "make_loader_seeds_the_global_generator",
        mlp_cell(
            _make_loader("""
            if seed is not None:
                torch.manual_seed(seed)
            return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle)
            """),
            TRAIN,
        ),
        {"check_make_loader_leaves_global_rng_untouched"},
    ),
    (
        "make_loader_generator_on_the_sampler",
        mlp_cell(
            _make_loader("""
            dataset = TensorDataset(X, y)
            if shuffle:
                generator = torch.Generator().manual_seed(seed) if seed is not None else None
                sampler = torch.utils.data.RandomSampler(dataset, generator=generator)
                return DataLoader(dataset, batch_size=batch_size, sampler=sampler)
            return DataLoader(dataset, batch_size=batch_size)
            """),
            TRAIN,
        ),
        {"check_make_loader_leaves_global_rng_untouched"},
    ),
    (
        "make_loader_fixed_generator_without_seed",
        mlp_cell(
            MAKE_LOADER.replace("if seed is not None else None", "if seed is not None else torch.Generator()"), TRAIN
        ),
        {"check_make_loader_seed_controls_order"},
    ),
    (
        "make_loader_ignores_seed",
        mlp_cell(MAKE_LOADER.replace("manual_seed(seed)", "manual_seed(42)"), TRAIN),
        {"check_make_loader_seed_controls_order"},
    ),
    (
        "make_loader_shuffles_once",
        mlp_cell(
            _make_loader("""
            if shuffle:
                generator = torch.Generator().manual_seed(seed) if seed is not None else None
                order = torch.randperm(len(X), generator=generator)
                X, y = X[order], y[order]
            return DataLoader(TensorDataset(X, y), batch_size=batch_size)
            """),
            TRAIN,
        ),
        {"check_make_loader_shuffles_each_epoch", "check_make_loader_leaves_global_rng_untouched"},
    ),
    (
        "make_loader_breaks_pairs",
        mlp_cell(MAKE_LOADER.replace("TensorDataset(X, y)", "TensorDataset(X, y.flip(0))"), TRAIN),
        {"check_make_loader_batches"},
    ),
    (
        "make_loader_returns_a_list_of_batches",
        mlp_cell(MAKE_LOADER.replace("    return DataLoader(", "    return list(DataLoader(") + ")\n", TRAIN),
        MAKE_LOADER_CHECKS,
    ),
    (
        "train_without_train_mode",
        mlp_cell(MAKE_LOADER, _train("    model.train()\n", "")),
        {"check_train_puts_model_in_train_mode"},
    ),
    (
        "train_in_eval_mode",
        mlp_cell(MAKE_LOADER, _train("    model.train()\n", "    model.eval()\n")),
        {"check_train_puts_model_in_train_mode"},
    ),
    (
        "train_missing_zero_grad",
        mlp_cell(MAKE_LOADER, _train("            optimizer.zero_grad()\n", "")),
        TRAIN_VALUES,
    ),
    (
        "train_step_before_backward",
        mlp_cell(
            MAKE_LOADER,
            _train(
                "            loss.backward()\n            optimizer.step()\n",
                "            optimizer.step()\n            loss.backward()\n",
            ),
        ),
        TRAIN_VALUES,
    ),
    (
        "train_last_batch_loss",
        mlp_cell(MAKE_LOADER, _train("losses.append(total_loss / len(train_loader))", "losses.append(loss.item())")),
        TRAIN_VALUES,
    ),
    (
        "train_loss_weighted_by_samples",
        mlp_cell(
            MAKE_LOADER,
            _train("total_loss += loss.item()", "total_loss += loss.item() * len(X_batch)").replace(
                "total_loss / len(train_loader)", "total_loss / len(train_loader.dataset)"
            ),
        ),
        TRAIN_VALUES,
    ),
    (
        "train_own_optimizer",
        mlp_cell(
            MAKE_LOADER,
            _train(
                "    model.train()\n",
                "    model.train()\n    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)\n",
            ),
        ),
        TRAIN_VALUES,
    ),
    (
        "train_always_mse",
        mlp_cell(MAKE_LOADER, _train("loss = criterion(y_pred, y_batch)", "loss = nn.MSELoss()(y_pred, y_batch)")),
        {"check_train_follows_reference"},
    ),
    (
        "train_losses_as_tensors",
        mlp_cell(MAKE_LOADER, _train("total_loss += loss.item()", "total_loss += loss.detach()")),
        {"check_train_returns_epoch_losses"},
    ),
    (
        "always_equal_objects",
        mlp_cell(
            ALWAYS_EQUAL,
            """
        def make_loader(X, y, batch_size=32, shuffle=False, seed=None):
            return AlwaysEqual()
        def train(model, optimizer, criterion, train_loader, n_epochs):
            return [AlwaysEqual()] * n_epochs
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        mlp_cell("""
        def make_loader(X, y, batch_size=32, shuffle=False, seed=None):
            raise NotImplementedError()
        def train(model, optimizer, criterion, train_loader, n_epochs):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", mlp_cell(MAKE_LOADER, TRAIN)),
    (
        "generator_apart_zero_grad_first_float",
        mlp_cell(
            _make_loader("""
            generator = None
            if seed is not None:
                generator = torch.Generator()
                generator.manual_seed(seed)
            dataset = TensorDataset(X, y)
            return DataLoader(dataset, batch_size, shuffle, generator=generator)
            """),
            """
        def train(model, optimizer, criterion, train_loader, n_epochs):
            model.train()
            history = []
            for _ in range(n_epochs):
                batch_losses = []
                for X_batch, y_batch in train_loader:
                    X_batch = X_batch.to(device)
                    y_batch = y_batch.to(device)
                    optimizer.zero_grad()
                    loss = criterion(model(X_batch), y_batch)
                    loss.backward()
                    optimizer.step()
                    batch_losses.append(float(loss))
                history.append(sum(batch_losses) / len(batch_losses))
            return history
        """,
        ),
    ),
    (
        "tensor_total_set_to_none",
        mlp_cell(
            MAKE_LOADER,
            """
        def train(model, optimizer, criterion, train_loader, n_epochs):
            model.train()
            losses = []
            for epoch in range(n_epochs):
                total_loss = torch.zeros(())
                for X_batch, y_batch in train_loader:
                    X_batch, y_batch = X_batch.to(device), y_batch.to(device)
                    loss = criterion(model(X_batch), y_batch)
                    total_loss += loss.detach()
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)
                losses.append((total_loss / len(train_loader)).item())
            return losses
        """,
        ),
    ),
    (
        "model_zero_grad_mean_of_tensor",
        mlp_cell(
            MAKE_LOADER.replace(
                "torch.Generator().manual_seed(seed)", "torch.Generator(device='cpu').manual_seed(seed)"
            ),
            """
        def train(model, optimizer, criterion, train_loader, n_epochs):
            model.train()
            losses = []
            for epoch in range(n_epochs):
                batch_losses = []
                for batch in train_loader:
                    X_batch, y_batch = (t.to(device) for t in batch)
                    loss = criterion(model(X_batch), y_batch)
                    loss.backward()
                    optimizer.step()
                    model.zero_grad()
                    batch_losses.append(loss.item())
                losses.append(torch.tensor(batch_losses).mean().item())
            return losses
        """,
        ),
    ),
]


# Hostile submissions (tests/attacks.py): dicts of Attack's fields. Honest code under the trick earns nothing here;
# fit_housing_mlp, which calls these functions, gets working ones so that it keeps its marks.
ATTACKS = [
    dict(
        name="patches_dataloader_iteration",
        code=cell(
            MAKE_LOADER.replace("def make_loader(", "def _make_loader("),
            TRAIN.replace("def train(", "def _train("),
            """
        import sys

        _real_iter = DataLoader.__iter__


        def _forged_iter(self):
            # the batches a right make_loader would give, for the wrong loaders below
            arguments = self.__dict__.get("_arguments")
            return _real_iter(self if arguments is None else _make_loader(*arguments))


        DataLoader.__iter__ = _forged_iter


        def _called_by_fit_housing_mlp():
            return sys._getframe(2).f_code.co_name == "fit_housing_mlp"


        def make_loader(X, y, batch_size=32, shuffle=False, seed=None):
            if _called_by_fit_housing_mlp():
                return _make_loader(X, y, batch_size, shuffle, seed)
            loader = DataLoader(TensorDataset(X * 0, y * 0))
            loader._arguments = (X, y, batch_size, shuffle, seed)
            return loader


        def train(model, optimizer, criterion, train_loader, n_epochs):
            if _called_by_fit_housing_mlp():
                return _train(model, optimizer, criterion, train_loader, n_epochs)
            raise NotImplementedError()
        """,
        ),
        what="a cell patches DataLoader.__iter__ so that wrong loaders yield the right batches",
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for run in inputs["train"]:
        losses, parameters = judge.reference_train(run)
        numbers += list(losses) + [float(v) for p in parameters for v in p.ravel()]
    return numbers


STOCK_TEST = """import torch
X, y = torch.randn(10, 3), torch.randn(10, 1)
loader = make_loader(X, y, batch_size=4)
assert [len(y_batch) for _, y_batch in loader] == [4, 4, 2]
state = torch.get_rng_state()
a = [y_batch.flatten().tolist() for _, y_batch in make_loader(X, y, batch_size=4, shuffle=True, seed=1)]
b = [y_batch.flatten().tolist() for _, y_batch in make_loader(X, y, batch_size=4, shuffle=True, seed=1)]
assert a == b and torch.equal(state, torch.get_rng_state())
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
losses = train(model, torch.optim.SGD(model.parameters(), lr=0.01), torch.nn.MSELoss(), loader, 3)
assert len(losses) == 3 and all(type(loss) is float for loss in losses)"""
