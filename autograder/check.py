"""Hidden checks run in place, for the instructor's source notebooks.

The hidden region of each test cell in `solutions/` calls `run_hidden_checks`,
so an instructor who runs the source notebook (or `nbgrader validate` on it)
sees the same verdicts the engine gives. Students never run this: their
release has no hidden region, and the engine judges submissions out of process.
"""

import json

import numpy as np
import torch

from . import checks
from .checks.framework import run_checks
from .course import EXERCISES
from .probe import devices, exercises


def judge_in_process(exercise_id, namespace, seed=None):
    exercise = EXERCISES[exercise_id]
    module = checks.module_for(exercise_id)
    inputs = json.loads(json.dumps(module.draw(np.random.default_rng(seed))))
    saved = torch.cuda.is_available, torch.backends.mps.is_available
    if exercise_id == "move_to_device":
        devices.install()
    try:
        observations = {key: json.loads(json.dumps(data))
                        for key, data in exercises.PROBES[exercise_id](namespace, inputs)}
    finally:
        torch.cuda.is_available, torch.backends.mps.is_available = saved
    return run_checks(exercise, module.CHECKS, inputs, observations)


def run_hidden_checks(exercise_id, namespace):
    result = judge_in_process(exercise_id, namespace)
    print(f"{result.title}: {result.score:g}/{result.max_score:g} pontos")
    for message in result.messages:
        print(f"  ✗ {message}")
    assert result.score == result.max_score, f"verificações ocultas: {result.score:g}/{result.max_score:g}"
