"""What the engine runs for one submission: the restored notebook, decided once.

`make_plan` is the only place that reads the restored notebook's structure;
the rest of the pipeline gets a `Plan`: the code cells to run, where each
exercise's probe goes (its test cell), each exercise's own solution cell, and
the digest that seeds the hidden inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..course import Assignment
from . import restore, secret


@dataclass(frozen=True)
class Plan:
    assignment: Assignment
    notebook: object  # the restored notebook (nbformat), annotated after grading
    digest: str  # the submission's content, as the hidden inputs' seed sees it
    cells: tuple[tuple[int, str], ...]  # (index, source) of the code cells to run, in order
    probes: tuple[tuple[str, int], ...]  # (exercise id, index of its test cell), in order
    own_cells: dict[str, int | None]  # exercise id -> index of its solution cell


def make_plan(restored, assignment: Assignment) -> Plan:
    cell_of = {restore.grade_id(c): i for i, c in enumerate(restored.cells) if restore.grade_id(c)}
    return Plan(
        assignment=assignment,
        notebook=restored,
        digest=secret.submission_digest(restored),
        cells=tuple((i, src) for i, src in restore.code_cells(restored)),
        probes=tuple((e.id, cell_of[e.test_cell]) for e in assignment.exercises),
        own_cells={e.id: cell_of.get(e.id) for e in assignment.exercises},
    )
