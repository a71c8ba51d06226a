"""`autograder demo`, the main job, as a new instructor runs it."""

import re

import pytest
from support import run_cli

from autograder.course import ASSIGNMENTS

pytestmark = [pytest.mark.slow]


def test_demo_runs_the_cycle_and_prints_the_grade_table():
    proc = run_cli("demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    points = [a.points for a in ASSIGNMENTS.values()]
    total = sum(points)
    full = "".join(rf"\s+{p:g} / {p:g}" for p in points)
    zero = "".join(rf"\s+0 / {p:g}" for p in points)
    assert re.search(rf"ana \(respostas de referência\){full}\s+{total:g} / {total:g}", out), out
    assert re.search(rf"bruno \(stubs sem alteração\){zero}\s+0 / {total:g}", out), out
    carla = float(re.search(rf"carla \(erros típicos\).*?([\d.]+) / {total:g}", out).group(1))
    assert 0 < carla < total
    feedback = re.findall(r"^\s+(/\S+\.html)$", out, re.M)
    assert len(feedback) == 3 * len(ASSIGNMENTS)  # one per student and assignment
    assert "esperado torch.float32" in out  # carla's pt-BR messages are shown
