"""`make security-report`: the adversarial submissions through stock nbgrader and through this engine.

Stock side: the same course with plain hidden asserts in the test cells (what an
nbgrader course usually has) and nbgrader's own autograde, which runs the
notebook in a kernel as the instructor. Our side: `nbgrader autograde` with the
engine plugged in (nbgrader_config.py), sandbox on. Both graded one submission
at a time; prints attack, the target exercise's score under each, and time.
Attacks too destructive to run unsandboxed (fork bomb, memory bomb, daemons)
are not given to stock nbgrader.
"""

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attacks import ATTACKS  # noqa: E402
from autograder.course import ASSIGNMENTS  # noqa: E402
from autograder.demo import nbgrader_env, personas  # noqa: E402
from support import ROOT, reference_answers  # noqa: E402

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)

# What stock hidden tests usually look like: asserts with the usual comparison functions.
STOCK_HIDDEN = {
    "create_tensors": """import torch, numpy as np
assert torch.equal(make_matrix(), torch.tensor([[1., 4., 7.], [2., 3., 6.]]))
a = np.random.rand(4, 2)
assert to_float32(a).dtype == torch.float32 and np.allclose(to_float32(a).numpy(), a)
assert column_vector(np.arange(5.)).shape == (5, 1)""",
    "move_to_device": """import torch
assert pick_device() in ("cuda", "mps", "cpu")
M = torch.randn(3, 5)
assert torch.allclose(gram_on(M, "cpu"), M @ M.T)""",
    "autograd_descent": """import math, torch
f, df = square_and_grad(2.0)
assert math.isclose(f, 4.0) and math.isclose(df, 4.0)
torch.testing.assert_close(descend(1.0, 0.1, 10).detach(), torch.tensor(0.8 ** 10))""",
    "fix_inplace": """import torch
t = torch.tensor([0.5, 1.0], requires_grad=True)
z = z_fixed(t)
assert torch.allclose(z, torch.exp(t) + 1)
z.sum().backward()
assert torch.allclose(t.grad, torch.exp(t.detach()))""",
    "prepare_data": """import numpy as np
A, B, C = standardize(np.random.rand(20, 3), np.random.rand(5, 3), np.random.rand(5, 3))
assert np.allclose(A.mean(0).numpy(), 0, atol=1e-5)
assert to_column(np.arange(3.)).shape == (3, 1)""",
    "bgd_loop": """import numpy as np
w, b, losses = train_linear_bgd(X_train_t, y_train_t, 0.4, 20)
assert np.allclose(losses[0], 16.158457, rtol=1e-3) and np.allclose(losses[-1], 0.568410, rtol=1e-3)""",
    "train_nn_linear": """import numpy as np
model, losses = fit_linear(X_train_t, y_train_t)
assert np.allclose(losses[-1], 0.537429, rtol=1e-3)""",
}


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
            "c.ExecutePreprocessor.timeout = 30\nc.Execute.timeout = 30\n")
        for a in ASSIGNMENTS:
            path = course / "solutions" / a / f"{a}.ipynb"
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                if gid.startswith("test_"):
                    stock_tests = "### BEGIN HIDDEN TESTS\n" + STOCK_HIDDEN[gid[5:]] + "\n### END HIDDEN TESTS"
                    cell.source = HIDDEN.sub(lambda m: stock_tests, cell.source)
            nbformat.write(nb, path)
    else:
        shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    for a in ASSIGNMENTS:
        proc = nbgrader(["generate_assignment", a, "--force"], course)
        if proc.returncode:
            raise SystemExit(proc.stdout + proc.stderr)
    return course


def submit(course, attack):
    release = course / "assignments" / attack.assignment / f"{attack.assignment}.ipynb"
    nb = nbformat.read(release, as_version=4)
    answers = reference_answers(attack.assignment)
    answers[attack.target] = attack.code.replace("{course}", str(course)).replace("{port}", "9")
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


def main():
    work = Path(tempfile.mkdtemp(prefix="security-report-"))
    stock, ours = make_course(work, stock=True), make_course(work, stock=False)
    rows = []
    print(f"{'attack':<32}{'target':<18}{'stock':>8}{'ours':>8}{'stock s':>9}{'ours s':>8}")
    for attack in ATTACKS:
        points = next(e.points for e in ASSIGNMENTS[attack.assignment].exercises if e.id == attack.target)
        if attack.stock_safe:
            submit(stock, attack)
            stock_score, stock_time = grade(stock, attack)
        else:
            stock_score, stock_time = "n/a", None
        submit(ours, attack)
        our_score, our_time = grade(ours, attack)
        fmt = lambda s: "err" if s is None else (s if isinstance(s, str) else f"{s:g}/{points:g}")  # noqa: E731
        row = (attack.name, attack.target, fmt(stock_score), fmt(our_score),
               "" if stock_time is None else f"{stock_time:.1f}", f"{our_time:.1f}")
        rows.append((attack, stock_score, our_score))
        print(f"{row[0]:<32}{row[1]:<18}{row[2]:>8}{row[3]:>8}{row[4]:>9}{row[5]:>8}", flush=True)
    fooled = [a.name for a, s, _ in rows if isinstance(s, float) and s > 0]
    leaks = [a.name for a, _, o in rows if o != 0]
    print(f"\nstock nbgrader gave points to {len(fooled)} of {len(rows)} attacks: {', '.join(fooled) or '-'}")
    print(f"this engine gave points to {len(leaks)} of {len(rows)} attacks: {', '.join(leaks) or '-'}")
    print(f"(courses kept in {work})")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
