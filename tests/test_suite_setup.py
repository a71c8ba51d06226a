"""The suite's own machinery: tests marked with one xdist_group run on one worker (`make test` relies on it).

pytest 9.2 changed where a node's id lives, and pytest-xdist 3.8's `--dist loadgroup` then silently stopped
grouping: the hub, browser, Dask and nbgrader-cycle modules built their servers and courses once per worker.
"""

import subprocess
import sys

TEST = """
import os
from pathlib import Path

import pytest

{mark}


@pytest.mark.parametrize("i", range(8))
def test_{name}(i):
    Path("{name}-%d" % i).write_text(os.environ["PYTEST_XDIST_WORKER"])
"""


def test_one_xdist_group_runs_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(TEST.format(mark='pytestmark = pytest.mark.xdist_group("g")', name="g"))
    (tmp_path / "test_loose.py").write_text(TEST.format(mark="", name="loose"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    grouped = {(tmp_path / f"g-{i}").read_text() for i in range(8)}
    loose = {(tmp_path / f"loose-{i}").read_text() for i in range(8)}
    assert len(grouped) == 1, f"the group ran on {sorted(grouped)}"
    assert len(grouped | loose) == 2, f"the run used {sorted(grouped | loose)} only: it was not spread at all"
