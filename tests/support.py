"""Shared helpers for the test suite: build submissions from the release, grade them."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder.course import ASSIGNMENTS
from autograder.demo import personas
from autograder.engine import grade_notebook
from autograder.settings import resolve

ROOT = Path(__file__).resolve().parent.parent
AUTOGRADER = str(Path(sys.executable).parent / "autograder")


def release(assignment):
    return nbformat.read(ROOT / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)


def source(assignment):
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def reference_answers(assignment):
    return personas.reference_answers(source(assignment))


def write_submission(tmp_path, assignment, answers=None, edit=None, name=None):
    """The release with ``answers`` (grade_id -> code) filled in; ``edit(nb)`` may tamper further."""
    nb = release(assignment)
    personas.fill(nb, answers or {})
    if edit is not None:
        edit(nb)
    path = Path(tmp_path) / (name or f"{assignment}.ipynb")
    nbformat.write(nb, path)
    return path


def reference_with(assignment, **overrides):
    """Reference answers with some exercises' cells replaced."""
    answers = reference_answers(assignment)
    answers.update(overrides)
    return answers


def grade(path, assignment=None, timeout=None, **settings):
    return grade_notebook(path, assignment, resolve(course_root=ROOT, exercise_timeout=timeout, **settings))


def scores(grade_result):
    return {e.id: e.score for e in grade_result.exercises}


def run_cli(*args, env=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([AUTOGRADER, *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=full_env)


def all_exercises():
    return [e for a in ASSIGNMENTS.values() for e in a.exercises]
