"""Checks and their points: the `check` decorator and `run_checks`, which scores one exercise.

A check is a plain function that states one property of the exercise (as its
COURSE.md paragraph does), raising `Fail` with one pt-BR message when it does
not hold:

    @check(0.5)
    def check_make_matrix_dtype(seen, inputs):
        expect_dtype(seen.tensor("make_matrix/0", "make_matrix()"), "torch.float32", "make_matrix()")
"""

from ..engine.results import CheckResult, ExerciseResult
from . import glossary
from .errors import Fail, Malformed
from .seen import Seen


def check(points, gate=False, values=False):
    """Declare a check worth ``points``.

    A failed ``gate`` zeroes the whole exercise. ``values`` marks the checks
    that compare computed numbers with the reference: when an exercise has
    such checks and none passes, the exercise scores zero, so right shapes and
    types around wrong numbers (or zeros) earn nothing.
    """

    def mark(fn):
        fn.points, fn.gate, fn.values = float(points), gate, values
        return fn

    return mark


NO_VALUES_MESSAGE = glossary.NO_VALUES
MALFORMED_MESSAGE = glossary.MALFORMED


def run_checks(exercise, checks, inputs, observations, interruption=None):
    """Score one exercise: every check, then gates; malformed data scores zero."""
    result = ExerciseResult(exercise.id, exercise.title, exercise.number, exercise.points)
    try:
        seen = Seen(observations, interruption)
    except Malformed:
        return _malformed(result, checks)
    gate_failed = False
    for fn in checks:
        try:
            fn(seen, inputs)
            result.checks.append(CheckResult(fn.__name__, fn.points, fn.points))
        except Fail as failure:
            result.checks.append(CheckResult(fn.__name__, fn.points, 0.0, str(failure)))
            gate_failed |= fn.gate
        except Exception:  # Malformed, or data shaped so oddly that a check tripped on it
            return _malformed(result, checks)
    value_checks = [c for c, fn in zip(result.checks, checks) if fn.values]
    if value_checks and not any(c.passed for c in value_checks) and result.score > 0:
        gate_failed = True
        result.note = NO_VALUES_MESSAGE
    if gate_failed:
        for c in result.checks:
            c.points = 0.0
    return result


def _malformed(result, checks):
    result.note = MALFORMED_MESSAGE
    result.checks = [CheckResult(fn.__name__, fn.points, 0.0, "") for fn in checks]
    return result
