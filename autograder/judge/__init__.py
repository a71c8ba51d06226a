"""The judge: checks that run in the grader's process, never in the student's.

An exercise's judge (`autograder/exercises/<id>/judge.py`) draws hidden inputs,
computes the reference and states its checks with this vocabulary; every
message comes from `glossary`.
"""

from . import glossary  # noqa: F401
from .encoding import decode, encode  # noqa: F401
from .errors import Fail, Malformed, expect  # noqa: F401
from .expectations import (  # noqa: F401
    expect_device,
    expect_dtype,
    expect_no_graph,
    expect_requires_grad,
    expect_shape,
    expect_unchanged,
    expect_values,
    grad_is_reset,
    matches,
)
from .scoring import check, run_checks  # noqa: F401
from .seen import Seen, close, parse_tensor, shape_str  # noqa: F401
from .trajectories import expect_python_floats, expect_trajectory, loss_values, same_losses  # noqa: F401
