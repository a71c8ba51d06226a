"""`make security-report`: the adversarial submissions through stock nbgrader and through this engine.

Stock side: the same course with plain hidden asserts in the test cells (what an
nbgrader course usually has) and nbgrader's own autograde, which runs the
notebook in a kernel as the instructor. Our side: `nbgrader autograde` with the
engine plugged in (nbgrader_config.py), sandbox on. Both graded one submission
at a time; prints attack, the target exercise's score under each, and time.
Attacks too destructive to run unsandboxed (fork bomb, memory bomb, daemons)
are not given to stock nbgrader.
"""

import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attacks import ATTACKS  # noqa: E402
from stock_course import make_course, nbgrader  # noqa: E402
from support import reference_answers  # noqa: E402

from autograder.course import ASSIGNMENTS  # noqa: E402
from autograder.demo import personas  # noqa: E402


def submit(course, attack):
    release = course / "assignments" / attack.assignment / f"{attack.assignment}.ipynb"
    nb = nbformat.read(release, as_version=4)
    answers = reference_answers(attack.assignment)
    decoy = course.parent / "decoy"
    decoy.mkdir(exist_ok=True)
    answers[attack.target] = attack.render(course=course, port=9, decoy=decoy)
    personas.fill(nb, answers)
    if attack.edit:
        attack.edit(nb)
    target = course / "submitted" / attack.name / attack.assignment
    target.mkdir(parents=True)
    nbformat.write(nb, target / f"{attack.assignment}.ipynb")


def grade(course, attack):
    start = time.monotonic()
    nbgrader(["autograde", attack.assignment, "--student", attack.name], course)
    elapsed = time.monotonic() - start
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            sub = gb.find_submission_notebook(attack.assignment, attack.assignment, attack.name)
            grade = next(g for g in sub.grades if g.name == f"test_{attack.target}")
            return grade.score, elapsed
    except Exception:
        return None, elapsed  # nbgrader gave up on the submission


GRADED = ("submitted", "autograded", "feedback", "gradebook.db")  # what grading writes; the rest is the course


def course_digest(course):
    h = hashlib.sha256()
    for path in sorted(course.rglob("*")):
        rel = path.relative_to(course)
        if rel.parts[0] in GRADED or not path.is_file() or path.is_symlink():
            continue
        h.update(str(rel).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def restore_course(course, pristine):
    """Put the course's own files (sources, release, config) back as they were before any attack."""
    for entry in course.iterdir():
        if entry.name not in GRADED:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for entry in pristine.iterdir():
        if entry.name not in GRADED:
            (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, course / entry.name)


def fresh_gradebook(course, pristine):
    """Every grading writes the gradebook, and an attack may wreck it: each stock attack gets the one made."""
    shutil.copy2(pristine / "gradebook.db", course / "gradebook.db")


def main():
    work = Path(tempfile.mkdtemp(prefix="security-report-"))
    stock, ours = make_course(work, stock=True), make_course(work, stock=False)
    # An attack that wrecks stock's course (its gradebook, its sources) would turn every later stock row
    # into "err": each attack meets the course as it was made, and the report names the wreckers.
    pristine = work / "stock-pristine"
    shutil.copytree(stock, pristine, symlinks=True)
    clean = course_digest(stock)
    damaged = []
    rows = []
    print(f"{'attack':<32}{'target':<18}{'stock':>8}{'ours':>8}{'stock s':>9}{'ours s':>8}")
    for attack in ATTACKS:
        points = next(e.points for e in ASSIGNMENTS[attack.assignment].exercises if e.id == attack.target)
        if attack.stock_safe:
            submit(stock, attack)
            fresh_gradebook(stock, pristine)
            stock_score, stock_time = grade(stock, attack)
            if course_digest(stock) != clean:
                damaged.append(attack.name)
                restore_course(stock, pristine)
        else:
            stock_score, stock_time = "n/a", None
        submit(ours, attack)
        our_score, our_time = grade(ours, attack)
        fmt = lambda s: "err" if s is None else (s if isinstance(s, str) else f"{s:g}/{points:g}")  # noqa: E731
        row = (
            attack.name,
            attack.target,
            fmt(stock_score),
            fmt(our_score),
            "" if stock_time is None else f"{stock_time:.1f}",
            f"{our_time:.1f}",
        )
        rows.append((attack, stock_score, our_score))
        print(f"{row[0]:<32}{row[1]:<18}{row[2]:>8}{row[3]:>8}{row[4]:>9}{row[5]:>8}", flush=True)
    fooled = [a.name for a, s, _ in rows if isinstance(s, float) and s > 0]
    leaks = [a.name for a, _, o in rows if o != 0]
    print(f"\nstock nbgrader gave points to {len(fooled)} of {len(rows)} attacks: {', '.join(fooled) or '-'}")
    print(f"this engine gave points to {len(leaks)} of {len(rows)} attacks: {', '.join(leaks) or '-'}")
    print(f"attacks that changed stock's course files (restored before the next attack): {', '.join(damaged) or '-'}")
    print(f"(courses kept in {work})")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
