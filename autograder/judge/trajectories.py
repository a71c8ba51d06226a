"""Shared judging of training runs: loss lists and the feedback on trajectories."""

import numpy as np

from . import glossary
from .errors import Fail, Malformed, expect
from .seen import close, parse_tensor


def loss_values(seen, d, label, n_epochs):
    """Loss values from a list of Python floats or of scalar tensors (the type is judged apart)."""
    expect(type(d) is dict and d.get("kind") == "list", glossary.not_a_loss_list(label))
    items = d.get("items")
    if type(items) is not list or d.get("length") != len(items):
        raise Malformed()
    expect(len(items) == n_epochs, glossary.wrong_loss_count(label, len(items), n_epochs))
    out = []
    for item in items:
        if type(item) is dict and item.get("kind") == "tensor":
            t = parse_tensor(item)
            expect(t.values is not None and t.values.size == 1, glossary.loss_not_a_number(label))
            out.append(float(t.values.reshape(-1)[0]))
        else:
            out.append(seen.python_float(item, label))
    return np.array(out)


def expect_python_floats(seen, d, label):
    items = d.get("items") if type(d) is dict else None
    expect(type(items) is list, glossary.not_a_loss_list(label))
    for item in items:
        seen.python_float(item, f"cada loss de {label}")


def expect_trajectory(found, expected, label, show_values):
    """Compare loss trajectories (rtol 1e-3) and say where and, when allowed, how they differ."""
    if close(found, expected, rtol=1e-3, atol=1e-6):
        return
    k = int(np.argmax(~np.isclose(found, expected, rtol=1e-3, atol=1e-6)))
    if show_values:
        raise Fail(glossary.trajectory_at(label, k + 1, found[k], expected[k]))
    if k == 0:
        raise Fail(glossary.trajectory_first_differs(label))
    if len(found) > 1 and np.allclose(found, found[0]):
        raise Fail(glossary.trajectory_flat(label))
    raise Fail(glossary.trajectory_diverges(label, k + 1))


def same_losses(seen, a, b):
    """Whether two loss lists (descriptions) hold the same numbers: the mark of hard-coded output."""
    try:
        x = loss_values(seen, a, "", len(a.get("items", [])))
        y = loss_values(seen, b, "", len(b.get("items", [])))
    except (Fail, Malformed, AttributeError, TypeError):
        return False
    return len(x) == len(y) and len(x) > 0 and bool(np.array_equal(x, y))
