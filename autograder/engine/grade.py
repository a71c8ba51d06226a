"""The grading pipeline for one notebook: restore -> plan -> run (sandboxed) -> judge -> results.

The submission is rebuilt around the instructor's cells (`restore`), planned
once (`plan`), run in one sandboxed process that probes each exercise at its
test cell (`run`), and judged in this process by each exercise's judge; the
result is a `NotebookGrade` (`results`), which the callers record.
"""

import json
import threading
import time
from pathlib import Path

import nbformat
import numpy as np

from .. import exercises
from ..course import ASSIGNMENTS, get_assignment
from ..judge import glossary, run_checks
from ..settings import DEFAULTS, Settings
from . import restore, run, secret
from .plan import Plan, make_plan
from .results import NotebookGrade
from .run import GradingError  # noqa: F401 - part of this module's interface

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
GRADER_RETRIES = 1  # a grading process that fails before any student code runs is started once more


class BadSubmission(ValueError):
    """The file cannot be graded at all (not a notebook, unreadable, unknown assignment)."""


def read_submission(path) -> dict:
    """A submitted notebook file as JSON data (BadSubmission when it cannot be one)."""
    return parse_submission(read_submission_bytes(path), path)


def read_submission_bytes(path):
    """A submitted notebook file's bytes, size-capped (BadSubmission when it cannot be read)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise BadSubmission(f"{path}: file larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
        return path.read_bytes()
    except FileNotFoundError:
        raise BadSubmission(f"{path}: no such file") from None
    except OSError as exc:
        raise BadSubmission(f"{path}: cannot read file ({exc.__class__.__name__})") from None


def parse_submission(raw, name):
    """A submitted notebook's bytes as JSON data; ``name`` (its path, say) only labels the errors."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise BadSubmission(f"{name}: file larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadSubmission(f"{name}: cannot read file ({exc.__class__.__name__})") from None
    except (ValueError, RecursionError):
        raise BadSubmission(f"{name}: not a Jupyter notebook (invalid JSON)") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise BadSubmission(f"{name}: not a Jupyter notebook (no cell list)")
    return data


def guess_assignment(path) -> str:
    stem = Path(path).stem
    for name in ASSIGNMENTS:
        if stem == name or name in stem:
            return name
    known = ", ".join(ASSIGNMENTS)
    raise BadSubmission(f"{path}: cannot tell the assignment from the file name; pass --assignment ({known})")


def load_sources(course_root, assignment_id):
    """(assignment, the instructor's source notebook, the release or None)."""
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
        return glossary.interrupted("notebook_time", total_timeout)
    if outcome.malformed:
        return glossary.interrupted("malformed")
    if not outcome.ready:
        if outcome.stuck_cell is not None:
            return (
                glossary.interrupted("own_cell_hung", timeout)
                if outcome.timed_out
                else glossary.interrupted("own_cell_killed")
            )
        return glossary.interrupted("cells_hung", timeout) if outcome.timed_out else glossary.interrupted("ended_early")
    return glossary.interrupted("probe_hung", timeout) if outcome.timed_out else glossary.interrupted("probe_killed")


def grade_notebook(path, assignment_id: str | None = None, settings: Settings | None = None) -> NotebookGrade:
    """Grade one filled-in notebook file; returns a NotebookGrade."""
    settings = settings or DEFAULTS
    start = time.monotonic()
    submission = read_submission(path)
    assignment_id = assignment_id or guess_assignment(path)
    try:
        assignment, source, release = load_sources(settings.course_root, assignment_id)
    except ValueError as exc:
        raise BadSubmission(str(exc)) from None
    restored = restore.restore(submission, source, release)
    return grade_plan(make_plan(restored, assignment), settings, start)


class _DrawnInputs:
    """The hidden inputs, drawn in a thread while the student's process starts (they are only sent
    when its probes are ready); reading one waits for the drawing, and re-raises its error.

    The thread starts once the process is launched (`start`): importing the judges holds the GIL,
    and before the launch it would slow the grader's own preparation down (about 0.4 s measured).
    """

    def __init__(self, assignment, key, digest):
        self.judges, self._inputs, self._error = {}, {}, None
        self._thread = threading.Thread(target=self._draw, args=(assignment, key, digest), daemon=True)
        self._started = threading.Lock()

    def start(self):
        if self._started.acquire(blocking=False):
            self._thread.start()

    def _draw(self, assignment, key, digest):
        try:
            for exercise in assignment.exercises:
                self.judges[exercise.id] = exercises.judge(exercise.id)
                rng = np.random.default_rng(secret.exercise_seed(key, assignment.id, exercise.id, digest))
                self._inputs[exercise.id] = self.judges[exercise.id].draw(rng)
        except BaseException as exc:  # noqa: BLE001 - handed to the reader
            self._error = exc

    def all(self):
        self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._inputs

    def __getitem__(self, exercise_id):
        return self.all()[exercise_id]


def grade_plan(plan: Plan, settings: Settings | None = None, start: float | None = None) -> NotebookGrade:
    """Run and judge a planned submission; returns a NotebookGrade."""
    settings = settings or DEFAULTS
    start = time.monotonic() if start is None else start
    key = settings.secret or secret.course_secret(settings.course_root)
    drawn = _DrawnInputs(plan.assignment, key, plan.digest)
    timeout = min(settings.exercise_timeout, settings.submission_timeout)
    total_timeout = settings.submission_timeout
    for attempt in range(GRADER_RETRIES + 1):
        try:
            notebook_run = run.run_notebook(
                plan, drawn, timeout, settings.launcher, total_timeout=total_timeout - (time.monotonic() - start)
            )
            break
        except GradingError:  # the grader's failure (a process that could not start, say): once more
            if attempt == GRADER_RETRIES:
                raise
            time.sleep(1.0)

    judging = time.monotonic()
    inputs = drawn.all()
    results = []
    for exercise in plan.assignment.exercises:
        ran = notebook_run.outcomes[exercise.id]
        interruption = _interruption(ran, timeout, total_timeout)
        observations = {} if ran.malformed else ran.observations
        result = run_checks(exercise, drawn.judges[exercise.id].CHECKS, inputs[exercise.id], observations, interruption)
        own_error = notebook_run.finished_cells.get(plan.own_cells[exercise.id])
        if own_error and result.score < result.max_score:
            result.note = glossary.own_cell_raised(own_error)
        elif interruption and not result.note:
            result.note = interruption
        results.append(result)
    end = time.monotonic()
    phases = {**notebook_run.phases, "judge": end - judging}
    return NotebookGrade(
        plan.assignment.id,
        results,
        plan.notebook,
        end - start,
        sorted(notebook_run.skipped_cells),
        processes=notebook_run.processes,
        max_rss_kb=notebook_run.max_rss_kb,
        phases={k: round(v, 4) for k, v in phases.items()},
    )
