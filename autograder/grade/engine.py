"""The grading pipeline for one notebook: restore -> run in a fresh process -> judge -> record.

Each exercise gets its own process that runs the notebook's code cells up to
that exercise's test cell, then the exercise's probe. A cell that hangs or
kills its process costs only the exercises that need it: the engine notes the
cell and runs the other exercises without it.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from .. import checks
from ..checks.framework import run_checks
from ..course import ASSIGNMENTS, get_assignment
from . import execute, restore, sandbox, secret
from .execute import GradingError

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
GRADER_RETRIES = 1  # a grading process that fails before any student code runs is started once more


class BadSubmission(ValueError):
    """The file cannot be graded at all (not a notebook, unreadable, unknown assignment)."""


@dataclass
class GradeOptions:
    course_root: Path = Path(".")
    exercise_timeout: float = 60.0     # wall clock for one exercise's process
    submission_timeout: float = 600.0  # wall clock for the whole notebook
    launcher: object = None            # how to start the student's process; default: the sandbox
    secret: bytes = None

    def get_launcher(self):
        if self.launcher is None:
            self.launcher = sandbox.make_launcher()
        return self.launcher


@dataclass
class NotebookGrade:
    assignment: str
    exercises: list
    notebook: object = None            # the restored notebook
    execution_time: float = 0.0
    skipped_cells: list = field(default_factory=list)
    processes: int = 0                 # student processes started (1 unless a cell hung or crashed)
    max_rss_kb: int = 0                # peak memory of the student's process (as it reported it)
    phases: dict = field(default_factory=dict)  # wall seconds per phase, for benchmarks

    @property
    def score(self):
        return round(sum(e.score for e in self.exercises), 4)

    @property
    def max_score(self):
        return sum(e.max_score for e in self.exercises)


def read_submission(path):
    path = Path(path)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise BadSubmission(f"{path}: file larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadSubmission(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadSubmission(f"{path}: cannot read file ({exc.__class__.__name__})") from None
    except (ValueError, RecursionError):
        raise BadSubmission(f"{path}: not a Jupyter notebook (invalid JSON)") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise BadSubmission(f"{path}: not a Jupyter notebook (no cell list)")
    return data


def guess_assignment(path):
    stem = Path(path).stem
    for name in ASSIGNMENTS:
        if stem == name or name in stem:
            return name
    known = ", ".join(ASSIGNMENTS)
    raise BadSubmission(f"{path}: cannot tell the assignment from the file name; pass --assignment ({known})")


def load_sources(course_root, assignment_id):
    assignment = get_assignment(assignment_id)
    source = nbformat.read(assignment.notebook(course_root, "solutions"), as_version=4)
    release_path = assignment.notebook(course_root, "assignments")
    release = nbformat.read(release_path, as_version=4) if release_path.exists() else None
    return assignment, source, release


def _interruption(outcome, timeout, total_timeout):
    """Why an exercise's probe did not finish, in pt-BR, or None."""
    if outcome.done:
        return None
    if outcome.out_of_time:
        return f"o tempo total de avaliação do notebook ({total_timeout:.0f} s) acabou antes deste exercício terminar"
    if outcome.malformed:
        return "o processo de avaliação enviou dados inválidos; nenhum ponto neste exercício"
    if not outcome.ready:
        if outcome.stuck_cell is not None:
            if outcome.timed_out:
                return f"a célula do exercício não terminou em {timeout:.0f} s"
            return "a célula do exercício encerrou o processo (por exemplo, com os._exit ou um sinal)"
        if outcome.timed_out:
            return f"as células do notebook não terminaram em {timeout:.0f} s"
        return "o processo de avaliação terminou antes das verificações"
    if outcome.timed_out:
        return f"as verificações não terminaram em {timeout:.0f} s: alguma função demora demais ou não termina"
    return "o processo foi encerrado durante as verificações (por exemplo, com os._exit ou sys.exit)"


def grade_notebook(path, assignment_id=None, options=None):
    """Grade one filled-in notebook; returns a NotebookGrade."""
    options = options or GradeOptions()
    start = time.monotonic()
    submission = read_submission(path)
    assignment_id = assignment_id or guess_assignment(path)
    try:
        assignment, source, release = load_sources(options.course_root, assignment_id)
    except ValueError as exc:
        raise BadSubmission(str(exc)) from None
    restored = restore.restore(submission, source, release)
    return grade_restored(restored, assignment, options, start)


class _DrawnInputs:
    """The hidden inputs, drawn in a thread while the student's process starts (they are only sent
    when its probes are ready); reading one waits for the drawing, and re-raises its error."""

    def __init__(self, assignment, key, digest):
        self.modules, self._inputs, self._error = {}, {}, None
        self._thread = threading.Thread(target=self._draw, args=(assignment, key, digest), daemon=True)
        self._thread.start()

    def _draw(self, assignment, key, digest):
        try:
            for exercise in assignment.exercises:
                self.modules[exercise.id] = checks.module_for(exercise.id)
                rng = np.random.default_rng(secret.exercise_seed(key, assignment.id, exercise.id, digest))
                self._inputs[exercise.id] = self.modules[exercise.id].draw(rng)
        except BaseException as exc:  # noqa: BLE001 - handed to the reader
            self._error = exc

    def all(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._inputs

    def __getitem__(self, exercise_id):
        return self.all()[exercise_id]


def grade_restored(restored, assignment, options, start=None):
    start = time.monotonic() if start is None else start
    key = options.secret or secret.course_secret(options.course_root)
    digest = secret.submission_digest(restored)
    cell_of = {restore.grade_id(c): i for i, c in enumerate(restored.cells) if restore.grade_id(c)}
    launcher = options.get_launcher()

    drawn = _DrawnInputs(assignment, key, digest)
    cells = [[i, src] for i, src in restore.code_cells(restored)]
    probes = [[e.id, cell_of[e.test_cell]] for e in assignment.exercises]
    own = {e.id: cell_of.get(e.id) for e in assignment.exercises}
    timeout = min(options.exercise_timeout, options.submission_timeout)

    total_timeout = options.submission_timeout
    for attempt in range(GRADER_RETRIES + 1):
        try:
            run = execute.run_notebook(cells, probes, drawn, timeout, launcher, own_cells=own,
                                       total_timeout=total_timeout - (time.monotonic() - start))
            break
        except GradingError:  # the grader's failure (a process that could not start, say): once more
            if attempt == GRADER_RETRIES:
                raise
            time.sleep(1.0)

    judging = time.monotonic()
    inputs, modules = drawn.all(), drawn.modules
    results = []
    for exercise in assignment.exercises:
        outcome = run.outcomes[exercise.id]
        interruption = _interruption(outcome, timeout, total_timeout)
        observations = {} if outcome.malformed else outcome.observations
        result = run_checks(exercise, modules[exercise.id].CHECKS, inputs[exercise.id], observations, interruption)
        own_error = run.finished_cells.get(own[exercise.id])
        if own_error and result.score < result.max_score:
            result.note = f"a célula do exercício levantou {own_error} ao ser executada"
        elif interruption and not result.note:
            result.note = interruption
        results.append(result)
    end = time.monotonic()
    phases = {**run.phases, "judge": end - judging}
    return NotebookGrade(assignment.id, results, restored, end - start, sorted(run.skipped_cells),
                         processes=run.processes, max_rss_kb=run.max_rss_kb,
                         phases={k: round(v, 4) for k, v in phases.items()})
