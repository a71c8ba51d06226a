"""What a student wrote: the text of each solution cell, and what the instructor gave (to subtract).

Cells are found by nbgrader ``grade_id`` through ``restore`` (the same rules as
grading: the submission's metadata is not trusted; missing, duplicated or
re-typed cells never raise). Cells the student added are left out: they hold
experiments and copies of the given code, not the answer.

A code cell is cut into units: each function the stub asks for (by its name,
wherever the student put it in the cell) and the rest of the cell together.
Compared unit by unit, functions written in another order are still the same
functions, and no fingerprint spans the end of one function and the start of
the next.
"""

import ast
import re
from dataclasses import dataclass

from ..engine.grade import read_submission
from ..engine.restore import grade_id, nbgrader_meta, restore

MAX_CELL_CHARS = 20_000  # per solution cell; the answers here are a few hundred characters
MAX_SUBMISSION_CHARS = 100_000  # per submission, all cells together
INLINE_CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)


@dataclass(frozen=True)
class Part:
    """One unit of one solution cell of one submission."""

    cell: str  # grade_id
    unit: str  # the function's name; "" for the rest of the cell (and for a markdown cell)
    kind: str  # "code" or "markdown"
    text: str
    truncated: bool = False


def function_names(stub):
    """The functions a stub asks for, in its order."""
    try:
        return [n.name for n in ast.parse(stub).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []


def split_units(text, required):
    """[(unit, text)]: each function of ``required`` defined at the top of the cell (its first
    definition, decorators included), then everything else as one unit ""; the whole cell as ""
    if it is not valid Python."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # the line ends Python's parser counts, no others
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [("", text)] if text.strip() else []
    lines = text.split("\n")
    functions, rest = {}, []
    for node in tree.body:
        first = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
        segment = "\n".join(lines[first - 1 : node.end_lineno]) + "\n"
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name in required
            and node.name not in functions
        ):
            functions[node.name] = segment
        else:
            rest.append(segment)
    units = [(name, functions[name]) for name in required if name in functions]
    return units + ([("", "".join(rest))] if rest else [])


def solution_cells(source):
    """(grade_id, cell type) of the source's solution cells, in order."""
    return [
        (grade_id(c), c.cell_type)
        for c in source.cells
        if grade_id(c) and nbgrader_meta(c).get("solution") and c.cell_type in ("code", "markdown")
    ]


def submission_parts(path, source, release, stubs=None):
    """{(grade_id, unit): Part} for a submitted notebook; raises BadSubmission for what is not a notebook.
    ``stubs``: given_text(release), for the function names each code cell must define."""
    restored = restore(read_submission(path), source, release)
    wanted = dict(solution_cells(source))
    stubs = stubs if stubs is not None else given_text(release)
    parts, seen, budget = {}, set(), MAX_SUBMISSION_CHARS
    for cell in restored.cells:
        gid = grade_id(cell)
        if gid not in wanted or gid in seen:
            continue
        seen.add(gid)
        text = cell.source if isinstance(cell.source, str) else ""
        limit = max(0, min(MAX_CELL_CHARS, budget))
        truncated, text = len(text) > limit, text[:limit]
        budget -= len(text)
        units = split_units(text, function_names(stubs.get(gid, ""))) if wanted[gid] == "code" else [("", text)]
        for unit, unit_text in units:
            parts[gid, unit] = Part(gid, unit, wanted[gid], unit_text, truncated)
    return parts


def given_text(release):
    """{grade_id: the release's text of that solution cell (its stub)}, and under None the list of the
    other code the students were given: each locked code cell, each code quote of the instructions."""
    stubs, given = {}, []
    for cell in release.cells:
        text = cell.source if isinstance(cell.source, str) else ""
        meta = nbgrader_meta(cell)
        if grade_id(cell) and meta.get("solution"):
            stubs[grade_id(cell)] = text
        elif cell.cell_type == "code":
            given.append(text)
        elif cell.cell_type == "markdown":
            given.extend(block or inline for block, inline in INLINE_CODE.findall(text))
    stubs[None] = given
    return stubs
