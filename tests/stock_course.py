"""A stock nbgrader course beside ours: the same notebooks with plain hidden asserts, no engine.

Used by `make security-report` and `make bench` as the baseline.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder.course import ASSIGNMENTS
from autograder.demo import nbgrader_env
from support import ROOT

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


