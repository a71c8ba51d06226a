"""Every exercise, discovered, judged as intended: its parts exist, its checks catch and pass what they should.

For each folder in `autograder/exercises/` (and each row of the contract):
the probe, the judge (draw, reference, checks, a typical mistake) and the test
cases (`tests/cases/<id>.py`) exist; every wrong answer loses points on the
checks it names, with a short pt-BR message; every correct alternative gets
full marks; every check can fail on its own; the points add up to the
contract's; stubs score zero; messages never give away the judge's expected
numbers on hidden inputs. Everything runs in process (`judge_in_process`), on
several seeds of hidden inputs: correct answers on three (a fair check passes
whatever the draw), wrong answers on two (of the same three); the fast tier
(`make check`) runs the first seed, the others are marked `slow` (`make test`
runs them all).
"""

import json
from functools import cache

import numpy as np
import pytest
import torch
import torch.nn as nn
from cases import cases
from support import ROOT

from autograder import exercises
from autograder.check import judge_in_process
from autograder.course import EXERCISES, markdown_table
from autograder.judge import Fail, expect_trajectory
from autograder.judge.scoring import MALFORMED_MESSAGE

SEEDS = (0, 1, 2024)  # correct answers, stubs
WRONG_SEEDS = SEEDS[:2]  # wrong answers: caught on two draws (the leak test reads the same two)


def _marks(exercise_id, seed):
    """One worker judges all of an exercise's cases, so the leak test finds them in `judged`'s cache."""
    return (pytest.mark.xdist_group(exercise_id), *(() if seed == SEEDS[0] else (pytest.mark.slow,)))


DISCOVERED = exercises.exercise_ids()

# Words that would betray an English (or raw Python) message instead of pt-BR feedback.
ENGLISH = ("Traceback", "expected", "Expected", "should", "Error:", "got ")


def judge(exercise_id):
    return exercises.judge(exercise_id)


def check_names(exercise_id):
    return [fn.__name__ for fn in judge(exercise_id).CHECKS]


def gates(exercise_id):
    return {fn.__name__ for fn in judge(exercise_id).CHECKS if fn.gate}


def expand(exercise_id, names):
    """The listed check names, with "*" standing for every check that carries points."""
    scoring = {fn.__name__ for fn in judge(exercise_id).CHECKS if fn.points > 0}
    return (set(names) - {"*"}) | (scoring if "*" in names else set())


def _find(kind, exercise_id, name):
    table = cases(exercise_id).WRONG if kind == "wrong" else cases(exercise_id).CORRECT
    for entry in table:
        if entry[0] == name:
            return entry
    raise KeyError(name)


@cache
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
        lines.append(
            f"  {'ok' if c.passed else 'FALHOU'} {c.name} ({c.points:g}/{c.max_points:g})"
            + ("" if c.passed else f": {c.message}")
        )
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


# --------------------------------------------------------------------------- each exercise is complete


def test_contract_and_folders_name_the_same_exercises():
    assert sorted(EXERCISES) == DISCOVERED


@pytest.mark.parametrize("exercise_id", DISCOVERED)
def test_exercise_has_every_part(exercise_id):
    """Adding an exercise: this fails until its probe, judge and cases are all there."""
    probe = exercises.probe(exercise_id)
    assert callable(getattr(probe, "probe", None)), "probe.py: falta a função probe(ns, inputs)"
    j = judge(exercise_id)
    assert callable(getattr(j, "draw", None)), "judge.py: falta draw(rng)"
    assert getattr(j, "CHECKS", None), "judge.py: falta CHECKS"
    reference = getattr(j, "REFERENCE", ())
    assert reference and all(callable(f) and f.__module__ == j.__name__ for f in reference), (
        "judge.py: falta REFERENCE, as implementações de referência definidas no próprio juiz"
    )
    assert isinstance(getattr(j, "MISTAKE", None), str), "judge.py: falta MISTAKE (um erro típico, para o demo)"
    c = cases(exercise_id)
    assert getattr(c, "WRONG", None), f"tests/cases/{exercise_id}.py: falta WRONG"
    assert any(name == "solution" for name, _ in getattr(c, "CORRECT", [])), (
        f"tests/cases/{exercise_id}.py: falta CORRECT com a variante 'solution'"
    )
    assert callable(getattr(c, "hidden_numbers", None)), f"tests/cases/{exercise_id}.py: falta hidden_numbers"
    assert isinstance(getattr(c, "STOCK_TEST", None), str), f"tests/cases/{exercise_id}.py: falta STOCK_TEST"


def test_readme_lists_every_exercise():
    assert markdown_table() in (ROOT / "README.md").read_text(), (
        "the README's exercise table is out of date: paste autograder.course.markdown_table()"
    )


# --------------------------------------------------------------------------- the checks


def _wrong_cases():
    return [
        pytest.param(ex, name, seed, id=f"{ex}/{name}/seed{seed}", marks=_marks(ex, seed))
        for ex in DISCOVERED
        for name, _, _ in cases(ex).WRONG
        for seed in WRONG_SEEDS
    ]


def _correct_cases():
    return [
        pytest.param(ex, name, seed, id=f"{ex}/{name}/seed{seed}", marks=_marks(ex, seed))
        for ex in DISCOVERED
        for name, _ in cases(ex).CORRECT
        for seed in SEEDS
    ]


@pytest.mark.parametrize("exercise_id,name,seed", _wrong_cases())
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


@pytest.mark.parametrize("exercise_id,name,seed", _correct_cases())
def test_correct_submission_gets_full_marks(exercise_id, name, seed):
    result = judged("correct", exercise_id, name, seed)
    assert result.note is None, report(result)
    assert result.score == result.max_score, report(result)
    assert all(c.passed for c in result.checks), report(result)


def _incidental(with_seeds=True):
    return [
        pytest.param(
            ex,
            name,
            checks,
            points,
            *([seed] if with_seeds else []),
            id=f"{ex}/{name}/seed{seed}",
            marks=_marks(ex, seed),
        )
        for ex in DISCOVERED
        for name, checks, points in getattr(cases(ex), "INCIDENTAL", [])
        for seed in (WRONG_SEEDS if with_seeds else SEEDS[:1])
    ]


@pytest.mark.parametrize("exercise_id,name,function_checks,function_points", _incidental(with_seeds=False))
def test_incidental_cases_name_their_function(exercise_id, name, function_checks, function_points):
    """INCIDENTAL names wrong answers, and all the checks (and points) of the function they get wrong."""
    assert any(entry[0] == name for entry in cases(exercise_id).WRONG), name
    checks = {fn.__name__: fn.points for fn in judge(exercise_id).CHECKS}
    assert function_checks <= set(checks), function_checks - set(checks)
    assert sum(checks[c] for c in function_checks) == pytest.approx(function_points)


@pytest.mark.parametrize("exercise_id,name,function_checks,function_points,seed", _incidental())
def test_incidental_properties_alone_earn_at_most_a_third(exercise_id, name, function_checks, function_points, seed):
    """COURSE.md: an answer that gets only incidental properties right (a value with no graph in fix_inplace, a
    Gram matrix computed elsewhere and then moved in gram_on) earns at most a third of that function's points."""
    result = judged("wrong", exercise_id, name, seed)
    earned = sum(c.points for c in result.checks if c.name in function_checks)
    assert earned <= function_points / 3 + 1e-9, report(result)


@pytest.mark.parametrize("exercise_id", [pytest.param(ex, marks=_marks(ex, SEEDS[0])) for ex in DISCOVERED])
def test_stub_scores_zero(exercise_id):
    for seed in SEEDS:
        result = judged("wrong", exercise_id, "stub_not_implemented", seed)
        assert result.score == 0, report(result)
        assert result.messages, report(result)


@pytest.mark.parametrize("exercise_id", DISCOVERED)
def test_points_add_up_to_the_contract(exercise_id):
    checks = judge(exercise_id).CHECKS
    assert sum(fn.points for fn in checks) == pytest.approx(EXERCISES[exercise_id].points)
    assert len(set(check_names(exercise_id))) == len(checks), "nomes de verificação repetidos"
    for fn in checks:
        assert fn.points >= 0 and (fn.points > 0 or fn.gate), fn.__name__


@pytest.mark.parametrize("exercise_id", DISCOVERED)
def test_case_tables_are_consistent(exercise_id):
    c = cases(exercise_id)
    known = set(check_names(exercise_id)) | {"*"}
    names = [e[0] for e in c.WRONG] + [e[0] for e in c.CORRECT]
    assert len(names) == len(set(names)), "nomes de variantes repetidos"
    assert "stub_not_implemented" in names
    for name, _, must_fail in c.WRONG:
        assert must_fail, f"{name}: nenhuma verificação listada"
        assert set(must_fail) <= known, f"{name}: verificações desconhecidas {set(must_fail) - known}"


@pytest.mark.parametrize("exercise_id", DISCOVERED)
def test_every_check_can_fail(exercise_id):
    """Each check is named (not just covered by "*") by some wrong variant, so each can fail on its own."""
    named = set()
    for _, _, must_fail in cases(exercise_id).WRONG:
        named |= set(must_fail) - {"*"}
    never = [name for name in check_names(exercise_id) if name not in named]
    assert not never, f"nenhuma variante errada faz falhar: {never}"


@pytest.mark.parametrize("exercise_id", DISCOVERED)
def test_typical_mistake_loses_points(exercise_id):
    namespace = {"torch": torch, "np": np, "nn": nn, "__name__": "__main__"}
    code = judge(exercise_id).MISTAKE
    if exercise_id == "fix_inplace":
        from cases.common import Z_BUGGY

        code = Z_BUGGY + code
    code = getattr(cases(exercise_id), "GIVEN", "") + code  # what the notebook defines before the exercise's cell
    exec(compile(code, f"<{exercise_id}/MISTAKE>", "exec"), namespace)
    result = judge_in_process(exercise_id, namespace, SEEDS[0])
    assert 0 < result.score < result.max_score or result.messages, report(result)
    assert result.score < result.max_score, report(result)


# --------------------------------------------------------------------------- no leaks


def _hidden_expected_numbers(exercise_id, seed):
    j = judge(exercise_id)
    inputs = json.loads(json.dumps(j.draw(np.random.default_rng(seed))))
    return [float(v) for v in cases(exercise_id).hidden_numbers(j, inputs)]


def _leak_strings(numbers):
    out = set()
    for v in numbers:
        if not np.isfinite(v) or abs(v) < 1e-3:
            continue  # "0.000000" says nothing about the hidden inputs
        out |= {f"{v:.6f}", f"{v:.5f}", f"{v:.4f}"} if abs(v) >= 1 else {f"{v:.6f}", f"{v:.5f}"}
        out |= {s.replace(".", ",") for s in list(out)}  # prose uses the decimal comma
    return out


@pytest.mark.parametrize(
    "exercise_id,seed",
    [
        pytest.param(ex, seed, id=f"{ex}/seed{seed}", marks=_marks(ex, seed))
        for ex in DISCOVERED
        for seed in WRONG_SEEDS
    ],
)
def test_messages_never_show_hidden_expected_numbers(exercise_id, seed):
    c = cases(exercise_id)
    leaks = _leak_strings(_hidden_expected_numbers(exercise_id, seed))
    if not leaks:
        assert getattr(c, "NO_HIDDEN_VALUES", None), (
            f"tests/cases/{exercise_id}.py: hidden_numbers is empty; say why in NO_HIDDEN_VALUES"
        )
    else:
        for name, _, _ in c.WRONG:
            result = judged("wrong", exercise_id, name, seed)
            for message in result.messages:
                found = sorted(s for s in leaks if s in message)
                assert not found, f"{exercise_id}/{name}: a mensagem revela {found}: {message!r}"


def test_leak_detector_would_catch_a_leak():
    """Feedback that showed values on a hidden run (as it may on housing) is caught by the leak test."""
    j = judge("bgd_loop")
    inputs = j.draw(np.random.default_rng(SEEDS[0]))
    expected = j.reference_run(inputs["runs"][1])[2]
    leaks = _leak_strings(_hidden_expected_numbers("bgd_loop", SEEDS[0]))
    with pytest.raises(Fail) as shown:
        expect_trajectory(expected * 1.5, expected, "train_linear_bgd", show_values=True)
    assert any(s in str(shown.value) for s in leaks)
    with pytest.raises(Fail) as hidden:
        expect_trajectory(expected * 1.5, expected, "train_linear_bgd", show_values=False)
    assert not any(s in str(hidden.value) for s in leaks)
