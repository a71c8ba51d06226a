"""`autograder similarity`: planted copies are found, independent solutions and given code are not evidence,
student text reaches the class report only escaped, and the work stays bounded.

The synthesized classes come from similarity_class.py (the README's precision
and recall come from its ``main``, on other seeds); here one class per
assignment, seed 7, which played no part in choosing the threshold.
"""

import json
import subprocess
import time
from html.parser import HTMLParser

import nbformat
import pytest
import similarity_class as sc
from support import AUTOGRADER

pytestmark = [pytest.mark.slow]  # each test runs `autograder similarity` (seconds to start)

A = "tensors_autograd"


def similarity(course, *args, assignment=A):
    return subprocess.run([AUTOGRADER, "similarity", assignment, *args], cwd=course, capture_output=True, text=True)


def saved(course, assignment=A):
    return json.loads((course / "reports" / f"{assignment}.similarity.json").read_text())


class Page(HTMLParser):
    """The report's elements and text, as a browser would see them."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.data = [], []
        self.feed(text)
        self.close()
        self.text = "".join(self.data)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.data.append(data)


@pytest.mark.parametrize("assignment", ["tensors_autograd", "linear_regression"])
def test_planted_copies_are_flagged_and_independent_solutions_are_not(tmp_path, assignment):
    students, copied = sc.synthesize(assignment, seed=7)
    assert sc.check_correct(assignment, students) == {}  # every independent solution earns full marks
    course = sc.make_course(tmp_path)
    sc.place(course, assignment, students)
    started = time.monotonic()
    proc = similarity(course, assignment=assignment)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    result = saved(course, assignment)
    pairs = [{"a": a, "b": b, "score": score} for a, b, score, _, _ in result["scores"]]
    hits, flagged, planted, per_kind = sc.measure(pairs, copied, result["settings"]["threshold"])
    print(
        f"\n{assignment}: threshold {result['settings']['threshold']}, precision {hits / max(1, flagged):.2f}, "
        f"recall {hits / planted:.2f} ({per_kind}), {len(students)} submissions in {seconds:.1f} s"
    )
    assert hits / flagged >= 0.9
    for kind in ("renamed", "reformatted", "reordered", "comments", "all"):  # disguised whole copies: every one
        assert per_kind[kind][0] == per_kind[kind][1], (kind, per_kind)
    assert f"{flagged} par(es) com semelhança >= 70%" in proc.stdout
    # the report: flagged pairs first, with the shared code highlighted on both sides
    page = (course / "reports" / f"{assignment}.html").read_text()
    flagged_pair = next(p for p in result["pairs"] if p["flagged"] and "_renamed" in p["a"] + p["b"])
    assert 'id="similarity"' in page and page.count("<mark>") >= 2 * len(flagged_pair["matches"])
    assert f"<b>{flagged_pair['a']}</b> × <b>{flagged_pair['b']}</b>" in page


def course_with(tmp_path, answers_by_student):
    course = sc.make_course(tmp_path)
    sc.place(course, A, answers_by_student)
    return course


def test_stubs_given_code_and_the_instructions_are_not_evidence(tmp_path):
    release = {
        c.metadata.get("nbgrader", {}).get("grade_id"): c.source
        for c in nbformat.read(sc.ROOT / "assignments" / A / f"{A}.ipynb", as_version=4).cells
    }
    pasted = {
        cell: release[cell] + "\n\n" + release[demo]
        for cell, demo in [("create_tensors", "demo_numpy"), ("autograd_descent", "demo_grad_accumulation")]
    }
    students, _ = sc.synthesize(A, n_independent=4, copies_per_kind=0, n_stubs=0, n_unfinished=0, seed=3)
    mine = students["ind000"]
    answers = {
        "stub_a": {},
        "stub_b": {},  # the release untouched
        "given_a": pasted,
        "given_b": dict(pasted),  # the stubs, and a locked cell pasted below
        "own": mine,
        "own_copy": dict(mine),  # a real copy, as the control
    }
    course = course_with(tmp_path, answers)
    proc = similarity(course)
    assert proc.returncode == 0, proc.stderr
    scores = {tuple(sorted(s[:2])): s[2] for s in saved(course)["scores"]}
    assert scores.get(("own", "own_copy"), 0) >= 0.99
    for pair in [("stub_a", "stub_b"), ("given_a", "given_b")]:
        assert scores.get(pair, 0.0) == 0.0, (pair, scores)


def test_student_text_reaches_the_report_only_escaped(tmp_path):
    evil = '</pre><script>alert("código")</script><img src=x onerror=alert(1)>'
    code = (
        "def make_matrix():\n    s = '" + evil + "'\n    # " + evil + "\n"
        "    return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]]) + len(s) * 0\n\n"
        "def to_float32(a):\n    return torch.as_tensor(np.asarray(a), dtype=torch.float32).clone()\n"
    )
    prose = "A saída do exp() " + evil + " é guardada e o z += 1 a altera, então o backward falha com RuntimeError."
    name = "ana<i>x"
    course = course_with(
        tmp_path,
        {
            name: {"create_tensors": code, "fix_inplace_explanation": prose},
            "bia": {"create_tensors": code, "fix_inplace_explanation": prose},
        },
    )
    proc = similarity(course, "--threshold", "0.5")
    assert proc.returncode == 0, proc.stderr
    html = (course / "reports" / f"{A}.html").read_text()
    page = Page(html)
    assert not [t for t, _ in page.tags if t in ("script", "i")]
    assert [a.get("src", "")[:15] for t, a in page.tags if t == "img"] == ["data:image/png;"]  # the histograms
    assert evil in page.text and name in page.text  # shown as text, to be read
    assert "fix_inplace_explanation" in page.text and "(texto)" in page.text  # the written answer was compared


def test_unreadable_submissions_are_listed_and_the_report_says_when_submissions_changed(tmp_path):
    students, _ = sc.synthesize(A, n_independent=3, copies_per_kind=0, n_stubs=0, n_unfinished=0, seed=3)
    course = course_with(tmp_path, students)
    (course / "submitted" / "broken" / A).mkdir(parents=True)
    (course / "submitted" / "broken" / A / f"{A}.ipynb").write_text("{ not json")
    proc = similarity(course)
    assert proc.returncode == 0, proc.stderr
    assert "não comparado: broken:" in proc.stdout and saved(course)["skipped"][0][0] == "broken"
    assert "mudaram depois" not in (course / "reports" / f"{A}.html").read_text()
    sc.place(course, A, {"ind001": students["ind000"]})  # a submission replaced after the comparison
    report = subprocess.run([AUTOGRADER, "report", A], cwd=course, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert "1 envio(s) mudaram depois desta comparação (ind001)" in (course / "reports" / f"{A}.html").read_text()


def test_huge_cells_are_cut_and_the_run_stays_short(tmp_path):
    students, _ = sc.synthesize(A, n_independent=3, copies_per_kind=0, n_stubs=0, n_unfinished=0, seed=3)
    students["big"] = {"create_tensors": "x = [" + ", ".join(str(i) for i in range(400_000)) + "]\n"}
    course = course_with(tmp_path, students)
    started = time.monotonic()
    proc = similarity(course)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 60
    assert saved(course)["truncated"] == ["big"]
    assert "comparadas só no começo: big" in (course / "reports" / f"{A}.html").read_text()


def test_errors_are_one_line(tmp_path):
    course = course_with(tmp_path, {"only": {}})
    proc = similarity(course)
    assert proc.returncode == 2 and proc.stderr.startswith("autograder: error: 1 submission(s)")
    assert len(proc.stderr.strip().splitlines()) == 1
    bad = similarity(course, "--threshold", "70")
    assert bad.returncode == 2 and "--threshold" in bad.stderr and "Traceback" not in bad.stderr
