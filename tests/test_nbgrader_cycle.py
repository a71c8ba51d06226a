"""The real nbgrader cycle in a temporary course with a temporary exchange, the engine judging."""

import csv

import nbformat
import pytest
from attacks import ATTACKS, CONTROLS
from nbgrader.api import Gradebook
from support import ROOT, grade, reference_answers

from autograder.demo import make_course, nbgrader, personas, student_home

# one worker runs the whole module, so the course (a full nbgrader cycle) is built once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader_cycle")]

A = "tensors_autograd"
TRICK = {attack.name: attack.code for attack in ATTACKS}
STUDENTS = {
    # correct, but torch and the student write warnings to stderr: stock nbgrader zeroes such test cells
    "ref_warns": {**reference_answers(A), "create_tensors": CONTROLS["warns"][1]},
    # three tricks from the adversarial suite at once, wrong answers under each
    "cheater": {
        "create_tensors": TRICK["always_equal_object"],
        "fix_inplace": TRICK["patch_torch_allclose"],
        "autograd_descent": TRICK["input_transformer_blanks_tests"],
    },
    "stubs": {},
}
EXPECTED = {"ref_warns": 12, "cheater": 0, "stubs": 0}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Generate, release, fetch, submit (three students), collect, autograde, feedback, export."""
    work = tmp_path_factory.mktemp("cycle")
    course, exchange = make_course(ROOT, work)
    log = open(work / "nbgrader.log", "w")
    nbgrader(["generate_assignment", A, "--force"], course, log)
    nbgrader(["release_assignment", A], course, log)
    for student, answers in STUDENTS.items():
        home = student_home(work, student, exchange)
        nbgrader(["fetch_assignment", A], home, log)
        path = home / A / f"{A}.ipynb"
        nb = personas.fill(nbformat.read(path, as_version=4), answers)
        nbformat.write(nb, path)
        nbgrader(["submit", A, f"--student={student}"], home, log)
    nbgrader(["collect", A], course, log)
    nbgrader(["autograde", A], course, log)
    nbgrader(["generate_feedback", A], course, log)
    nbgrader(["export", "--to", str(work / "grades.csv")], course, log)
    log.close()
    return course, work


def test_gradebook_holds_the_engine_scores(course):
    course_dir, _ = course
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for student, expected in EXPECTED.items():
            assert gb.find_submission(A, student).score == expected, student


def test_export_csv_has_the_engine_scores(course):
    _, work = course
    with open(work / "grades.csv") as f:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f) if r["assignment"] == A}
    assert rows == EXPECTED


def test_cheats_earn_nothing_through_the_cli_too(course):
    course_dir, _ = course
    for student, expected in EXPECTED.items():
        path = course_dir / "submitted" / student / A / f"{A}.ipynb"
        assert grade(path).score == expected, student


def test_feedback_shows_engine_messages_and_no_hidden_checks(course):
    course_dir, _ = course
    html = (course_dir / "feedback" / "cheater" / A / f"{A}.html").read_text()
    assert "Exercício 1 — Criando tensores: 0/3 pontos" in html
    assert "make_matrix() devolveu um objeto de outro tipo; esperado torch.Tensor" in html
    assert "Exercício 4 — Corrigindo a operação in-place: 0/3 pontos" in html
    for forbidden in ("BEGIN HIDDEN TESTS", "run_hidden_checks", "autograder.check", "reference.py"):
        assert forbidden not in html
    good = (course_dir / "feedback" / "ref_warns" / A / f"{A}.html").read_text()
    assert "todas as verificações passaram" in good


def test_autograded_notebooks_carry_no_hidden_code(course):
    course_dir, _ = course
    for student in STUDENTS:
        text = (course_dir / "autograded" / student / A / f"{A}.ipynb").read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "run_hidden_checks" not in text


def test_stock_nbgrader_is_fooled_by_the_same_submissions(tmp_path):
    """The baseline the engine is measured against: stock autograde on the cheater's notebook."""
    course_dir = tmp_path / "stock"
    course_dir.mkdir()
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.source_directory = 'solutions'\n"
        "c.CourseDirectory.release_directory = 'assignments'\nc.CourseDirectory.course_id = 'stock'\n"
    )
    import shutil

    shutil.copytree(ROOT / "solutions", course_dir / "solutions")
    log = open(tmp_path / "log", "w")
    nbgrader(["generate_assignment", A], course_dir, log)
    for student in ("cheater", "ref_warns"):
        nb = personas.fill(
            nbformat.read(course_dir / "release" / A / f"{A}.ipynb", as_version=4)
            if (course_dir / "release").exists()
            else nbformat.read(course_dir / "assignments" / A / f"{A}.ipynb", as_version=4),
            STUDENTS[student],
        )
        target = course_dir / "submitted" / student / A
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{A}.ipynb")
    nbgrader(["autograde", A], course_dir, log)
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        stock = {s: gb.find_submission(A, s).score for s in ("cheater", "ref_warns")}
    # stock nbgrader cannot see through the cheats, and zeroes the warning
    assert stock["cheater"] > 0, stock
    assert stock["ref_warns"] < 12, stock
