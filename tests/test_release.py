"""The notebooks: structure per COURSE.md, the committed release, and what it must not contain."""

import json
import re
import shutil
from pathlib import Path

import pytest
from nbclient import NotebookClient
from support import ROOT, release, source

from autograder.course import ASSIGNMENTS
from autograder.demo import nbgrader
from autograder.engine.restore import grade_id, nbgrader_meta

SOLUTION_SNIPPETS = [  # lines only a solution contains
    "torch.tensor([[1., 4., 7.], [2., 3., 6.]]",
    "return t.exp() + 1",
    "optimizer.zero_grad()",
    "x.grad.zero_()",
    "X_train.mean(",
    "torch.manual_seed(seed)",
    "M_dev",
    "with torch.no_grad():\n        return model(X)",
]


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_notebook_cells_follow_the_contract(assignment):
    nb = source(assignment)
    cells = {grade_id(c): c for c in nb.cells if grade_id(c)}
    for exercise in ASSIGNMENTS[assignment].exercises:
        solution, test = cells[exercise.id], cells[exercise.test_cell]
        assert solution.cell_type == "code" and nbgrader_meta(solution)["solution"] is True
        assert test.cell_type == "code" and nbgrader_meta(test)["grade"] is True
        assert nbgrader_meta(test)["locked"] is True
        assert nbgrader_meta(test)["points"] == exercise.points
        assert "### BEGIN HIDDEN TESTS" in test.source and f'run_hidden_checks("{exercise.id}"' in test.source
    points = sum(nbgrader_meta(c).get("points", 0) for c in nb.cells if nbgrader_meta(c).get("grade"))
    assert points == ASSIGNMENTS[assignment].points
    for cell in nb.cells:  # given code is locked; only solution cells and free cells are editable
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta and not meta.get("solution"):
            assert meta.get("locked") is True, grade_id(cell)


def _code_without_docs(source):
    """A stub's code without its docstrings and comments (which may name the steps the exercise asks for)."""
    source = re.sub(r'("""|\'\'\')[\s\S]*?\1', "", source)
    return "\n".join(line.split("#", 1)[0] for line in source.splitlines())


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_release_holds_no_solution_and_no_hidden_checks(assignment):
    text = (ROOT / "assignments" / assignment / f"{assignment}.ipynb").read_text()
    nb = release(assignment)
    for forbidden in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "run_hidden_checks", "autograder"):
        assert forbidden not in text
    # Locked cells are the instructor's given code, the same in both notebooks (custom_models gives the
    # chapter's `train`, with its optimizer.zero_grad()), and docstrings state what to write: the snippets
    # are looked for in the rest of the code.
    sources = "\n".join(
        _code_without_docs(c.source) for c in nb.cells if c.cell_type == "code" and not nbgrader_meta(c).get("locked")
    )
    for snippet in SOLUTION_SNIPPETS:
        assert snippet not in sources, snippet
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
            assert "raise NotImplementedError()" in cell.source
    explanation = [c for c in nb.cells if grade_id(c) == "fix_inplace_explanation"]
    assert all(c.source == "ESCREVA SUA RESPOSTA AQUI" for c in explanation)


# What each notebook's code may import beyond torch, numpy, scikit-learn and a few standard modules (COURSE.md:
# Optuna is part of the student's environment for custom_models, which saves files in a temporary folder).
EXTRA_IMPORTS = {"custom_models": {"optuna", "tempfile"}}


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_visible_tests_need_only_torch_numpy_and_sklearn(assignment):
    imports = set()
    for cell in release(assignment).cells:
        if cell.cell_type == "code":
            imports |= set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", cell.source, re.M))
    assert imports <= {"torch", "numpy", "sklearn", "math", "warnings"} | EXTRA_IMPORTS.get(assignment, set()), imports


def test_committed_release_equals_a_fresh_generate_assignment(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    with open(tmp_path / "log", "w") as log:  # one command for all of them: nbgrader takes a glob
        nbgrader(["generate_assignment", "*", "--force"], course, log)
    for assignment in ASSIGNMENTS:
        rel = Path("assignments") / assignment / f"{assignment}.ipynb"
        fresh, committed = json.loads((course / rel).read_text()), json.loads((ROOT / rel).read_text())
        assert fresh == committed, f"{rel} is stale: run `nbgrader generate_assignment {assignment} --force`"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_source_notebook_runs_top_to_bottom_with_hidden_checks_passing(assignment):
    """The instructor's notebook in a plain Jupyter kernel: every cell, hidden checks included."""
    nb = source(assignment)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for exercise in ASSIGNMENTS[assignment].exercises:
        assert f"{exercise.title}: {exercise.points:g}/{exercise.points:g} pontos" in outputs
