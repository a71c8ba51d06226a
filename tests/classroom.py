"""A collected class in a real nbgrader course, and its gradebook (SQLite file or PostgreSQL): for the tests."""

import signal
import sqlite3
import subprocess

import nbformat
from nbgrader.api import Gradebook
from support import AUTOGRADER, ROOT, reference_answers

from autograder.classgrade.autograde import load_coursedir
from autograder.demo import make_course, nbgrader, personas

A = "tensors_autograd"
KINDS = {"ref": 12.0, "err": 5.75, "stub": 0.0}  # err: the judges' MISTAKEs (2.5 + 1 + 1.25 + 1)


def make_class(work, n, db_url=None, pace=0.0):
    """A course with ``n`` collected submissions of A, cycling reference / mistakes / stubs.
    ``db_url``: the gradebook's database (default: nbgrader's gradebook.db in the course); ``pace``: seconds
    each submission's first solution cell sleeps (tests that interrupt a run need it to take a while)."""
    course, _ = make_course(ROOT, work)
    if db_url:
        with open(course / "nbgrader_config.py", "a") as f:
            f.write(f"\n# the gradebook on a PostgreSQL server\nc.CourseDirectory.db_url = {db_url!r}\n")
    with open(work / "log", "w") as log:
        nbgrader(["generate_assignment", A, "--force"], course, log)
    expected = {}
    for i in range(n):
        kind = list(KINDS)[i % 3]
        nb = nbformat.read(course / "assignments" / A / f"{A}.ipynb", as_version=4)
        if kind == "ref":
            personas.fill(nb, reference_answers(A))
        elif kind == "err":
            personas.fill(nb, personas.mistakes())
        if pace:  # in the first solution cell: a cell the student added before it would not be graded
            first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
            first.source += f"\nimport time\ntime.sleep({pace})\n"
        add_submission(course, f"{kind}{i:02d}", nb)
        expected[f"{kind}{i:02d}"] = KINDS[kind]
    return course, expected


def default_sigint():
    """Popen's preexec_fn: SIGINT acts as in a terminal, even when the suite runs in the background of a
    non-interactive shell, which starts its commands with SIGINT ignored (Python then keeps it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def add_submission(course, student, nb):
    folder = course / "submitted" / student / A
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{A}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-27 10:00:00.000000 UTC")


def autograde(course, *args, **kwargs):
    return subprocess.run([AUTOGRADER, "autograde", A, *args], cwd=course, capture_output=True, text=True, **kwargs)


def gradebook_url(course):
    return load_coursedir(course).db_url


def open_gradebook(course):
    """The course's gradebook, wherever its nbgrader_config.py puts it (SQLite file or PostgreSQL)."""
    coursedir = load_coursedir(course)
    return Gradebook(coursedir.db_url, coursedir.course_id)


def gradebook_scores(course):
    with open_gradebook(course) as gb:
        return {s.student.id: s.score for s in gb.find_assignment(A).submissions}


def integrity(course):
    """ "ok", or what is wrong: SQLite's own check, then every submission of A complete (one notebook,
    a grade per graded cell, a comment per solution cell), as nbgrader creates it in one transaction."""
    coursedir = load_coursedir(course)
    if coursedir.db_url.startswith("sqlite:///"):
        with sqlite3.connect(coursedir.db_url[len("sqlite:///") :]) as db:
            check = db.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            return check
    with open_gradebook(course) as gb:
        notebook = gb.find_notebook(A, A)
        for sub in gb.find_assignment(A).submissions:
            if [n.name for n in sub.notebooks] != [A]:
                return f"{sub.student.id}: notebooks {[n.name for n in sub.notebooks]}"
            nb = sub.notebooks[0]
            if len(nb.grades) != len(notebook.grade_cells) or len(nb.comments) != len(notebook.solution_cells):
                return f"{sub.student.id}: {len(nb.grades)} grades, {len(nb.comments)} comments"
    return "ok"
