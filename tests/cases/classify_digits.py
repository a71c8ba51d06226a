"""Test cases of `classify_digits`: wrong answers each check must catch, correct ones that must pass, and more.

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
from .custom_models import GIVEN, IMAGE_CLASSIFIER, notebook  # noqa: F401 - GIVEN: what MISTAKE runs after

ACCURACY = """
def accuracy(y_pred_logits, y_true):
    return (y_pred_logits.argmax(dim=1) == y_true).float().mean().item()
"""
PREDICT_PROBA = """
def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return F.softmax(model(X), dim=1)
"""
FIT_DIGITS = """
def fit_digits(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    model = ImageClassifier(64, 300, 100, 10).to(device)
    train_loader = make_loader(X_train, y_train, batch_size=32, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = train(model, optimizer, nn.CrossEntropyLoss(), train_loader, n_epochs=20)
    return model, losses
"""
SOLUTION = (IMAGE_CLASSIFIER, ACCURACY, PREDICT_PROBA, FIT_DIGITS)

# The digits run's losses, as a notebook run prints them.
DIGITS_LOSSES = [
    2.255477,
    2.057167,
    1.550843,
    0.93513,
    0.596929,
    0.426591,
    0.350844,
    0.277324,
    0.236656,
    0.210419,
    0.191289,
    0.168015,
    0.14029,
    0.138814,
    0.125427,
    0.118812,
    0.106404,
    0.103798,
    0.097781,
    0.084992,
]


def _with(**replaced):
    """The solution with some of its parts replaced (keys: classifier, accuracy, predict_proba, fit_digits)."""
    parts = dict(zip(("classifier", "accuracy", "predict_proba", "fit_digits"), SOLUTION))
    parts.update(replaced)
    return notebook(*parts.values())


def _classifier(init_body, forward_body="return self.mlp(X)"):
    return (
        "class ImageClassifier(nn.Module):\n"
        "    def __init__(self, n_inputs, n_hidden1, n_hidden2, n_classes):\n"
        "        super().__init__()\n"
        + "".join(f"        {line}\n" for line in init_body.strip().splitlines())
        + "\n    def forward(self, X):\n"
        + "".join(f"        {line}\n" for line in forward_body.strip().splitlines())
    )


MLP = """
self.mlp = nn.Sequential(
    nn.Flatten(),
    nn.Linear(n_inputs, n_hidden1), nn.ReLU(),
    nn.Linear(n_hidden1, n_hidden2), nn.ReLU(),
    nn.Linear(n_hidden2, n_classes),
)
"""

LOSS_CURVE = "check_fit_digits_loss_curve"
TARGET = "check_fit_digits_reaches_target_accuracy"
LOGITS, LAYERS = "check_classifier_logits_after_seed", "check_classifier_layers"

WRONG = [
    # --- the class
    ("softmax_in_forward", _with(classifier=_classifier(MLP, "return F.softmax(self.mlp(X), dim=1)")), {LOGITS}),
    (
        "extra_softmax_layer",
        _with(classifier=_classifier(MLP.replace("n_classes),", "n_classes), nn.Softmax(dim=1),"))),
        {LOGITS, LAYERS, LOSS_CURVE},
    ),
    (
        "layers_in_a_plain_list",
        _with(
            classifier=_classifier(
                """
self.layers = [nn.Flatten(), nn.Linear(n_inputs, n_hidden1), nn.ReLU(), nn.Linear(n_hidden1, n_hidden2), nn.ReLU(),
               nn.Linear(n_hidden2, n_classes)]
""",
                "for layer in self.layers:\n    X = layer(X)\nreturn X",
            )
        ),
        {LAYERS, LOSS_CURVE, TARGET},
    ),
    (
        "seed_fixed_inside_the_class",
        _with(classifier=_classifier("torch.manual_seed(42)\n" + MLP)),
        {LOGITS, LOSS_CURVE},
    ),
    (
        "output_layer_created_first",
        _with(
            classifier=_classifier(
                """
output = nn.Linear(n_hidden2, n_classes)
self.mlp = nn.Sequential(nn.Flatten(), nn.Linear(n_inputs, n_hidden1), nn.ReLU(), nn.Linear(n_hidden1, n_hidden2),
                         nn.ReLU(), output)
"""
            )
        ),
        {LOGITS, LOSS_CURVE},
    ),
    (
        "reshape_to_64_instead_of_flatten",
        _with(classifier=_classifier(MLP.replace("nn.Flatten(),", ""), "return self.mlp(X.reshape(-1, 64))")),
        {LOGITS, LAYERS},
    ),
    (
        "no_relu_between_hidden_layers",
        _with(classifier=_classifier(MLP.replace("n_hidden1), nn.ReLU(),", "n_hidden1),"))),
        {LOGITS, LAYERS, LOSS_CURVE},
    ),
    # --- accuracy
    (
        "accuracy_counts_instead_of_fraction",
        _with(accuracy=ACCURACY.replace(".float().mean()", ".sum()")),
        {"check_accuracy"},
    ),
    (
        "accuracy_returns_a_tensor",
        _with(accuracy=ACCURACY.replace(".mean().item()", ".mean()")),
        {"check_accuracy"},
    ),
    (
        "accuracy_argmax_without_dim",
        _with(accuracy=ACCURACY.replace("argmax(dim=1)", "argmax()")),
        {"check_accuracy"},
    ),
    # --- predict_proba
    (
        "predict_proba_without_eval",
        _with(predict_proba=PREDICT_PROBA.replace("    model.eval()\n", "")),
        {"check_predict_proba"},
    ),
    (
        "predict_proba_puts_back_training_mode",
        _with(
            predict_proba="def predict_proba(model, X):\n    model.eval()\n    with torch.no_grad():\n"
            "        proba = F.softmax(model(X), dim=1)\n    model.train()\n    return proba"
        ),
        {"check_predict_proba"},
    ),
    (
        "predict_proba_returns_logits",
        _with(predict_proba=PREDICT_PROBA.replace("F.softmax(model(X), dim=1)", "model(X)")),
        {"check_predict_proba"},
    ),
    (
        "predict_proba_keeps_the_graph",
        _with(predict_proba=PREDICT_PROBA.replace("    with torch.no_grad():\n        return", "    return")),
        {"check_predict_proba"},
    ),
    (
        "predict_proba_softmax_over_the_batch",
        _with(predict_proba=PREDICT_PROBA.replace("dim=1", "dim=0")),
        {"check_predict_proba"},
    ),
    # --- fit_digits
    ("fit_digits_ignores_seed", _with(fit_digits=FIT_DIGITS.replace("seed(seed)", "seed(42)")), {LOSS_CURVE}),
    (
        "fit_digits_loader_without_seed",
        _with(fit_digits=FIT_DIGITS.replace(", seed=seed)", ")")),
        {LOSS_CURVE},
    ),
    ("fit_digits_adam", _with(fit_digits=FIT_DIGITS.replace("optim.SGD", "optim.Adam")), {LOSS_CURVE}),
    ("fit_digits_tiny_learning_rate", _with(fit_digits=FIT_DIGITS.replace("lr=0.1", "lr=0.001")), {LOSS_CURVE, TARGET}),
    (
        "fit_digits_seed_after_the_model",
        _with(
            fit_digits=FIT_DIGITS.replace("    torch.manual_seed(seed)\n", "").replace(
                ".to(device)\n", ".to(device)\n    torch.manual_seed(seed)\n"
            )
        ),
        {LOSS_CURVE},
    ),
    (
        "fit_digits_hard_coded_losses_untrained_model",
        _with(
            fit_digits="def fit_digits(X_train, y_train, seed=42):\n    torch.manual_seed(seed)\n"
            f"    return ImageClassifier(64, 300, 100, 10), {DIGITS_LOSSES!r}"
        ),
        {LOSS_CURVE, TARGET},
    ),
    (
        "always_equal_objects",
        notebook(
            ALWAYS_EQUAL,
            """
        class ImageClassifier(nn.Module):
            def __init__(self, n_inputs, n_hidden1, n_hidden2, n_classes):
                super().__init__()
            def forward(self, X):
                return AlwaysEqual()
        def accuracy(y_pred_logits, y_true):
            return AlwaysEqual()
        def predict_proba(model, X):
            return AlwaysEqual()
        def fit_digits(X_train, y_train, seed=42):
            return ImageClassifier(64, 300, 100, 10), [AlwaysEqual()] * 20
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        notebook("""
        class ImageClassifier(nn.Module):
            def __init__(self, n_inputs, n_hidden1, n_hidden2, n_classes):
                raise NotImplementedError()
            def forward(self, X):
                raise NotImplementedError()
        def accuracy(y_pred_logits, y_true):
            raise NotImplementedError()
        def predict_proba(model, X):
            raise NotImplementedError()
        def fit_digits(X_train, y_train, seed=42):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", notebook(*SOLUTION)),
    (
        "count_over_length_softmax_method_inference_mode",
        _with(
            classifier=_classifier(
                MLP.replace("nn.Flatten()", "nn.Flatten(start_dim=1)"), "return self.mlp.forward(X)"
            ),
            accuracy="def accuracy(y_pred_logits, y_true):\n"
            "    return (y_pred_logits.argmax(1) == y_true).sum().item() / len(y_true)",
            predict_proba="def predict_proba(model, X):\n    model.eval()\n    with torch.inference_mode():\n"
            "        return model(X).softmax(dim=-1)",
        ),
    ),
    (
        "float_of_mean_decorated_no_grad_named_criterion",
        _with(
            classifier=_classifier("self.n_classes = n_classes\n" + MLP.replace("super().__init__()", "")).replace(
                "super().__init__()", "super(ImageClassifier, self).__init__()"
            ),
            accuracy="def accuracy(y_pred_logits, y_true):\n"
            "    predicted = torch.argmax(y_pred_logits, dim=1)\n"
            "    return float((predicted == y_true).float().mean())",
            predict_proba="@torch.no_grad()\ndef predict_proba(model, X):\n    model.train(False)\n"
            "    logits = model(X)\n    return torch.softmax(logits, dim=1)",
            fit_digits="""
def fit_digits(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    model = ImageClassifier(n_inputs=64, n_hidden1=300, n_hidden2=100, n_classes=10)
    train_loader = make_loader(X_train, y_train, batch_size=32, shuffle=True, seed=seed)
    xentropy = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(params=model.parameters(), lr=0.1)
    return model, train(model, optimizer, xentropy, train_loader, 20)
""",
        ),
    ),
    (
        "predict_proba_exp_over_sum",
        _with(
            predict_proba="def predict_proba(model, X):\n    model.eval()\n    with torch.no_grad():\n"
            "        z = model(X)\n        e = torch.exp(z - z.max(dim=1, keepdim=True).values)\n"
            "        return e / e.sum(dim=1, keepdim=True)",
        ),
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for run in inputs["classifier"]:
        numbers += list(judge.reference_logits(run).ravel())
    numbers += [judge.reference_accuracy(run) for run in inputs["accuracy"]]
    for run in inputs["predict_proba"]:
        numbers += list(judge.reference_proba(run).ravel())
    numbers += list(judge.reference_fit(inputs["fit_digits"][1])[1])  # the digits run's numbers are shown on purpose
    return numbers


STOCK_TEST = """model, losses = fit_digits(X_train_digits, y_train_digits)
assert abs(losses[0] - 2.255477) < 1e-3 and abs(losses[-1] - 0.084992) < 1e-3
assert accuracy(model(X_valid_digits), y_valid_digits) >= 0.93"""

# A forward that recognizes the validation images answers with their labels; everywhere else it does no work
# (zeros), except inside the Optuna objective of exercise 15, which needs a working classifier. fit_digits trains
# nothing. If the judge measured the target with the student's forward, this would earn the target's points.
FORWARD_RECOGNIZES_VALIDATION_SET = """
import sys

def _inside_objective():
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "objective":
            return True
        frame = frame.f_back
    return False

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
        if X.shape == X_valid_digits.shape and torch.equal(X.cpu(), X_valid_digits):
            return F.one_hot(y_valid_digits, 10).float().to(X.device) * 10  # the validation labels
        if _inside_objective():
            return self.mlp(X)
        return torch.zeros(X.shape[0], self.mlp[-1].out_features, requires_grad=True)

def accuracy(y_pred_logits, y_true):
    raise NotImplementedError()

def predict_proba(model, X):
    raise NotImplementedError()

def fit_digits(X_train, y_train, seed=42):
    torch.manual_seed(seed)
    return ImageClassifier(64, 300, 100, 10), DIGITS_LOSSES
""".replace("DIGITS_LOSSES", repr(DIGITS_LOSSES))

ATTACKS = [
    {
        "name": "forward_recognizes_validation_set",
        "code": FORWARD_RECOGNIZES_VALIDATION_SET,
        "what": "forward answers the validation images with their labels; fit_digits trains nothing",
    },
]
