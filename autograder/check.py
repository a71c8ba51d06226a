"""Hidden checks run in place, for the instructor's source notebooks.

The hidden region of each test cell in `solutions/` calls `run_hidden_checks`,
so an instructor who runs the source notebook (or `nbgrader validate` on it)
sees the same verdicts the engine gives. Students never run this: their
release has no hidden region, and the engine judges submissions out of process.
"""

import json

import numpy as np
import torch

from . import exercises
from .course import EXERCISES
from .engine.results import ExerciseResult
from .judge import run_checks
from .probe import devices


def judge_in_process(exercise_id: str, namespace: dict, seed: int | None = None) -> ExerciseResult:
    """Judge the functions in ``namespace`` here (no sandbox): inputs, probe and checks as the engine runs them."""
    exercise = EXERCISES[exercise_id]
    judge = exercises.judge(exercise_id)
    inputs = json.loads(json.dumps(judge.draw(np.random.default_rng(seed))))
    saved = torch.cuda.is_available, torch.backends.mps.is_available
    devices.install()  # CUDA/MPS availability as the probe simulates it, put back below
    try:
        observations = {
            key: json.loads(json.dumps(data)) for key, data in exercises.probe(exercise_id).probe(namespace, inputs)
        }
    finally:
        torch.cuda.is_available, torch.backends.mps.is_available = saved
    return run_checks(exercise, judge.CHECKS, inputs, observations)


def run_hidden_checks(exercise_id: str, namespace: dict) -> None:
    result = judge_in_process(exercise_id, namespace)
    print(f"{result.title}: {result.score:g}/{result.max_score:g} pontos")
    for message in result.messages:
        print(f"  ✗ {message}")
    assert result.score == result.max_score, f"verificações ocultas: {result.score:g}/{result.max_score:g}"
