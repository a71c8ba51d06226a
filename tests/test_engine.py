"""The grading engine, end to end: real notebooks, real processes, the `autograder grade` CLI."""

import json

import pytest
from support import grade, reference_answers, reference_with, run_cli, scores, write_submission

from autograder.course import ASSIGNMENTS

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_reference_answers_earn_full_marks_through_the_cli(tmp_path, assignment):
    path = write_submission(tmp_path, assignment, reference_answers(assignment))
    proc = run_cli("grade", path, "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["score"] == report["max_score"] == ASSIGNMENTS[assignment].points, report
    exercises = ASSIGNMENTS[assignment].exercises
    assert [t["tags"] for t in report["tests"]] == [[e.id] for e in exercises]
    for test, exercise in zip(report["tests"], exercises):
        assert test["name"] == exercise.title
        assert test["number"] == str(exercise.number)
        assert test["score"] == test["max_score"] == exercise.points
        assert test["visibility"] == "visible"
        assert isinstance(test["output"], str)
    assert isinstance(report["execution_time"], float)


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_released_stubs_earn_nothing(tmp_path, assignment):
    path = write_submission(tmp_path, assignment)
    result = grade(path)
    assert result.score == 0, scores(result)
    for exercise in result.exercises:
        assert any("NotImplementedError" in m for m in exercise.messages), exercise.messages


def test_human_table_lists_each_exercise_with_points_and_messages(tmp_path):
    answers = reference_with(
        "tensors_autograd",
        create_tensors=(
            "def make_matrix():\n    return torch.tensor([[1., 4., 7.], [2., 3., 6.]], dtype=torch.float64)\n"
            "def to_float32(a):\n    return torch.tensor(a, dtype=torch.float32)\n"
            "def column_vector(y):\n    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()\n"
        ),
    )
    path = write_submission(tmp_path, "tensors_autograd", answers)
    proc = run_cli("grade", path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for exercise in ASSIGNMENTS["tensors_autograd"].exercises:
        assert exercise.title in out and exercise.id in out
    assert "make_matrix() devolveu dtype torch.float64; esperado torch.float32" in out
    assert "11.75 / 12" in out


def test_cli_rejects_bad_input_with_one_line(tmp_path):
    text = tmp_path / "tensors_autograd.ipynb"
    text.write_text("isto não é um notebook")
    for args, fragment in [
        ((text,), "not a Jupyter notebook"),
        ((tmp_path / "missing_tensors_autograd.ipynb",), "no such file"),
        ((tmp_path,), "cannot read"),
    ]:
        proc = run_cli("grade", *args)
        assert proc.returncode != 0
        assert fragment in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    other = write_submission(tmp_path, "tensors_autograd", name="homework.ipynb")
    proc = run_cli("grade", other)
    assert proc.returncode != 0 and "--assignment" in proc.stderr
    proc = run_cli("grade", other, "--assignment", "nope")
    assert proc.returncode != 0 and "invalid choice" in proc.stderr
    proc = run_cli("grade", other, "--assignment", "tensors_autograd")
    assert proc.returncode == 0 and "0 / 12" in proc.stdout


def test_regrading_the_same_submission_gives_the_same_score(tmp_path):
    answers = reference_with(
        "tensors_autograd",
        autograd_descent=(
            "def square_and_grad(x0):\n    return float(x0 ** 2), float(2 * x0)\n"
            "def descend(x0, lr, n_iter):\n"
            "    x = torch.tensor(x0, requires_grad=True)\n"
            "    for _ in range(n_iter):\n"
            "        (x ** 2).backward()\n"
            "        with torch.no_grad():\n"
            "            x -= lr * x.grad\n"
            "    return x\n"
        ),
    )
    path = write_submission(tmp_path, "tensors_autograd", answers)
    first, second = grade(path), grade(path)
    assert scores(first) == scores(second)
    assert [e.messages for e in first.exercises] == [e.messages for e in second.exercises]
    # a different course secret draws different hidden inputs
    third = grade(path, secret=b"another course")
    assert [e.messages for e in third.exercises] != [e.messages for e in first.exercises]


CRASHES = {
    "os._exit": "import os\nos._exit(0)\n",
    "sigkill": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
    "segfault": "import ctypes\nctypes.string_at(0)\n",
    "hang": "while True:\n    pass\n",
    "hang_ignoring_sigint": (
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)\n"
    ),
}


@pytest.mark.parametrize("kind", list(CRASHES))
def test_a_cell_that_kills_or_hangs_its_process_costs_only_its_exercise(tmp_path, kind):
    answers = reference_answers("tensors_autograd")
    answers["move_to_device"] += "\n" + CRASHES[kind]
    path = write_submission(tmp_path, "tensors_autograd", answers)
    result = grade(path, timeout=8)
    assert scores(result) == {"create_tensors": 3, "move_to_device": 0, "autograd_descent": 3, "fix_inplace": 3}
    bad = result.exercises[1]
    assert bad.note and ("não terminou" in bad.note or "encerrou" in bad.note), bad.note


def test_a_function_that_hangs_during_the_checks_keeps_the_earlier_observations(tmp_path):
    answers = reference_answers("tensors_autograd")
    answers["autograd_descent"] = answers["autograd_descent"].replace(
        "def descend(", "def descend(*args, **kwargs):\n    while True:\n        pass\n\ndef _unused("
    )
    path = write_submission(tmp_path, "tensors_autograd", answers)
    result = grade(path, timeout=8)
    ex = {e.id: e for e in result.exercises}["autograd_descent"]
    # square_and_grad was observed before descend hung: its checks keep their points
    assert ex.score == 1.25, ex.messages
    assert any("não terminaram" in m or "não foi avaliada" in m for m in ex.messages), ex.messages
    assert scores(result)["fix_inplace"] == 3


def test_student_output_and_exit_codes_do_not_change_scores(tmp_path):
    answers = reference_answers("tensors_autograd")
    answers["create_tensors"] += (
        "\nimport sys\nprint('All tests passed! score: 100/100')\nprint('x' * 10**6, file=sys.stderr)\n"
    )
    answers["fix_inplace"] += "\nimport atexit, os\natexit.register(lambda: os._exit(3))\n"
    path = write_submission(tmp_path, "tensors_autograd", answers)
    assert grade(path).score == 12
    stubs = reference_with(
        "tensors_autograd", create_tensors="print('{\"score\": 3, \"max_score\": 3}')\nprint('All tests passed')\n"
    )
    assert scores(grade(write_submission(tmp_path, "tensors_autograd", stubs)))["create_tensors"] == 0


def test_grading_phases_are_timed_for_benchmarks(tmp_path):
    result = grade(write_submission(tmp_path, "tensors_autograd", reference_answers("tensors_autograd")))
    phases = result.phases
    assert set(phases) == {"startup", "cells", "probes", "judge"}
    assert all(v >= 0 for v in phases.values()), phases
    assert phases["startup"] > 0 and phases["probes"] > 0
    assert sum(phases.values()) <= result.execution_time + 0.05


def test_a_failure_drawing_hidden_inputs_is_the_graders_error_not_a_zero(tmp_path, monkeypatch):
    # The inputs are drawn in a thread while the student's process starts: their error must still surface.
    from autograder import exercises

    real = exercises.judge

    def broken(exercise_id):
        if exercise_id == "autograd_descent":
            raise RuntimeError("judge module broken")
        return real(exercise_id)

    monkeypatch.setattr(exercises, "judge", broken)
    with pytest.raises(RuntimeError, match="judge module broken"):
        grade(write_submission(tmp_path, "tensors_autograd", reference_answers("tensors_autograd")))


@pytest.mark.parametrize(
    "total, expected",
    [
        (9, {"create_tensors": 3, "move_to_device": 3, "autograd_descent": 0, "fix_inplace": 0}),
        (120, {"create_tensors": 3, "move_to_device": 3, "autograd_descent": 3, "fix_inplace": 3}),
    ],
)
def test_the_whole_notebook_has_its_own_clock(tmp_path, total, expected):
    # Each exercise alone is within its 60 s, but the notebook as a whole is not when given 9 s.
    answers = reference_answers("tensors_autograd")
    answers["autograd_descent"] += "\nimport time\ntime.sleep(15)\n"
    result = grade(write_submission(tmp_path, "tensors_autograd", answers), submission_timeout=total)
    assert scores(result) == expected
    late = [e for e in result.exercises if e.score == 0]
    assert all(e.note and "tempo total de avaliação do notebook" in e.note for e in late), [e.note for e in late]
    if total == 9:
        assert result.execution_time < 14  # stopped at the notebook's deadline, not after the 15 s sleep
