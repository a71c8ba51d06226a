"""A stock nbgrader course beside ours: the same notebooks with plain hidden asserts, no engine.

Used by `make security-report` and `make bench` as the baseline.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from cases import cases
from support import ROOT

from autograder.course import ASSIGNMENTS
from autograder.demo import nbgrader_env

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)


def stock_hidden(exercise_id):
    """What stock hidden tests usually look like: each exercise's STOCK_TEST (tests/cases)."""
    return cases(exercise_id).STOCK_TEST


def nbgrader(args, cwd):
    cmd = [str(Path(sys.executable).parent / "nbgrader"), *args]
    return subprocess.run(cmd, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)


def make_course(work, stock):
    course = work / ("stock" if stock else "ours")
    course.mkdir()
    shutil.copytree(ROOT / "solutions", course / "solutions")
    if stock:
        (course / "nbgrader_config.py").write_text(
            "c = get_config()\nc.CourseDirectory.source_directory = 'solutions'\n"
            "c.CourseDirectory.release_directory = 'assignments'\nc.CourseDirectory.course_id = 'stock'\n"
            "c.ExecutePreprocessor.timeout = 30\nc.Execute.timeout = 30\n"
        )
        for a in ASSIGNMENTS:
            path = course / "solutions" / a / f"{a}.ipynb"
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                if gid.startswith("test_"):
                    stock_tests = "### BEGIN HIDDEN TESTS\n" + stock_hidden(gid[5:]) + "\n### END HIDDEN TESTS"
                    cell.source = HIDDEN.sub(lambda m: stock_tests, cell.source)
            nbformat.write(nb, path)
    else:
        shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    for a in ASSIGNMENTS:
        proc = nbgrader(["generate_assignment", a, "--force"], course)
        if proc.returncode:
            raise SystemExit(proc.stdout + proc.stderr)
    return course
