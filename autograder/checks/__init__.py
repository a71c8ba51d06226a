"""Hidden checks, judge side: one module per exercise, each with `draw(rng)` and `CHECKS`.

These modules run only in the grader's process. The student's process gets the
inputs that `draw` produced and the matching probe from `autograder.probe`.
"""

from importlib import import_module

from ..course import EXERCISES


def module_for(exercise_id):
    if exercise_id not in EXERCISES:
        raise KeyError(exercise_id)
    return import_module(f"{__name__}.{exercise_id}")
