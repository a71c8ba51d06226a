"""Rebuild a submission around the instructor's cells, trusting nothing the student sent.

Cells are matched by nbgrader `grade_id` only. Locked and test cells, their
metadata and points come from the instructor's source; the student contributes
the source of solution cells and any cells they added. Missing, duplicated,
re-typed or edited cells never raise: the result is always a well-formed
notebook with each graded cell exactly once, in the source's order.
"""

import copy
import re

import nbformat

HIDDEN_REGION = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)
HIDDEN_MARK = "# (verificações ocultas: executadas pelo autograder, fora do seu notebook)\n"


def nbgrader_meta(cell):
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nb = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nb if isinstance(nb, dict) else {}


def grade_id(cell):
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def text(source):
    """Cell source as one string, whatever shape the JSON gave it."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return ""


def strip_hidden_tests(source):
    return HIDDEN_REGION.sub(HIDDEN_MARK, source)


def _student_cell(cell):
    """A cell the student added: its type and text, none of its metadata."""
    kind = cell.get("cell_type") if isinstance(cell, dict) else None
    if kind == "code":
        return nbformat.v4.new_code_cell(text(cell.get("source")))
    if kind == "markdown":
        return nbformat.v4.new_markdown_cell(text(cell.get("source")))
    return None  # raw or unknown cells carry nothing we run or show


def restore(submission, source, release=None):
    """Return a new notebook: the source's graded cells, with the student's answers."""
    source_cells = [c for c in source.cells]
    anchors = {grade_id(c): c for c in source_cells if grade_id(c)}
    checksums = {}
    if release is not None:
        for c in release.cells:
            if grade_id(c) and "checksum" in nbgrader_meta(c):
                checksums[grade_id(c)] = nbgrader_meta(c)["checksum"]

    raw_cells = submission.get("cells") if isinstance(submission, dict) else None
    answers = {}  # grade_id -> student's text for solution cells
    after = {None: []}  # anchor grade_id -> student cells that followed it
    current = None
    for cell in raw_cells if isinstance(raw_cells, list) else []:
        if not isinstance(cell, dict):
            continue
        gid = grade_id(cell)
        if gid in anchors:
            src = anchors[gid]
            if gid not in answers and nbgrader_meta(src).get("solution") and cell.get("cell_type") == src.cell_type:
                answers[gid] = text(cell.get("source"))
            if gid not in after:
                after[gid], current = [], gid
            continue  # duplicates and re-typed copies of graded cells are dropped
        added = _student_cell(cell)
        if added is not None:
            after.setdefault(current, []).append(added)

    out = nbformat.v4.new_notebook()
    out.metadata = copy.deepcopy(source.metadata)
    out.cells.extend(after[None])
    for src in source_cells:
        gid = grade_id(src)
        if gid is None:
            continue  # free cells (plain prose) come from the student's copy, if kept
        cell = copy.deepcopy(src)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        meta = cell.metadata.nbgrader
        if meta.get("solution"):
            cell.source = answers.get(gid, "")
        elif meta.get("grade"):
            cell.source = strip_hidden_tests(text(src.source))
        if gid in checksums:
            meta["checksum"] = checksums[gid]
        out.cells.append(cell)
        out.cells.extend(after.get(gid, []))
    return out


def code_cells(nb):
    """(index, source) of the code cells the engine runs: every code cell but the test cells."""
    return [
        (index, cell.source)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and not nbgrader_meta(cell).get("grade")
    ]
