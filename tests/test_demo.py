"""`autograder demo`, the main job, as a new instructor runs it."""

import re

from support import run_cli

from autograder.course import ASSIGNMENTS


def test_demo_runs_the_cycle_and_prints_the_grade_table():
    proc = run_cli("demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    points = [a.points for a in ASSIGNMENTS.values()]  # a column per assignment, then the total
    columns = points + [sum(points)]
    full = r"\s+".join(f"{p:g} / {p:g}" for p in columns)
    assert re.search(r"ana \(respostas de referência\)\s+" + full, out), out
    assert re.search(r"bruno \(stubs sem alteração\)\s+" + r"\s+".join(f"0 / {p:g}" for p in columns), out), out
    total = float(re.search(rf"carla \(erros típicos\).*?([\d.]+) / {sum(points):g}", out).group(1))
    assert 0 < total < sum(points)
    feedback = re.findall(r"^\s+(/\S+\.html)$", out, re.M)
    assert len(feedback) == 3 * len(ASSIGNMENTS)  # one per student and assignment
    assert "esperado torch.float32" in out  # carla's pt-BR messages are shown
