"""`make bench` on a tiny class: it runs end to end and prints every figure the issue asks for."""

import os
import re
import subprocess
import sys

import pytest
from support import ROOT

pytestmark = [pytest.mark.bench, pytest.mark.slow]

NUMBER = r"\d+(?:\.\d+)?"


def test_bench_prints_throughput_ratios_profile_and_memory(tmp_path):
    env = dict(os.environ, BENCH_N="4", TMPDIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "bench_class.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = proc.stdout
    for assignment in ("tensors_autograd", "linear_regression"):
        # subs/min for (a), (b), (c), then b/a, b/c and the peak
        row = rf"^{assignment}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}x\s+{NUMBER}x\s+\d+$"
        assert re.search(row, out, re.M), out
    for label in (
        "(c) floor: the submission's code",
        "bare `import torch`",
        "(b) start-up",
        "(b) the notebook's cells",
        "(b) probes",
        "(b) judge",
        "(b) recording",
        "(b) grader start-up",
        "(b) grader process",
        "largest student process, reference and correct variants",
        "largest student process, all submissions",
        "the same submission run by the floor",
    ):
        line = next((ln for ln in out.splitlines() if label in ln), None)
        assert line is not None, (label, out)
        assert len(re.findall(NUMBER, line.split(label, 1)[1])) >= 2, line
    # the courses it graded are kept where it says, with every submission autograded
    kept = re.search(r"courses kept in (\S+)\)", out).group(1)
    graded = list((tmp_path / os.path.basename(kept) / "ours" / "autograded").glob("*/*/*.ipynb"))
    assert len(graded) == 8
