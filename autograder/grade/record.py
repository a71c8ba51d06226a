"""What a graded notebook carries: verdict outputs in each test cell, the engine's details in metadata.

Used by both ways of grading a class (`nbgrader autograde` with the plugin, and
`autograder autograde`), so exports and reports read the same thing.
"""

import nbformat

from .report import gradescope
from .restore import grade_id, nbgrader_meta


def verdict_outputs(result):
    """A stdout report plus the score as the cell's result: nbgrader reads it as partial credit."""
    lines = [f"Exercício {result.number} — {result.title}: {result.score:g}/{result.max_score:g} pontos"]
    lines += [f"✗ {m}" for m in result.messages] or ["✓ todas as verificações passaram"]
    return [
        nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(result.score))},
                               execution_count=None),
    ]


def annotate(nb, grade, submission_sha256=None):
    """Write the verdicts into ``nb`` (the restored notebook), in place."""
    verdicts = {e.id: e for e in grade.exercises}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        gid = grade_id(cell)
        if gid and gid.startswith("test_") and gid[5:] in verdicts and nbgrader_meta(cell).get("grade"):
            cell.outputs = verdict_outputs(verdicts[gid[5:]])
    nb.metadata["autograder"] = {
        "submission_sha256": submission_sha256,
        "results": gradescope(grade),
        "checks": {e.id: [[c.name, c.points, c.max_points, c.message] for c in e.checks] for e in grade.exercises},
        "processes": grade.processes,
        "max_rss_kb": grade.max_rss_kb,  # as the student's process reported it: for benchmarks only
        "phases": grade.phases,          # wall seconds per grading phase: for benchmarks only
    }
    return nb
