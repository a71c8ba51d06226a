"""A PostgreSQL gradebook with two writers: the formgrader's Autograde next to `autograder autograde`.

A real PostgreSQL server (conftest.py), a real `jupyter lab` with nbgrader's
formgrader and our ``autograder.lab`` extension serving the course, and the CLI
grading the whole class while the instructor autogrades the same students
through the formgrader's REST API (what its ⚡ buttons post). The first student
of both is forced into the race that a busy course meets by chance: both
writers find no row for the student and insert it at the same moment (the test
holds an uncommitted insert of that row until both wait on it, so both inserts
then break the unique constraint). Afterwards every score is there once and
right, the gradebook's structure is whole, nbgrader's own export and feedback
agree, and nobody saw "database is locked".

The class-grading flow itself (autograde, export, report, nbgrader export,
feedback, an interrupted run) runs against PostgreSQL in test_class_grading.py.
"""

import csv
import subprocess
import threading
import time

import psycopg
import pytest
from classroom import A, gradebook_scores, integrity, make_class
from support import AUTOGRADER

from autograder.demo import nbgrader
from autograder.lab.server import start_lab

pytestmark = pytest.mark.slow

DUPLICATE_STUDENT = 'duplicate key value violates unique constraint "student_pkey"'


def blocked_backends(postgres, database):
    """How many sessions of ``database`` wait for another transaction (here: the test's uncommitted insert)."""
    rows = postgres.execute(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        f"WHERE NOT l.granted AND l.locktype = 'transactionid' AND a.datname = '{database}'"
    )
    return rows[0][0]


def test_formgrader_and_cli_autograde_the_same_class_at_once(postgres, new_postgres_gradebook, tmp_path):
    db_url = new_postgres_gradebook()
    database = db_url.rsplit("/", 1)[1]
    course, expected = make_class(tmp_path, 4, db_url)
    students = sorted(expected)  # the CLI, with one worker, records them in this order
    first = students[0]
    log_start = postgres.log_path.stat().st_size

    server = start_lab(course, tmp_path / "jupyter", tmp_path / "jupyter.log")
    holder = psycopg.connect(db_url)  # the row both writers are about to create, not committed yet
    cli = None
    try:
        holder.execute("INSERT INTO student (id) VALUES (%s)", (first,))
        answers = {}

        def formgrader():  # the instructor: the first student, then the others from the end
            for student in [first, *reversed(students[1:])]:
                answers[student] = server.request("POST", f"formgrader/api/submission/{A}/{student}/autograde")

        clicks = threading.Thread(target=formgrader)
        clicks.start()
        cli = subprocess.Popen(
            [AUTOGRADER, "autograde", A, "--workers", "1"],
            cwd=course,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 300
        while blocked_backends(postgres, database) < 2:
            assert cli.poll() is None and time.monotonic() < deadline, (
                f"both writers should be waiting on {first}'s row; CLI: {cli.communicate()}\n{server.log_tail()}"
            )
            time.sleep(0.2)
        holder.commit()  # both inserts now break the unique constraint: both must retry
        out, err = cli.communicate(timeout=600)
        clicks.join(600)
    finally:
        holder.close()
        if cli is not None and cli.poll() is None:  # the test failed half-way: no grader left behind
            cli.kill()
            cli.communicate()
        server.stop()
    jupyter_log = (tmp_path / "jupyter.log").read_text(errors="replace")
    postgres_log = postgres.log_path.read_text(errors="replace")[log_start:]

    assert postgres_log.count(DUPLICATE_STUDENT) >= 2, postgres_log[-3000:]  # the race did happen, twice
    assert cli.returncode == 0, out + err
    assert f"{len(students)} corrigidas, 0 já corrigidas antes, 0 com falha" in out
    assert set(answers) == set(students)
    for student, answer in answers.items():
        assert answer["success"], f"formgrader autograde of {student}: {answer}"
    for text in (out, err, jupyter_log, postgres_log):
        assert "database is locked" not in text

    assert gradebook_scores(course) == expected  # each score once, and right
    assert integrity(course) == "ok"  # no half-made or doubled rows
    assert len(list((course / "autograded").glob(f"*/{A}/{A}.ipynb"))) == len(students)
    with open(tmp_path / "log", "a") as log:  # nbgrader's own readers agree
        nbgrader(["export", "--to", str(tmp_path / "grades.csv")], course, log)
        nbgrader(["generate_feedback", A], course, log)
    with open(tmp_path / "grades.csv") as f:
        assert {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)} == expected
    assert len(list((course / "feedback").glob(f"*/{A}/{A}.html"))) == len(students)
