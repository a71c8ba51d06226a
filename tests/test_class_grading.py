"""`autograder autograde`, `export` and `report` on a real nbgrader course with a collected class.

The gradebook is nbgrader's default SQLite file; the tests marked with the
``postgresql`` parameter run the same flow with ``c.CourseDirectory.db_url``
pointing at a real PostgreSQL server (conftest.py's ``postgres`` fixture).
"""

import base64
import csv
import json
import os
import pty
import re
import signal
import subprocess
import time
from html.parser import HTMLParser

import nbformat
import pytest
from classroom import (
    A,
    add_submission,
    autograde,
    default_sigint,
    gradebook_scores,
    gradebook_url,
    integrity,
    make_class,
)
from support import AUTOGRADER, ROOT, reference_answers

from autograder.course import EXERCISES
from autograder.demo import make_course, nbgrader, personas

pytestmark = [pytest.mark.slow]

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]


@pytest.fixture(scope="module")
def classes():
    return {}  # backend -> (course, expected, proc): one graded class per backend for the whole module


def graded_on(backend, classes, tmp_path_factory, request):
    if backend not in classes:
        db_url = request.getfixturevalue("new_postgres_gradebook")() if backend == "postgresql" else None
        course, expected = make_class(tmp_path_factory.mktemp(f"class-{backend}"), 6, db_url)
        classes[backend] = course, expected, autograde(course, "--workers", "2")
    return classes[backend]


@pytest.fixture(scope="module")
def graded_class(classes, tmp_path_factory, request):
    """The class graded into the default SQLite gradebook: for what does not depend on the database."""
    return graded_on("sqlite", classes, tmp_path_factory, request)


@pytest.fixture(scope="module", params=BACKENDS)
def graded_class_on(request, classes, tmp_path_factory):
    """The class graded into each gradebook backend in turn."""
    return graded_on(request.param, classes, tmp_path_factory, request)


def test_class_is_graded_into_nbgraders_gradebook(graded_class_on):
    course, expected, proc = graded_class_on
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert gradebook_scores(course) == expected
    # the grades are where the course's config says: no SQLite file next to a PostgreSQL gradebook
    assert (course / "gradebook.db").exists() == gradebook_url(course).startswith("sqlite:")
    for student in expected:
        assert (course / "autograded" / student / A / f"{A}.ipynb").exists()
    with open(course.parent / "log", "a") as log:  # nbgrader's own commands see the results
        nbgrader(["generate_feedback", A], course, log)
        nbgrader(["export", "--to", str(course.parent / "nbgrader.csv")], course, log)
    html = (course / "feedback" / "err01" / A / f"{A}.html").read_text()
    assert "esperado torch.float32" in html
    with open(course.parent / "nbgrader.csv") as f:
        assert {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)} == expected
    assert integrity(course) == "ok"


def test_progress_is_plain_lines_when_not_a_terminal(graded_class):
    _, expected, proc = graded_class
    lines = [line for line in proc.stderr.splitlines() if re.match(r"\[\d+/\d+\]", line)]
    assert len(lines) == len(expected)
    assert lines[-1].startswith(f"[{len(expected)}/{len(expected)}]") and "ETA" in lines[-1]
    assert "\r" not in proc.stderr


def test_progress_bar_with_eta_on_a_terminal(graded_class):
    course, expected, _ = graded_class
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [AUTOGRADER, "autograde", A, "--force", "--student", "ref00"],
        cwd=course,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait()
    os.close(master)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text
    assert re.search(r"\r\[#+\.*\] 1/1\s+ETA", text), text


def test_timings_file_says_where_the_graders_time_went(graded_class, tmp_path):
    course, _, _ = graded_class
    proc = autograde(course, "--force", "--student", "ref0*", "--timings", str(tmp_path / "t.json"))
    assert proc.returncode == 0, proc.stderr
    timings = json.loads((tmp_path / "t.json").read_text())
    assert timings["graded"] == 2
    assert 0 < timings["startup"] < timings["elapsed"] and 0 < timings["recording"] < timings["elapsed"]
    assert timings["imports"] > 0 and timings["maxrss_kb"] > 0
    meta = nbformat.read(course / "autograded" / "ref00" / A / f"{A}.ipynb", as_version=4).metadata.autograder
    assert meta["phases"]["startup"] > 0 and meta["phases"]["probes"] > 0
    # a file that cannot be written: one line saying so, exit 2, and the grades are recorded anyway
    bad = autograde(course, "--force", "--student", "ref00", "--timings", str(tmp_path / "no" / "such" / "t.json"))
    assert bad.returncode == 2
    errors = [line for line in bad.stderr.splitlines() if line.startswith("autograder: error:")]
    assert len(errors) == 1 and "--timings" in errors[0] and "Traceback" not in bad.stderr, bad.stderr
    assert "1 corrigidas" in bad.stdout and gradebook_scores(course)["ref00"] == 12.0


def test_rerun_skips_graded_submissions_unless_forced(graded_class_on):
    course, expected, _ = graded_class_on
    again = autograde(course)
    assert again.returncode == 0
    assert f"0 corrigidas, {len(expected)} já corrigidas antes" in again.stdout
    forced = autograde(course, "--force", "--student", "err01")
    assert "1 corrigidas" in forced.stdout
    assert gradebook_scores(course) == expected


def test_one_broken_submission_is_reported_and_the_rest_graded(tmp_path):
    course, expected = make_class(tmp_path, 3)
    broken = course / "submitted" / "broken" / A
    broken.mkdir(parents=True)
    (broken / f"{A}.ipynb").write_text("{ not json")
    proc = autograde(course)
    assert proc.returncode == 1
    assert re.search(r"falhou: broken/tensors_autograd: BadSubmission: .*not a Jupyter notebook", proc.stdout)
    scores = gradebook_scores(course)
    assert {k: scores[k] for k in expected} == expected


@pytest.mark.parametrize(
    "sig, backend",
    [
        (signal.SIGINT, "sqlite"),
        (signal.SIGKILL, "sqlite"),
        pytest.param(signal.SIGKILL, "postgresql", marks=pytest.mark.slow),
    ],
)
def test_an_interrupted_run_loses_nothing_and_resumes(tmp_path, sig, backend, request):
    db_url = request.getfixturevalue("new_postgres_gradebook")() if backend == "postgresql" else None
    course, expected = make_class(tmp_path, 6, db_url, pace=1.0)
    proc = subprocess.Popen(
        [AUTOGRADER, "autograde", A, "--workers", "1"],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    autograded = course / "autograded"
    deadline = time.monotonic() + 120
    while len(list(autograded.glob(f"*/{A}/{A}.ipynb"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    done_before = {p.parent.parent.name for p in autograded.glob(f"*/{A}/{A}.ipynb")}
    assert 2 <= len(done_before) < len(expected), (out, err)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "interrompido" in err
    assert integrity(course) == "ok"
    partial = gradebook_scores(course)
    for student in done_before:  # what was written is complete and right
        assert partial[student] == expected[student]
    resumed = autograde(course)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"{len(done_before)} já corrigidas antes" in resumed.stdout
    assert gradebook_scores(course) == expected


def test_exports_csv_and_gradescope(graded_class_on, tmp_path):
    course, expected, _ = graded_class_on
    proc = subprocess.run(
        [AUTOGRADER, "export", "--csv", str(tmp_path / "notas.csv"), "--gradescope", str(tmp_path / "gs")],
        cwd=course,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "notas.csv") as f:
        rows = list(csv.DictReader(f))
    # one column per exercise of the whole course, in the contract's order, graded or not
    assert list(rows[0]) == ["student_id", *EXERCISES, "total"]
    assert {r["student_id"]: r["build_mlp"] for r in rows}["ref00"] == ""  # not graded yet: empty, not a zero
    assert {r["student_id"]: float(r["total"]) for r in rows} == expected
    assert {r["student_id"]: r["create_tensors"] for r in rows}["err01"] == "2.5"
    files = sorted((tmp_path / "gs").glob(f"*/{A}/results.json"))
    assert len(files) == len(expected)
    result = json.loads((tmp_path / "gs" / "ref00" / A / "results.json").read_text())
    assert result["score"] == result["max_score"] == 12
    assert [t["tags"] for t in result["tests"]] == [
        ["create_tensors"],
        ["move_to_device"],
        ["autograd_descent"],
        ["fix_inplace"],
    ]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.images, self.text, self._stack = {}, [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        self._stack.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if self._stack:
            self._stack.pop()

    def handle_data(self, data):
        for ident in filter(None, self._stack):
            self.ids.setdefault(ident, []).append(data)


def test_report_page_has_plots_failures_and_pending(graded_class_on):
    course, expected, _ = graded_class_on
    nb = nbformat.read(course / "assignments" / A / f"{A}.ipynb", as_version=4)
    add_submission(course, "late99", nb)  # collected after grading: not graded yet
    proc = subprocess.run([AUTOGRADER, "report", A], cwd=course, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    page = _Page()
    page.feed((course / "reports" / f"{A}.html").read_text())
    png = base64.b64decode(page.images[0].split(",", 1)[1])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert f"{len(expected)} envio(s) corrigido(s); 1 aguardando" in "".join(page.ids["counts"])
    failures = "".join(page.ids["failures"])
    assert "check_to_float32_dtype" in failures and "esperado torch.float32" in failures
    assert "late99" in "".join(page.ids["pending"])


HOSTILE = (
    "deep_tree_then_crash",
    "dangling_symlink_then_crash",
    "forges_control_messages",
    "exhausts_process_limit_and_hangs",
    "floods_grader_with_huge_lines",
)


def test_hostile_submissions_beside_honest_ones(tmp_path):
    """Red-team findings at class scale: with two workers, each attacker is recorded (zero on its target
    only) and the honest submissions graded beside them keep full marks; the run itself never aborts."""
    from attacks import ATTACKS

    course, _ = make_course(ROOT, tmp_path)
    with open(tmp_path / "log", "w") as log:
        nbgrader(["generate_assignment", A, "--force"], course, log)
    expected = {}
    attacks = {a.name: a for a in ATTACKS}
    for i, name in enumerate(HOSTILE):
        attack = attacks[name]
        answers = reference_answers(A)
        answers[attack.target] = attack.render()
        nb = nbformat.read(course / "assignments" / A / f"{A}.ipynb", as_version=4)
        personas.fill(nb, answers)
        add_submission(course, f"hostil{i}", nb)
        expected[f"hostil{i}"] = 12.0 - 3.0  # every target here is worth 3 points
        add_submission(
            course,
            f"honesto{i}",
            personas.fill(nbformat.read(course / "assignments" / A / f"{A}.ipynb", as_version=4), reference_answers(A)),
        )
        expected[f"honesto{i}"] = 12.0
    proc = autograde(
        course,
        "--workers",
        "2",
        "--timeout",
        "10",
        "--require-sandbox",
        env=dict(os.environ, AUTOGRADER_SECRET="segredo"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 com falha" in proc.stdout
    assert gradebook_scores(course) == expected
    assert integrity(course) == "ok"
