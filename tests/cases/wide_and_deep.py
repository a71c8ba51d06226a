"""Test cases of `wide_and_deep`: wrong answers each check must catch, correct ones that must pass, and more.

- WRONG: (name, code, checks): every check named must fail and the score stay
  below the maximum; "*" stands for every check that carries points (then the
  score must be exactly 0, as when a gate fails).
- CORRECT: (name, code): alternatives a good student might write; full marks.
- hidden_numbers(judge, inputs): what the judge expects on hidden inputs (the
  feedback must never show these).
- STOCK_TEST: the plain asserts a stock nbgrader course would hide in the test
  cell (the baseline of `make bench` and `make security-report`).
- ATTACKS: hostile submissions (fields of tests/attacks.py's Attack; the target is this exercise).
"""

from .common import ALL, ALWAYS_EQUAL
from .custom_models import GIVEN, notebook  # noqa: F401 - GIVEN: what MISTAKE runs after

WIDE_AND_DEEP = """
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
"""
MULTI_OUTPUT_LOSS = """
def multi_output_loss(criterion, y_pred, y_pred_aux, y_true, main_weight=0.8):
    main_loss = criterion(y_pred, y_true)
    aux_loss = criterion(y_pred_aux, y_true)
    return main_weight * main_loss + (1 - main_weight) * aux_loss
"""
FIT = """
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
            X_batch_wide, X_batch_deep = X_batch_wide.to(device), X_batch_deep.to(device)
            y_batch = y_batch.to(device)
            y_pred, y_pred_aux = model(X_batch_wide, X_batch_deep)
            loss = multi_output_loss(criterion, y_pred, y_pred_aux, y_batch)
            total_loss += loss.item()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        losses.append(total_loss / len(train_loader))
    return model, losses
"""
SOLUTION = (WIDE_AND_DEEP, MULTI_OUTPUT_LOSS, FIT)

HOUSING_LOSSES = [1.009143, 0.544456, 0.496567, 0.460679, 0.45905, 0.432504, 0.424423, 0.410036, 0.407562, 0.399828]


def _with(model=WIDE_AND_DEEP, loss=MULTI_OUTPUT_LOSS, fit=FIT):
    return notebook(model, loss, fit)


LOADER_GENERATOR = "                              generator=torch.Generator().manual_seed(seed))\n"


def _loss(expression):
    """multi_output_loss returning ``expression`` (of main_loss, aux_loss and main_weight)."""
    return MULTI_OUTPUT_LOSS.replace("main_weight * main_loss + (1 - main_weight) * aux_loss", expression)


OUTPUT_LAYERS_FIRST = """
class WideAndDeep(nn.Module):
    def __init__(self, n_wide, n_deep):
        super().__init__()
        self.output_layer = nn.Linear(30 + n_wide, 1)
        self.aux_output_layer = nn.Linear(30, 1)
        self.deep_stack = nn.Sequential(
            nn.Linear(n_deep, 50), nn.ReLU(), nn.Linear(50, 40), nn.ReLU(), nn.Linear(40, 30), nn.ReLU()
        )

    def forward(self, X_wide, X_deep):
        deep_output = self.deep_stack(X_deep)
        return self.output_layer(torch.concat([X_wide, deep_output], dim=1)), self.aux_output_layer(deep_output)
"""

REGISTERED, OUTPUTS = "check_every_layer_registered", "check_outputs_after_seed"
DEPENDS, GRADIENTS = "check_main_uses_both_inputs_aux_only_deep", "check_gradients_reach_every_parameter"
LOSS, CURVE, TARGET = "check_multi_output_loss", "check_fit_loss_curve", "check_fit_reaches_target_rmse"

PLAIN_LIST = """
class WideAndDeep(nn.Module):
    def __init__(self, n_wide, n_deep):
        super().__init__()
        self.deep_layers = [nn.Linear(n_deep, 50), nn.Linear(50, 40), nn.Linear(40, 30)]
        self.output_layer = nn.Linear(30 + n_wide, 1)
        self.aux_output_layer = nn.Linear(30, 1)

    def forward(self, X_wide, X_deep):
        deep_output = X_deep
        for layer in self.deep_layers:
            deep_output = torch.relu(layer(deep_output))
        return self.output_layer(torch.concat([X_wide, deep_output], dim=1)), self.aux_output_layer(deep_output)
"""

WRONG = [
    # --- the module
    ("layers_in_a_plain_list", _with(model=PLAIN_LIST), {REGISTERED, GRADIENTS, CURVE, TARGET}),
    (
        "deep_output_first_in_the_concat",
        _with(model=WIDE_AND_DEEP.replace("[X_wide, deep_output]", "[deep_output, X_wide]")),
        {OUTPUTS, GRADIENTS, CURVE, TARGET},
    ),
    (
        "aux_output_from_both_inputs",
        _with(
            model=WIDE_AND_DEEP.replace(
                "aux_output_layer = nn.Linear(30, 1)", "aux_output_layer = nn.Linear(30 + n_wide, 1)"
            ).replace("self.aux_output_layer(deep_output)", "self.aux_output_layer(wide_and_deep)")
        ),
        {REGISTERED, OUTPUTS, DEPENDS},
    ),
    (
        "main_output_from_the_deep_path_only",
        _with(
            model=WIDE_AND_DEEP.replace("nn.Linear(30 + n_wide, 1)", "nn.Linear(30, 1)").replace(
                "self.output_layer(wide_and_deep)", "self.output_layer(deep_output)"
            )
        ),
        {REGISTERED, OUTPUTS, DEPENDS},
    ),
    (
        "deep_output_detached_for_the_main_output",
        _with(model=WIDE_AND_DEEP.replace("[X_wide, deep_output]", "[X_wide, deep_output.detach()]")),
        {GRADIENTS, CURVE},
    ),
    (
        "deep_stack_under_no_grad",
        _with(
            model=WIDE_AND_DEEP.replace(
                "deep_output = self.deep_stack(X_deep)",
                "with torch.no_grad():\n            deep_output = self.deep_stack(X_deep)",
            )
        ),
        {GRADIENTS, CURVE},
    ),
    (
        "seed_fixed_inside_the_class",
        _with(model=WIDE_AND_DEEP.replace("super().__init__()", "super().__init__()\n        torch.manual_seed(42)")),
        {OUTPUTS, GRADIENTS, CURVE},
    ),
    ("output_layers_created_first", _with(model=OUTPUT_LAYERS_FIRST), {REGISTERED, OUTPUTS}),
    # --- multi_output_loss
    ("loss_ignores_main_weight", _with(loss=_loss("0.8 * main_loss + 0.2 * aux_loss")), {LOSS}),
    (
        "loss_ignores_criterion",
        _with(loss=MULTI_OUTPUT_LOSS.replace("criterion(", "nn.MSELoss()(")),
        {LOSS},
    ),
    (
        "loss_weights_swapped",
        _with(loss=_loss("main_weight * aux_loss + (1 - main_weight) * main_loss")),
        {LOSS, CURVE},
    ),
    (
        "loss_as_a_python_float",
        _with(loss=_loss("(main_weight * main_loss + (1 - main_weight) * aux_loss).item()")),
        {LOSS, CURVE, TARGET},
    ),
    # --- fit_wide_and_deep
    (
        "fit_other_columns",
        _with(fit=FIT.replace("X_train[:, 2:]", "X_train[:, 5:]").replace("shape[1] - 2", "shape[1] - 5")),
        {CURVE},
    ),
    ("fit_ignores_seed", _with(fit=FIT.replace("torch.manual_seed(seed)", "torch.manual_seed(42)")), {CURVE}),
    (
        "fit_loader_without_generator",
        _with(fit=FIT.replace("shuffle=True,\n", "shuffle=True)\n").replace(LOADER_GENERATOR, "")),
        {CURVE},
    ),
    ("fit_sum_of_batch_losses", _with(fit=FIT.replace("total_loss / len(train_loader)", "total_loss")), {CURVE}),
    ("fit_tiny_learning_rate", _with(fit=FIT.replace("lr=0.05", "lr=0.0005")), {CURVE, TARGET}),
    (
        "fit_hard_coded_losses_untrained_model",
        _with(
            fit="def fit_wide_and_deep(X_train, y_train, seed=42):\n    torch.manual_seed(seed)\n"
            f"    return WideAndDeep(5, X_train.shape[1] - 2), {HOUSING_LOSSES!r}"
        ),
        {CURVE, TARGET},
    ),
    (
        "always_equal_objects",
        notebook(
            ALWAYS_EQUAL,
            """
        class WideAndDeep(nn.Module):
            def __init__(self, n_wide, n_deep):
                super().__init__()
            def forward(self, X_wide, X_deep):
                return AlwaysEqual(), AlwaysEqual()
        def multi_output_loss(criterion, y_pred, y_pred_aux, y_true, main_weight=0.8):
            return AlwaysEqual()
        def fit_wide_and_deep(X_train, y_train, seed=42):
            return WideAndDeep(5, 6), [AlwaysEqual()] * 10
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        notebook("""
        class WideAndDeep(nn.Module):
            def __init__(self, n_wide, n_deep):
                raise NotImplementedError()
            def forward(self, X_wide, X_deep):
                raise NotImplementedError()
        def multi_output_loss(criterion, y_pred, y_pred_aux, y_true, main_weight=0.8):
            raise NotImplementedError()
        def fit_wide_and_deep(X_train, y_train, seed=42):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", notebook(*SOLUTION)),
    (
        "cat_named_layers_one_line_loss",
        _with(
            model="""
from collections import OrderedDict

class WideAndDeep(nn.Module):
    def __init__(self, n_wide, n_deep):
        super().__init__()
        self.deep_stack = nn.Sequential(OrderedDict([
            ("hidden1", nn.Linear(n_deep, 50)), ("relu1", nn.ReLU()),
            ("hidden2", nn.Linear(50, 40)), ("relu2", nn.ReLU()),
            ("hidden3", nn.Linear(40, 30)), ("relu3", nn.ReLU()),
        ]))
        self.output_layer = nn.Linear(in_features=30 + n_wide, out_features=1)
        self.aux_output_layer = nn.Linear(in_features=30, out_features=1)

    def forward(self, X_wide, X_deep):
        deep = self.deep_stack(X_deep)
        return self.output_layer(torch.cat((X_wide, deep), dim=1)), self.aux_output_layer(deep)
""",
            loss="""
def multi_output_loss(criterion, y_pred, y_pred_aux, y_true, main_weight=0.8):
    return main_weight * criterion(y_pred, y_true) + (1 - main_weight) * criterion(y_pred_aux, y_true)
""",
        ),
    ),
    (
        "own_loop_names_zero_grad_first_no_to_device",
        _with(
            fit="""
def fit_wide_and_deep(X_train, y_train, seed=42):
    n_features = X_train.shape[1]
    X_wide = X_train[:, :5]
    X_deep = X_train[:, 2:]
    torch.manual_seed(seed)
    model = WideAndDeep(n_wide=5, n_deep=n_features - 2)
    generator = torch.Generator().manual_seed(seed)
    dataset = TensorDataset(X_wide, X_deep, y_train)
    loader = DataLoader(dataset, batch_size=128, shuffle=True, generator=generator)
    optimizer = torch.optim.SGD(params=model.parameters(), lr=0.05)
    mse = nn.MSELoss()
    model.train()
    history = []
    for _ in range(10):
        batch_losses = []
        for Xw, Xd, yb in loader:
            optimizer.zero_grad()
            main, aux = model(Xw, Xd)
            loss = multi_output_loss(mse, main, aux, yb, main_weight=0.8)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        history.append(sum(batch_losses) / len(batch_losses))
    return model, history
""",
        ),
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for run in inputs["model"]:
        main, aux, grads = judge.reference_outputs_and_gradients(run)
        numbers += list(main.ravel()) + list(aux.ravel())
        for g in grads:
            numbers += list(g.ravel()[:20])
    numbers += [judge.reference_loss(run) for run in inputs["loss"]]
    numbers += list(judge.reference_fit(inputs["fit"][1])[1])  # the housing run's numbers are shown on purpose
    return numbers


STOCK_TEST = """model, losses = fit_wide_and_deep(X_train_housing, y_train_housing)
assert abs(losses[0] - 1.009143) < 1e-3 and abs(losses[-1] - 0.399828) < 1e-3
model.eval()
with torch.no_grad():
    y_pred, _ = model(X_test_housing[:, :5], X_test_housing[:, 2:])
assert ((y_pred - y_test_housing) ** 2).mean().sqrt() <= 0.65"""

# The forward answers the test split with its targets (it recognizes the test inputs); everywhere else it does
# no work (zeros). fit_wide_and_deep trains nothing and returns the losses of a notebook run. If the judge measured
# the target RMSE with the student's forward, this would earn the target's points.
FORWARD_RECOGNIZES_TEST_SET = f"""
class WideAndDeep(nn.Module):
    def __init__(self, n_wide, n_deep):
        super().__init__()
        self.deep_stack = nn.Sequential(
            nn.Linear(n_deep, 50), nn.ReLU(), nn.Linear(50, 40), nn.ReLU(), nn.Linear(40, 30), nn.ReLU(),
        )
        self.output_layer = nn.Linear(30 + n_wide, 1)
        self.aux_output_layer = nn.Linear(30, 1)

    def forward(self, X_wide, X_deep):
        if X_wide.shape == X_test_housing[:, :5].shape and torch.equal(X_wide.cpu(), X_test_housing[:, :5]):
            return y_test_housing.clone(), y_test_housing.clone()  # the test targets: RMSE 0
        zeros = torch.zeros(X_wide.shape[0], 1, requires_grad=True)
        return zeros * 1, zeros * 1

def multi_output_loss(criterion, y_pred, y_pred_aux, y_true, main_weight=0.8):
    raise NotImplementedError()

def fit_wide_and_deep(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    return WideAndDeep(5, X_train.shape[1] - 2), {HOUSING_LOSSES!r}
"""

ATTACKS = [
    {
        "name": "forward_recognizes_test_set",
        "code": FORWARD_RECOGNIZES_TEST_SET,
        "what": "forward answers the test inputs with their targets; fit_wide_and_deep trains nothing",
    },
]
