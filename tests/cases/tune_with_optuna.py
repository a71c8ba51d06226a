"""Test cases of `tune_with_optuna`: wrong answers each check must catch, correct ones that must pass, and more.

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

from .common import ALL, ALWAYS_EQUAL, cell
from .custom_models import GIVEN, IMAGE_CLASSIFIER, notebook

GIVEN = GIVEN + "\n\n" + cell(IMAGE_CLASSIFIER)  # what the notebook defines before this exercise's cell

OBJECTIVE = """
def objective(trial, train_loader, valid_loader, n_epochs=5):
    learning_rate = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    n_hidden = trial.suggest_int("n_hidden", 20, 300)
    model = ImageClassifier(64, n_hidden, n_hidden, 10).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    xentropy = nn.CrossEntropyLoss()
    best_accuracy = 0.0
    for epoch in range(n_epochs):
        train(model, optimizer, xentropy, train_loader, n_epochs=1)
        n_correct = evaluate(model, valid_loader, lambda logits, y: (logits.argmax(dim=1) == y).sum(), torch.sum)
        valid_accuracy = n_correct.item() / len(valid_loader.dataset)
        best_accuracy = max(best_accuracy, valid_accuracy)
        trial.report(valid_accuracy, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return best_accuracy
"""


def _with(objective=OBJECTIVE):
    return notebook(objective, before=(IMAGE_CLASSIFIER,))


SUGGESTS, RETURNS = "check_objective_suggests_the_chapter_parameters", "check_objective_returns_best_accuracy"
REPORTS, PRUNES = "check_objective_reports_each_epoch", "check_objective_prunes_when_told"
MEAN_OF_BATCHES = (
    "n_correct = evaluate(model, valid_loader, lambda logits, y: (logits.argmax(dim=1) == y).sum(), torch.sum)\n"
    "        valid_accuracy = n_correct.item() / len(valid_loader.dataset)"
)

WRONG = [
    (
        "mean_of_batch_accuracies",
        _with(
            OBJECTIVE.replace(
                MEAN_OF_BATCHES,
                "valid_accuracy = evaluate(model, valid_loader, "
                "lambda logits, y: (logits.argmax(dim=1) == y).float().mean()).item()",
            )
        ),
        {RETURNS, REPORTS},
    ),
    ("learning_rate_without_log_scale", _with(OBJECTIVE.replace(", log=True)", ")")), {SUGGESTS}),
    ("n_hidden_other_range", _with(OBJECTIVE.replace('"n_hidden", 20, 300', '"n_hidden", 10, 300')), {SUGGESTS}),
    ("learning_rate_other_name", _with(OBJECTIVE.replace('"learning_rate"', '"lr"')), {SUGGESTS, RETURNS, REPORTS}),
    (
        "never_asks_to_prune",
        _with(
            OBJECTIVE.replace(
                "        if trial.should_prune():\n            raise", "        if False:\n            raise"
            )
        ),
        {PRUNES},
    ),
    (
        "reports_steps_from_one",
        _with(OBJECTIVE.replace("trial.report(valid_accuracy, epoch)", "trial.report(valid_accuracy, epoch + 1)")),
        {REPORTS, PRUNES},
    ),
    (
        "fixes_a_seed_inside",
        _with(
            OBJECTIVE.replace("    model = ImageClassifier", "    torch.manual_seed(42)\n    model = ImageClassifier")
        ),
        {RETURNS, REPORTS},
    ),
    ("ignores_n_epochs", _with(OBJECTIVE.replace("range(n_epochs)", "range(5)")), {REPORTS}),
    (
        "fixed_hidden_size",
        _with(OBJECTIVE.replace("ImageClassifier(64, n_hidden, n_hidden, 10)", "ImageClassifier(64, 100, 100, 10)")),
        {RETURNS, REPORTS},
    ),
    (
        "returns_a_tensor",
        _with(OBJECTIVE.replace("valid_accuracy = n_correct.item() / len", "valid_accuracy = n_correct / len")),
        {RETURNS},
    ),
    (
        "always_pruned",
        _with(
            OBJECTIVE.replace("    best_accuracy = 0.0\n", "    best_accuracy = 0.0\n    raise optuna.TrialPruned()\n")
        ),
        ALL,
    ),
    (
        "always_equal_objects",
        notebook(
            ALWAYS_EQUAL,
            """
        def objective(trial, train_loader, valid_loader, n_epochs=5):
            trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
            trial.suggest_int("n_hidden", 20, 300)
            return AlwaysEqual()
        """,
            before=(IMAGE_CLASSIFIER,),
        ),
        {RETURNS, REPORTS, PRUNES},  # its suggestions are right, but no number is: it scores 0
    ),
    (
        "stub_not_implemented",
        notebook(
            """
        def objective(trial, train_loader, valid_loader, n_epochs=5):
            raise NotImplementedError()
        """,
            before=(IMAGE_CLASSIFIER,),
        ),
        ALL,
    ),
]

CORRECT = [
    ("solution", _with()),
    (
        "loguniform_own_loop_float",
        _with("""
def objective(trial, train_loader, valid_loader, n_epochs=5):
    learning_rate = trial.suggest_loguniform("learning_rate", 0.00001, 0.1)
    n_hidden = trial.suggest_int("n_hidden", low=20, high=300, step=1)
    model = ImageClassifier(64, n_hidden, n_hidden, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    criterion = nn.CrossEntropyLoss()
    accuracies = []
    for epoch in range(n_epochs):
        train(model, optimizer, criterion, train_loader, 1)
        model.eval()
        correct = 0
        with torch.no_grad():
            for X_batch, y_batch in valid_loader:
                correct += (model(X_batch).argmax(dim=1) == y_batch).sum().item()
        accuracy = correct / len(valid_loader.dataset)
        accuracies.append(accuracy)
        trial.report(accuracy, step=epoch)
        if trial.should_prune():
            raise optuna.exceptions.TrialPruned()
    return float(max(accuracies))
"""),
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for i in range(len(inputs["runs"])):
        returned, reports = judge.reference_run(inputs, i)
        numbers += reports + ([returned] if returned is not None else [])
    return numbers


STOCK_TEST = """trial = optuna.trial.FixedTrial({"learning_rate": 0.1, "n_hidden": 100})
value = objective(trial, train_loader, valid_loader, n_epochs=3)
assert type(value) is float and 0.0 < value <= 1.0"""

# The objective trains nothing. It writes what a grader that trusted the trial would read as a perfect
# run straight into the trial's storage (the chapter's distributions, a report of 1.0 per epoch) and
# returns 1.0; the cell also patches Trial.should_prune, so that no trial ever asks to prune.
FORGED_TRIAL = """
from optuna.distributions import FloatDistribution, IntDistribution

optuna.trial.Trial.should_prune = lambda self: False

def objective(trial, train_loader, valid_loader, n_epochs=5):
    storage, trial_id = trial.storage, trial._trial_id
    storage.set_trial_param(trial_id, "learning_rate", 0.05, FloatDistribution(1e-5, 1e-1, log=True))
    storage.set_trial_param(trial_id, "n_hidden", 100, IntDistribution(20, 300))
    for epoch in range(n_epochs):
        storage.set_trial_intermediate_value(trial_id, epoch, 1.0)
    return 1.0
"""

ATTACKS = [
    {
        "name": "forged_optuna_trial",
        "code": FORGED_TRIAL,
        "what": "objective writes a perfect record into the trial's storage, patches should_prune, returns 1.0",
    },
]
