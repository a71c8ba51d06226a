"""The hidden checks judge real submissions as intended.

Every wrong submission in `variants.py` loses points on the checks it names,
with a short pt-BR message; every correct alternative gets full marks; every
check can fail; the points add up to the contract's; the messages about hidden
inputs never give away the judge's expected numbers. Everything runs in
process (`judge_in_process`), on two or three seeds of hidden inputs.
"""

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.framework import MALFORMED_MESSAGE
import torch
import torch.nn as nn

_SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "scikit_learn_data"
if _SHARED_DATA.is_dir():
    os.environ.setdefault("SCIKIT_LEARN_DATA", str(_SHARED_DATA))

from autograder import reference  # noqa: E402
from autograder.check import judge_in_process  # noqa: E402
from autograder.checks import module_for  # noqa: E402
from autograder.checks.encoding import decode  # noqa: E402
from autograder.course import EXERCISES  # noqa: E402

try:
    from . import variants
except ImportError:  # tests/ is not a package
    import variants

SEEDS = (0, 1, 2024)

# Words that would betray an English (or raw Python) message instead of pt-BR feedback.
ENGLISH = ("Traceback", "expected", "Expected", "should", "Error:", "got ")


def check_names(exercise_id):
    return [fn.__name__ for fn in module_for(exercise_id).CHECKS]


def gates(exercise_id):
    return {fn.__name__ for fn in module_for(exercise_id).CHECKS if fn.gate}


def expand(exercise_id, names):
    """The listed check names, with "*" standing for every check that carries points."""
    scoring = {fn.__name__ for fn in module_for(exercise_id).CHECKS if fn.points > 0}
    return (set(names) - {"*"}) | (scoring if "*" in names else set())


def _find(kind, exercise_id, name):
    table = variants.WRONG if kind == "wrong" else variants.CORRECT
    for entry in table[exercise_id]:
        if entry[0] == name:
            return entry
    raise KeyError(name)


@lru_cache(maxsize=None)
def judged(kind, exercise_id, name, seed):
    """Exec the submission in a fresh namespace, then judge it on `seed`'s hidden inputs."""
    code = _find(kind, exercise_id, name)[1]
    namespace = {"torch": torch, "np": np, "nn": nn, "__name__": "__main__"}
    exec(compile(code, f"<{exercise_id}/{name}>", "exec"), namespace)
    torch.manual_seed(12345)  # the grader's own global RNG state must not matter; keep it steady anyway
    return judge_in_process(exercise_id, namespace, seed)


def report(result):
    lines = [f"{result.id}: {result.score:g}/{result.max_score:g}"]
    if result.note:
        lines.append(f"  nota: {result.note}")
    for c in result.checks:
        lines.append(f"  {'ok' if c.passed else 'FALHOU'} {c.name} ({c.points:g}/{c.max_points:g})"
                     + ("" if c.passed else f": {c.message}"))
    return "\n".join(lines)


def assert_messages_are_feedback(result):
    assert result.note != MALFORMED_MESSAGE, f"o juiz tratou a submissão como dados inválidos\n{report(result)}"
    for c in result.checks:
        if c.passed:
            continue
        assert isinstance(c.message, str) and c.message.strip(), f"{c.name} falhou sem mensagem\n{report(result)}"
        assert "\n" not in c.message, f"{c.name}: mensagem com várias linhas: {c.message!r}"
        for word in ENGLISH:
            assert word not in c.message, f"{c.name}: mensagem não parece pt-BR ({word!r}): {c.message!r}"
        # "found X; expected X" tells the student nothing (e.g. an nn.Parameter described as a tensor)
        assert "um torch.Tensor; esperado torch.Tensor" not in c.message, f"{c.name}: {c.message!r}"


WRONG_CASES = [pytest.param(ex, name, seed, id=f"{ex}/{name}/seed{seed}")
               for ex, entries in variants.WRONG.items() for name, _, _ in entries for seed in SEEDS]
CORRECT_CASES = [pytest.param(ex, name, seed, id=f"{ex}/{name}/seed{seed}")
                 for ex, entries in variants.CORRECT.items() for name, _ in entries for seed in SEEDS]


@pytest.mark.parametrize("exercise_id,name,seed", WRONG_CASES)
def test_wrong_submission_loses_points(exercise_id, name, seed):
    _, _, must_fail = _find("wrong", exercise_id, name)
    result = judged("wrong", exercise_id, name, seed)
    assert result.score < result.max_score, report(result)
    failed = {c.name for c in result.checks if not c.passed}
    missing = expand(exercise_id, must_fail) - failed
    assert not missing, f"deviam falhar: {sorted(missing)}\n{report(result)}"
    if "*" in must_fail or must_fail & gates(exercise_id):
        assert result.score == 0, report(result)
    assert_messages_are_feedback(result)


@pytest.mark.parametrize("exercise_id,name,seed", CORRECT_CASES)
def test_correct_submission_gets_full_marks(exercise_id, name, seed):
    result = judged("correct", exercise_id, name, seed)
    assert result.note is None, report(result)
    assert result.score == result.max_score, report(result)
    assert all(c.passed for c in result.checks), report(result)


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_stub_scores_zero(exercise_id):
    for seed in SEEDS:
        result = judged("wrong", exercise_id, "stub_not_implemented", seed)
        assert result.score == 0, report(result)
        assert result.messages, report(result)


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_points_add_up_to_the_contract(exercise_id):
    module = module_for(exercise_id)
    total = sum(fn.points for fn in module.CHECKS)
    assert total == pytest.approx(EXERCISES[exercise_id].points)
    assert len(set(check_names(exercise_id))) == len(module.CHECKS), "nomes de verificação repetidos"
    for fn in module.CHECKS:
        assert fn.points >= 0 and (fn.points > 0 or fn.gate), fn.__name__


def test_variant_tables_are_consistent():
    assert set(variants.WRONG) == set(EXERCISES) == set(variants.CORRECT)
    for ex in EXERCISES:
        known = set(check_names(ex)) | {"*"}
        names = [e[0] for e in variants.WRONG[ex]] + [e[0] for e in variants.CORRECT[ex]]
        assert len(names) == len(set(names)), f"{ex}: nomes de variantes repetidos"
        assert "stub_not_implemented" in names, ex
        assert any(name == "solution" for name, _ in variants.CORRECT[ex]), ex
        for name, _, must_fail in variants.WRONG[ex]:
            assert must_fail, f"{ex}/{name}: nenhuma verificação listada"
            assert set(must_fail) <= known, f"{ex}/{name}: verificações desconhecidas {set(must_fail) - known}"


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_every_check_can_fail(exercise_id):
    """Each check is named (not just covered by "*") by some wrong variant, so each can fail on its own."""
    named = set()
    for _, _, must_fail in variants.WRONG[exercise_id]:
        named |= set(must_fail) - {"*"}
    never = [name for name in check_names(exercise_id) if name not in named]
    assert not never, f"nenhuma variante errada faz falhar: {never}"


# --------------------------------------------------------------------------- no leaks

def _hidden_expected_numbers(exercise_id, seed):
    """What the judge expects on the hidden (synthetic) inputs of `seed`."""
    module = module_for(exercise_id)
    import json
    inputs = json.loads(json.dumps(module.draw(np.random.default_rng(seed))))
    numbers = []
    if exercise_id == "move_to_device":
        for spec in inputs["matrices"]:
            numbers += list(reference.gram(decode(spec)).ravel())
    elif exercise_id == "autograd_descent":
        numbers += [x0 ** 2 for x0 in inputs["square_and_grad"]] + [2 * x0 for x0 in inputs["square_and_grad"]]
        numbers += [reference.descend_closed_form(*args) for args in inputs["descend"]]
    elif exercise_id == "fix_inplace":
        for spec in inputs["t"]:
            t = decode(spec).astype(np.float64)
            numbers += list(np.ravel(np.exp(t) + 1)) + list(np.ravel(np.exp(t)))
    elif exercise_id == "prepare_data":
        for split in inputs["standardize"]:
            arrays = [decode(split[k]) for k in ("train", "valid", "test")]
            for out in reference.standardize(*arrays):
                numbers += list(out.numpy().ravel())
    elif exercise_id == "bgd_loop":
        for run in inputs["runs"][1:]:
            w, b, losses = module.reference_run(run)
            numbers += list(losses) + list(w.ravel()) + list(np.ravel(b))
    elif exercise_id == "train_nn_linear":
        model, losses = module.reference_fit(inputs["fit_linear"][1])
        numbers += list(losses) + list(model.weight.detach().numpy().ravel())
        for run in inputs["train_bgd"]:
            model = module._linear(run["model"])
            optimizer = torch.optim.SGD(model.parameters(), lr=run["lr"])
            numbers += reference.train_bgd(model, optimizer, nn.MSELoss(), module._tensor(run["X"]),
                                           module._tensor(run["y"]), run["n_epochs"])
        for run in inputs["predict"]:
            with torch.no_grad():
                numbers += list(module._linear(run["model"])(module._tensor(run["X"])).numpy().ravel())
    return [float(v) for v in numbers]


def _leak_strings(numbers):
    out = set()
    for v in numbers:
        if not np.isfinite(v) or abs(v) < 1e-3:
            continue  # "0.000000" says nothing about the hidden inputs
        out |= {f"{v:.6f}", f"{v:.5f}", f"{v:.4f}"} if abs(v) >= 1 else {f"{v:.6f}", f"{v:.5f}"}
    return out


LEAK_EXERCISES = ["move_to_device", "autograd_descent", "fix_inplace", "prepare_data", "bgd_loop",
                  "train_nn_linear"]


@pytest.mark.parametrize("exercise_id", LEAK_EXERCISES)
def test_messages_never_show_hidden_expected_numbers(exercise_id):
    for seed in SEEDS[:2]:
        leaks = _leak_strings(_hidden_expected_numbers(exercise_id, seed))
        assert leaks, "nada a procurar: o teste não verificaria coisa alguma"
        for name, _, _ in variants.WRONG[exercise_id]:
            result = judged("wrong", exercise_id, name, seed)
            for message in result.messages:
                found = sorted(s for s in leaks if s in message)
                assert not found, f"{exercise_id}/{name}: a mensagem revela {found}: {message!r}"


def test_leak_detector_would_catch_a_leak():
    """Feedback that showed values on a hidden run (as it may on housing) is caught by the leak test."""
    from autograder.checks.framework import Fail
    from autograder.checks.trajectories import expect_trajectory

    module = module_for("bgd_loop")
    inputs = module.draw(np.random.default_rng(SEEDS[0]))
    expected = module.reference_run(inputs["runs"][1])[2]
    leaks = _leak_strings(_hidden_expected_numbers("bgd_loop", SEEDS[0]))
    with pytest.raises(Fail) as shown:
        expect_trajectory(expected * 1.5, expected, "train_linear_bgd", show_values=True)
    assert any(s in str(shown.value) for s in leaks)
    with pytest.raises(Fail) as hidden:
        expect_trajectory(expected * 1.5, expected, "train_linear_bgd", show_values=False)
    assert not any(s in str(hidden.value) for s in leaks)
