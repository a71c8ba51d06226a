"""`make bench` and `make bench-cluster` on a tiny class: they run end to end and print every figure asked for."""

import os
import re
import subprocess
import sys

import psutil
import pytest
from support import ROOT

pytestmark = [pytest.mark.bench, pytest.mark.slow]

NUMBER = r"\d+(?:\.\d+)?"
BENCHED = ("tensors_autograd",)


def test_bench_prints_throughput_ratios_profile_and_memory(tmp_path):
    # two submissions (a reference and a correct variant) of one assignment: every figure is printed, from every
    # part of the script (no part depends on the assignment); make bench grades 60 of each of the four
    env = dict(os.environ, BENCH_N="2", BENCH_ASSIGNMENTS=",".join(BENCHED), TMPDIR=str(tmp_path))
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
    for assignment in BENCHED:
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
        assert len(re.findall(NUMBER, line.split(label, 1)[1])) >= len(BENCHED), line
    # the courses it graded are kept where it says, with every submission autograded
    kept = re.search(r"courses kept in (\S+)\)", out).group(1)
    graded = list((tmp_path / os.path.basename(kept) / "ours" / "autograded").glob("*/*/*.ipynb"))
    assert len(graded) == 2 * len(BENCHED)


KNOWN = "known: tensors_autograd, linear_regression, mlp_regression, custom_models"


@pytest.mark.parametrize(
    "value, error",
    [
        ("tensors_autograd,nope", f"BENCH_ASSIGNMENTS: unknown assignment nope; {KNOWN}"),
        (" , ", f"BENCH_ASSIGNMENTS names no assignment; {KNOWN}"),
    ],
)
def test_bench_names_a_bad_assignment_list_in_one_line(value, error):
    env = dict(os.environ, BENCH_ASSIGNMENTS=value)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "bench_class.py")], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == error


@pytest.mark.bench
@pytest.mark.xdist_group("dask")
def test_bench_cluster_prints_both_paths_the_overhead_and_the_projection(tmp_path):
    env = dict(os.environ, BENCH_N="2", BENCH_ASSIGNMENTS="tensors_autograd", TMPDIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "bench_cluster.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = proc.stdout
    # subs/min for --workers 2 and --cluster, each path's cost per submission and their ratio
    row = rf"^tensors_autograd\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}s\s+{NUMBER}s\s+{NUMBER}x$"
    assert re.search(row, out, re.M), out
    # that cost split into the engine's grading and the rest, per path, and what the cluster path adds
    row = rf"^tensors_autograd\s+{NUMBER}s\s+{NUMBER}s\s+-?{NUMBER}s\s+-?{NUMBER}s\s+[+-]{NUMBER}%$"
    assert re.search(row, out, re.M), out
    assert re.search(rf"machine load \(1, 5, 15 min\): before {NUMBER} {NUMBER} {NUMBER}, after {NUMBER}", out), out
    assert re.search(rf"Overhead of the cluster path per submission .*all assignments: [+-]{NUMBER}% \(goal", out), out
    assert re.search(rf"start-up per run .*--workers {NUMBER} s, --cluster {NUMBER} s", out), out
    assert re.search(rf"single writer \(client\): {NUMBER} ms per submission", out), out
    assert re.search(rf"projection: 2,000 students x 4 assignments = 8,000 submissions, {NUMBER} worker-seconds", out)
    for workers in (2, 8, 32, 128):
        assert re.search(rf"^\s+{workers}\s+{NUMBER} (s|min|h)\s+the (workers|single writer)$", out, re.M), out
    # both courses graded every submission, and no Dask process is left behind
    kept = tmp_path / os.path.basename(re.search(r"courses kept in (\S+)\)", out).group(1))
    again = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "bench_cluster.py")],
        env=dict(os.environ, BENCH_REPORT=str(kept)),
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0 and again.stdout == out, again.stdout + again.stderr  # the same figures again
    for label in ("workers", "cluster"):
        assert len(list((kept / label / "ours" / "autograded").glob("*/tensors_autograd/*.ipynb"))) == 2
    commands = [" ".join(p.info["cmdline"] or []) for p in psutil.process_iter(["cmdline"])]
    left = [c for c in commands if str(kept) in c]
    assert not left, left
