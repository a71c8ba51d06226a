"""One folder per exercise, discovered: `probe.py` (the student side) and `judge.py` (the grader side).

`probe.py` runs in the student's process (the sandbox is given a copy of it
and of `autograder/probe/`, nothing else): it calls the student's functions
on the judge's inputs and yields observations. `judge.py` runs only in the
grader's process: `draw(rng)` (hidden inputs), the reference implementation,
`CHECKS` (the checks, worth the contract's points) and `MISTAKE` (a typical
wrong answer, as a student writes it, for the demo). The contract entry (id,
title, points, function names) is the exercise's row in `autograder/course.py`.
"""

from importlib import import_module
from pathlib import Path

HERE = Path(__file__).resolve().parent


def exercise_ids():
    """The exercises that have a folder here, in name order."""
    return sorted(p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def probe_source(exercise_id):
    return HERE / exercise_id / "probe.py"


def judge(exercise_id):
    """The exercise's judge module (grader side only)."""
    if exercise_id not in exercise_ids():
        raise KeyError(exercise_id)
    return import_module(f"{__name__}.{exercise_id}.judge")


def probe(exercise_id):
    """The exercise's probe module, imported in the grader's process (the instructor's in-place checks)."""
    if exercise_id not in exercise_ids():
        raise KeyError(exercise_id)
    return import_module(f"{__name__}.{exercise_id}.probe")
