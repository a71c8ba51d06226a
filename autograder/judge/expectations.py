"""Expectations a judge states about what it saw: each fails with the glossary's message.

t = seen.tensor("to_float32/0", label, "result")
expect_dtype(t, "torch.float32", label)
expect_shape(t, spec["shape"], label, expected_text="a mesma forma de a")
expect_values(t, expected, label, "dos de a", rtol=1e-6, atol=0)
"""

import numpy as np

from . import glossary
from .errors import expect
from .seen import close


def expect_dtype(t, expected, label, verb="devolveu", expected_text=None):
    """``expected_text``: how to say it when it is not just the dtype ("o dtype de M (torch.float64)")."""
    expect(t.dtype == expected, glossary.wrong_dtype(label, t.dtype, expected_text or expected, verb))


def expect_shape(t, expected, label, verb="devolveu", expected_text=None, also=()):
    """``expected``: a shape; ``also``: other accepted shapes (then say them all in ``expected_text``)."""
    expected = tuple(expected)
    accepted = [expected, *(tuple(s) for s in also)]
    expect(t.shape in accepted, glossary.wrong_shape(label, t.shape, expected_text or expected, verb))


def expect_device(t, expected, label):
    expect(t.device == expected, glossary.wrong_device(label, t.device, expected))


def matches(t, expected, rtol=1e-5, atol=1e-6, ignore_shape=False):
    """Whether a tensor's values (or an array) are close to ``expected``; False when no values came.

    ``ignore_shape``: compare the numbers only, when there are as many (a bias of shape (1,) against one of
    shape ()), for checks of values whose shape another check judges."""
    values = getattr(t, "values", t)
    if values is not None and ignore_shape and np.size(values) == np.size(expected):
        values = np.reshape(values, np.shape(expected))
    return values is not None and close(values, expected, rtol=rtol, atol=atol)


def expect_values(t, expected, label, what, rtol=1e-5, atol=1e-6):
    """Values close to ``expected`` (a tensor's values, or an array); ``what``: "de M @ M.T"."""
    expect(matches(t, expected, rtol=rtol, atol=atol), glossary.wrong_values(label, what))


def expect_unchanged(seen, key, label, what, field="input_unchanged"):
    """The probe saw the input (``what``: "a entrada a", "t; t deve ficar como estava") unchanged."""
    expect(seen.flag(key, field, label), glossary.modified_input(label, what))


def expect_no_graph(t, label):
    expect(not t.has_grad_fn and not t.requires_grad, glossary.attached_to_graph(label))


def expect_requires_grad(t, label, verb="devolveu"):
    expect(t.requires_grad, glossary.wrong_requires_grad(label, verb))


def grad_is_reset(t):
    """A leaf's gradient after a training step that zeroes it: None or all zeros."""
    g = t.grad
    return g is None or (g.values is not None and not g.values.any())
