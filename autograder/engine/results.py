"""What grading produces, and how a graded notebook carries it.

One owner for the typed results (checks, exercises, a notebook) and for the
layout of the engine's record in an autograded notebook: the verdict outputs in
each test cell (nbgrader reads the score from them as partial credit) and the
details in ``metadata["autograder"]``. Both ways of grading a class (`nbgrader
autograde` with the plugin, and `autograder autograde`) write it with
`annotate`; export and the class report read it back with `read_record`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nbformat

from .restore import grade_id, nbgrader_meta

METADATA_KEY = "autograder"


@dataclass
class CheckResult:
    name: str
    max_points: float
    points: float
    message: str | None = None  # None when passed

    @property
    def passed(self) -> bool:
        return self.message is None


@dataclass
class ExerciseResult:
    id: str
    title: str
    number: int
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)
    note: str | None = None  # about the whole exercise (process crash, timeout...)

    @property
    def score(self) -> float:
        return round(sum(c.points for c in self.checks), 4)

    @property
    def messages(self) -> list[str]:
        out = [self.note] if self.note else []
        for c in self.checks:
            if c.message and c.message not in out:
                out.append(c.message)
        return out


@dataclass
class NotebookGrade:
    assignment: str
    exercises: list[ExerciseResult]
    notebook: object = None  # the restored notebook
    execution_time: float = 0.0
    skipped_cells: list[int] = field(default_factory=list)
    processes: int = 0  # student processes started (1 unless a cell hung or crashed)
    max_rss_kb: int = 0  # peak memory of the student's process (as it reported it)
    phases: dict[str, float] = field(default_factory=dict)  # wall seconds per phase, for benchmarks

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 4)

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)


@dataclass
class GradedRecord:
    """The engine's record in an autograded notebook, as export and the report read it."""

    submission_sha256: str | None
    results: dict  # the Gradescope results.json object
    checks: dict[str, list[CheckResult]]
    processes: int = 0
    max_rss_kb: int = 0
    phases: dict[str, float] = field(default_factory=dict)

    def exercise_score(self, exercise_id: str) -> float:
        return sum(c.points for c in self.checks.get(exercise_id, []))


def verdict_outputs(result: ExerciseResult) -> list:
    """A stdout report plus the score as the cell's result: nbgrader reads it as partial credit."""
    lines = [f"Exercício {result.number} — {result.title}: {result.score:g}/{result.max_score:g} pontos"]
    lines += [f"✗ {m}" for m in result.messages] or ["✓ todas as verificações passaram"]
    return [
        nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(result.score))}, execution_count=None),
    ]


def annotate(nb, grade: NotebookGrade, submission_sha256: str | None = None, results: dict | None = None):
    """Write the verdicts into ``nb`` (the restored notebook), in place; ``results``: its results.json."""
    from .report import gradescope

    verdicts = {e.id: e for e in grade.exercises}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        gid = grade_id(cell)
        if gid and gid.startswith("test_") and gid[5:] in verdicts and nbgrader_meta(cell).get("grade"):
            cell.outputs = verdict_outputs(verdicts[gid[5:]])
    nb.metadata[METADATA_KEY] = {
        "submission_sha256": submission_sha256,
        "results": results if results is not None else gradescope(grade),
        "checks": {e.id: [[c.name, c.points, c.max_points, c.message] for c in e.checks] for e in grade.exercises},
        "processes": grade.processes,
        "max_rss_kb": grade.max_rss_kb,  # as the student's process reported it: for benchmarks only
        "phases": grade.phases,  # wall seconds per grading phase: for benchmarks only
    }
    return nb


def read_record(nb) -> GradedRecord | None:
    """The engine's record in an autograded notebook, or None if it has none."""
    meta = nb.metadata.get(METADATA_KEY)
    if not isinstance(meta, dict):
        return None
    checks = {
        exercise: [CheckResult(name, max_points, points, message) for name, points, max_points, message in rows]
        for exercise, rows in (meta.get("checks") or {}).items()
    }
    return GradedRecord(
        meta.get("submission_sha256"),
        meta.get("results") or {},
        checks,
        meta.get("processes", 0),
        meta.get("max_rss_kb", 0),
        meta.get("phases") or {},
    )
