"""Shared judging of training runs: loss lists and the feedback on trajectories."""

import numpy as np

from . import glossary
from .errors import Fail, Malformed, expect
from .seen import close


def loss_values(seen, d, label, n_epochs):
    """Loss values from a list of numbers however they came (Python floats, scalar tensors, NumPy scalars): their
    type is judged apart (expect_python_floats)."""
    expect(type(d) is dict and d.get("kind") == "list", glossary.not_a_loss_list(label))
    items = d.get("items")
    if type(items) is not list or d.get("length") != len(items):
        raise Malformed()
    expect(len(items) == n_epochs, glossary.wrong_loss_count(label, len(items), n_epochs))
    return np.array([seen.scalar(item, label, "perda") for item in items])


def expect_python_floats(seen, d, label):
    items = d.get("items") if type(d) is dict else None
    expect(type(items) is list, glossary.not_a_loss_list(label))
    for item in items:
        seen.python_float(item, glossary.each_loss_of(label))


def expect_trajectory(
    found, expected, label, show_values, first=glossary.FIRST_LOSS, step=glossary.EPOCH_STEP, mistakes=()
):
    """Compare loss trajectories (rtol 1e-3) and say where they differ and the likely cause.

    ``first``, ``step``: what to check, in this exercise's words, when the first loss differs or a later one;
    ``mistakes``: (trajectory, message) of typical mistakes the judge simulates (the trajectory may be a function
    that computes it, called only when the curve differs): a match names the mistake.
    ``show_values``: the numbers may be shown (the chapter's own run, never hidden inputs).
    """
    if close(found, expected, rtol=1e-3, atol=1e-6):
        return
    for trajectory, message in mistakes:
        if close(found, trajectory() if callable(trajectory) else trajectory, rtol=1e-3, atol=1e-6):
            raise Fail(message)
    if len(found) > 1 and close(found[:-1], expected[1:], rtol=1e-3, atol=1e-6):
        raise Fail(glossary.trajectory_shifted(label))
    k = int(np.argmax(~np.isclose(found, expected, rtol=1e-3, atol=1e-6)))
    if show_values:
        raise Fail(glossary.trajectory_at(label, k + 1, found[k], expected[k]))
    if k == 0:
        raise Fail(glossary.trajectory_first_differs(label, first))
    if len(found) > 1 and np.allclose(found, found[0]):
        raise Fail(glossary.trajectory_flat(label, step))
    raise Fail(glossary.trajectory_diverges(label, k + 1, step))


def same_losses(seen, a, b):
    """Whether two loss lists (descriptions) hold the same numbers: the mark of hard-coded output."""
    try:
        x = loss_values(seen, a, "", len(a.get("items", [])))
        y = loss_values(seen, b, "", len(b.get("items", [])))
    except (Fail, Malformed, AttributeError, TypeError):
        return False
    return len(x) == len(y) and len(x) > 0 and bool(np.array_equal(x, y))
