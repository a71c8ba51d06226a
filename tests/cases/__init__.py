"""Test cases, one module per exercise (`tests/cases/<exercise id>.py`), named like its folder in
`autograder/exercises/`. `tests/test_exercises.py` fails for any exercise whose module is missing a part."""

from importlib import import_module


def cases(exercise_id):
    """The exercise's test-case module (ModuleNotFoundError if it has none)."""
    return import_module(f"{__name__}.{exercise_id}")
