"""`autograder demo`, the main job, as a new instructor runs it."""

import re

import pytest
from support import run_cli

pytestmark = [pytest.mark.slow]


def test_demo_runs_the_cycle_and_prints_the_grade_table():
    proc = run_cli("demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"ana \(respostas de referência\)\s+12 / 12\s+13 / 13\s+25 / 25", out), out
    assert re.search(r"bruno \(stubs sem alteração\)\s+0 / 12\s+0 / 13\s+0 / 25", out), out
    total = float(re.search(r"carla \(erros típicos\).*?([\d.]+) / 25", out).group(1))
    assert 0 < total < 25
    feedback = re.findall(r"^\s+(/\S+\.html)$", out, re.M)
    assert len(feedback) == 6
    assert "esperado torch.float32" in out  # carla's pt-BR messages are shown
