"""Grading one notebook: restore cells -> run each exercise in its own process -> judge -> record."""

from .engine import GradeOptions, grade_notebook  # noqa: F401
