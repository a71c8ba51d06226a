"""Judging models a student built or trained: their layers, their parameters, and their loss curves.

A model comes back as a `SeenModule` (its torch.nn type, mode, parameters and
children, read from nn.Module's own tables). To measure a target (an accuracy,
an RMSE), the judge never trusts the student's forward: it loads the
parameters it saw, in order, into its own reference architecture and computes
the metric itself.
"""

from functools import wraps

import numpy as np
import torch

from . import glossary
from .errors import Fail, expect
from .seen import close


def child(module, name, label):
    """The submodule ``self.<name>`` of a SeenModule, or Fail."""
    for child_name, sub in module.children:
        if child_name == name and sub is not None:
            return sub
    raise Fail(glossary.missing_submodule(label, name))


def expect_layers(module, expected, label, where):
    """The children of ``module``, in order, are exactly the torch.nn types in ``expected``."""
    found = [t or "?" for t in module.layers()]
    expect(found == list(expected), glossary.layers_differ(label, where, found, expected))


def expect_registered(module, reference, label):
    """Every parameter of the reference (an nn.Module) is registered: same count, same shapes in order."""
    expected_shapes = [tuple(p.shape) for p in reference.parameters()]
    found = module.named_parameters()
    count, expected = sum(int(np.prod(t.shape)) for _, t in found), sum(int(np.prod(s)) for s in expected_shapes)
    expect(count <= expected, glossary.extra_parameters(label, count))
    expect(count == expected, glossary.unregistered_parameters(label, count))
    expect([t.shape for _, t in found] == expected_shapes, glossary.parameter_shapes_differ(label))


def parameters_in_order(module, reference, label, architecture):
    """The values of ``module``'s parameters, in order, if they fit ``reference``'s parameters; else Fail."""
    found = module.named_parameters()
    shapes = [tuple(p.shape) for p in reference.parameters()]
    fits = len(found) == len(shapes) and all(
        t.shape == s and t.values is not None and t.dtype == "torch.float32" for (_, t), s in zip(found, shapes)
    )
    expect(fits, glossary.model_not_comparable(label, architecture))
    return [t.values for _, t in found]


def load_parameters(reference, values):
    """Copy ``values`` (arrays, in parameter order) into the reference model; returns it, in eval mode."""
    with torch.no_grad():
        for p, v in zip(reference.parameters(), values):
            p.copy_(torch.from_numpy(np.asarray(v, dtype=np.float32)))
    return reference.eval()


def expect_loss_curve(found, expected, label, show_values):
    """Loss curves equal within rtol 1e-3; the message says where they part, and the numbers only when allowed."""
    if close(found, expected, rtol=1e-3, atol=1e-6):
        return
    k = int(np.argmax(~np.isclose(found, expected, rtol=1e-3, atol=1e-6)))
    if show_values:
        raise Fail(glossary.loss_at_epoch(label, k + 1, found[k], expected[k]))
    if k == 0:
        raise Fail(glossary.losses_differ_from_start(label))
    raise Fail(glossary.losses_diverge(label, k + 1))


def single_threaded(fn):
    """Run a reference computation on one thread, as the student's process does (OMP_NUM_THREADS=1): the same
    numbers, and no time lost to threads competing for the grader's cores."""

    @wraps(fn)
    def run(*args, **kwargs):
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)

    return run
