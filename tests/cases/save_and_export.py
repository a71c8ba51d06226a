"""Test cases of `save_and_export`: wrong answers each check must catch, correct ones that must pass, and more.

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

import numpy as np

from autograder.judge import decode

from .common import ALL, ALWAYS_EQUAL
from .custom_models import GIVEN, notebook  # noqa: F401 - GIVEN: what MISTAKE runs after

SAVE = """
def save_model(model, hyperparameters, path):
    torch.save({"model_state_dict": model.state_dict(), "model_hyperparameters": hyperparameters}, path)
"""
LOAD = """
def load_model(model_class, path):
    model_data = torch.load(path, weights_only=True)
    model = model_class(**model_data["model_hyperparameters"])
    model.load_state_dict(model_data["model_state_dict"])
    model.eval()
    return model
"""
EXPORT = """
def export_model(model, example_input, path):
    batch = torch.export.Dim("batch")
    program = torch.export.export(model, (example_input,), dynamic_shapes=({0: batch},))
    torch.export.save(program, path)
"""


def _with(save=SAVE, load=LOAD, export=EXPORT):
    return notebook(save, load, export)


SAVES, REBUILDS = "check_save_model_writes_weights_and_hyperparameters", "check_load_model_rebuilds_in_eval_mode"
REFUSES, EXPORTS = "check_load_model_refuses_arbitrary_objects", "check_export_handles_other_batch_sizes"
UNCHANGED = "check_functions_leave_the_model_unchanged"

WRONG = [
    # --- save_model
    (
        "save_whole_model",
        _with(save="def save_model(model, hyperparameters, path):\n    torch.save(model, path)"),
        {SAVES},
    ),
    ("save_extra_key", _with(save=SAVE.replace("hyperparameters}", 'hyperparameters, "epoch": 20}')), {SAVES}),
    ("save_other_key_names", _with(save=SAVE.replace('"model_state_dict"', '"state_dict"')), {SAVES}),
    (
        "save_hyperparameters_as_text",
        _with(
            save=SAVE.replace(
                '"model_hyperparameters": hyperparameters', '"model_hyperparameters": str(hyperparameters)'
            )
        ),
        {SAVES},
    ),
    (
        "save_puts_the_model_in_eval_mode",
        _with(save=SAVE.replace("    torch.save(", "    model.eval()\n    torch.save(")),
        {UNCHANGED},
    ),
    # --- load_model
    ("load_with_weights_only_false", _with(load=LOAD.replace("weights_only=True", "weights_only=False")), {REFUSES}),
    ("load_without_eval", _with(load=LOAD.replace("    model.eval()\n", "")), {REBUILDS}),
    (
        "load_returns_the_checkpoint",
        _with(load="def load_model(model_class, path):\n    return torch.load(path, weights_only=True)"),
        {REBUILDS, REFUSES},
    ),
    (
        "load_returns_the_last_saved_model",
        _with(
            save=SAVE.replace("    torch.save(", "    global _last_model\n    _last_model = model\n    torch.save("),
            load="def load_model(model_class, path):\n    torch.load(path, weights_only=True)\n"
            "    return _last_model.eval()",
        ),
        {REBUILDS, REFUSES},
    ),
    (
        "load_keeps_fresh_weights",
        _with(load=LOAD.replace('    model.load_state_dict(model_data["model_state_dict"])\n', "")),
        {REBUILDS, REFUSES},
    ),
    # --- export_model
    ("export_with_a_static_batch", _with(export=EXPORT.replace(", dynamic_shapes=({0: batch},)", "")), {EXPORTS}),
    (
        "export_saves_the_state_dict",
        _with(export="def export_model(model, example_input, path):\n    torch.save(model.state_dict(), path)"),
        {EXPORTS, UNCHANGED},
    ),
    (
        "export_in_training_mode",
        _with(export=EXPORT.replace("    batch =", "    model.train()\n    batch =")),
        {UNCHANGED},
    ),
    (
        "always_equal_objects",
        notebook(
            ALWAYS_EQUAL,
            """
        def save_model(model, hyperparameters, path):
            torch.save({"model_state_dict": AlwaysEqual(), "model_hyperparameters": AlwaysEqual()}, path)
        def load_model(model_class, path):
            return AlwaysEqual()
        def export_model(model, example_input, path):
            return AlwaysEqual()
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        notebook("""
        def save_model(model, hyperparameters, path):
            raise NotImplementedError()
        def load_model(model_class, path):
            raise NotImplementedError()
        def export_model(model, example_input, path):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", _with()),
    (
        "default_weights_only_strict_eval_by_train_false",
        _with(
            save="""
def save_model(model, hyperparameters, path):
    model_data = {
        "model_state_dict": model.state_dict(),
        "model_hyperparameters": hyperparameters,
    }
    torch.save(model_data, path)
""",
            load="""
def load_model(model_class, path):
    checkpoint = torch.load(path, map_location="cpu")  # weights_only=True is torch.load's default
    model = model_class(**checkpoint["model_hyperparameters"])
    model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    return model.train(False)
""",
            export="""
from torch.export import Dim, export

def export_model(model, example_input, path):
    exported_program = export(model, args=(example_input,), dynamic_shapes=[{0: Dim.DYNAMIC}])
    torch.export.save(exported_program, path)
""",
        ),
    ),
    (
        "auto_dim_and_pathlib",
        _with(
            load=LOAD.replace("torch.load(path,", "torch.load(open(path, 'rb'),"),
            export="""
from pathlib import Path

def export_model(model, example_input, path):
    program = torch.export.export(model, (example_input,), dynamic_shapes=({0: torch.export.Dim.AUTO},))
    torch.export.save(program, Path(path))
""",
        ),
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for spec in (inputs["save"], inputs["load"], inputs["export"]):
        for weights in spec["weights"].values():
            numbers += list(decode(weights).ravel())
    numbers += list(np.ravel(judge.reference_program_output(inputs["export"])))
    return numbers


STOCK_TEST = """import tempfile
folder = tempfile.mkdtemp()
hyperparameters = {"n_inputs": 64, "n_hidden1": 16, "n_hidden2": 8, "n_classes": 10}
model = ImageClassifier(**hyperparameters)
save_model(model, hyperparameters, f"{folder}/m.pt")
data = torch.load(f"{folder}/m.pt", weights_only=True)
assert set(data) == {"model_state_dict", "model_hyperparameters"}
loaded = load_model(ImageClassifier, f"{folder}/m.pt")
assert not loaded.training
assert torch.allclose(loaded(X_valid_digits[:4]), model(X_valid_digits[:4]))
export_model(model.eval(), X_valid_digits[:5], f"{folder}/m.pt2")
assert torch.export.load(f"{folder}/m.pt2").module()(X_valid_digits[:3]).shape == (3, 10)"""

# save_model writes a pickle that runs code when it is loaded (it would also rebuild exactly the expected
# checkpoint, so a grader that unpickled it with weights_only=False would give full marks). load_model and
# export_model are stubs. It must earn nothing, and the code must run nowhere: not in the grader, which never
# loads a student's file, and not in the sandbox, where the probe loads with weights_only=True.
PICKLE_RUNS_CODE_WHEN_LOADED = """
class _Checkpoint(dict):
    def __reduce__(self):
        source = "(__import__('os').system('touch /tmp/unpickled'), CONTENT)[1]"
        return (eval, (source.replace("CONTENT", repr(dict(self))),))

def save_model(model, hyperparameters, path):
    torch.save({"model_state_dict": model.state_dict(), "model_hyperparameters": _Checkpoint(hyperparameters)}, path)

def load_model(model_class, path):
    raise NotImplementedError()

def export_model(model, example_input, path):
    raise NotImplementedError()
"""

ATTACKS = [
    {
        "name": "save_model_pickle_runs_code_when_loaded",
        "code": PICKLE_RUNS_CODE_WHEN_LOADED,
        "what": "save_model writes a pickle whose loading runs code (a grader that unpickled it would be owned)",
    },
]
