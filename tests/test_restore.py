"""Restoring a submission from the instructor's source: the submission's metadata is never trusted."""

import json

import nbformat
from support import grade, reference_answers, release, scores, source, write_submission

from autograder.engine.restore import HIDDEN_MARK, grade_id, nbgrader_meta, restore

A = "tensors_autograd"


def graded_ids(nb):
    return [grade_id(c) for c in nb.cells if grade_id(c)]


def test_restored_notebook_has_each_source_cell_once_in_source_order():
    src = source(A)
    sub = release(A)
    sub.cells = list(reversed(sub.cells)) + sub.cells[:3]  # reordered and duplicated
    out = restore(sub, src, release(A))
    assert graded_ids(out) == graded_ids(src)


def test_test_cells_come_from_the_source_without_hidden_code():
    sub = release(A)
    for cell in sub.cells:
        if grade_id(cell) == "test_create_tensors":
            cell.source = "pass"
            cell.metadata.nbgrader["points"] = 100
    out = restore(sub, source(A), release(A))
    cell = next(c for c in out.cells if grade_id(c) == "test_create_tensors")
    assert nbgrader_meta(cell)["points"] == 3
    assert HIDDEN_MARK in cell.source and "run_hidden_checks" not in cell.source
    assert "make_matrix()" in cell.source


def test_student_answers_and_added_cells_are_kept_in_place():
    sub = release(A)
    idx = next(i for i, c in enumerate(sub.cells) if grade_id(c) == "create_tensors")
    sub.cells[idx].source = "def make_matrix():\n    return 1\n"
    sub.cells.insert(idx + 1, nbformat.v4.new_code_cell("helper = 42"))
    out = restore(sub, source(A), release(A))
    ids = [grade_id(c) or c.source for c in out.cells]
    assert ids[ids.index("create_tensors") + 1] == "helper = 42"
    assert next(c for c in out.cells if grade_id(c) == "create_tensors").source.endswith("return 1\n")


def _tamper(tmp_path, edit):
    return grade(write_submission(tmp_path, A, reference_answers(A), edit=edit))


def test_deleted_test_cells_are_restored_and_graded(tmp_path):
    result = _tamper(
        tmp_path,
        lambda nb: nb.cells.__setitem__(
            slice(None), [c for c in nb.cells if not (grade_id(c) or "").startswith("test_")]
        ),
    )
    assert result.score == 12


def test_deleted_solution_cell_scores_zero_for_that_exercise_only(tmp_path):
    result = _tamper(
        tmp_path, lambda nb: nb.cells.__setitem__(slice(None), [c for c in nb.cells if grade_id(c) != "move_to_device"])
    )
    assert scores(result) == {"create_tensors": 3, "move_to_device": 0, "autograd_descent": 3, "fix_inplace": 3}


def test_retyped_and_duplicated_cells_never_abort_grading(tmp_path):
    def edit(nb):
        for cell in nb.cells:
            if grade_id(cell) == "test_fix_inplace":
                cell.cell_type = "markdown"
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
            if grade_id(cell) == "setup_imports":
                cell.metadata.nbgrader["grade"] = True  # claims to be a graded cell
                cell.metadata.nbgrader["points"] = 50
        dup = [c for c in nb.cells if grade_id(c) == "create_tensors"][0]
        nb.cells.append(nbformat.from_dict(json.loads(json.dumps(dup))))
        nb.cells[-1].source = "def make_matrix():\n    return None\n"

    result = _tamper(tmp_path, edit)
    assert result.score == 12  # the first copy of a duplicated solution cell counts


def test_retyped_solution_cell_counts_as_missing(tmp_path):
    def edit(nb):
        for cell in nb.cells:
            if grade_id(cell) == "autograd_descent":
                cell.cell_type = "markdown"
                cell.pop("outputs", None)
                cell.pop("execution_count", None)

    assert scores(_tamper(tmp_path, edit))["autograd_descent"] == 0


def test_garbage_metadata_never_raises():
    sub = {
        "cells": [
            {"cell_type": "code", "metadata": {"nbgrader": "oops"}, "source": 5},
            {"cell_type": "weird", "metadata": None},
            "not a cell",
            {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": ["x"]}}, "source": ["a", 1]},
        ]
    }
    out = restore(sub, source(A), release(A))
    assert graded_ids(out) == graded_ids(source(A))
