"""`autograder autograde ASSIGNMENT`: grade every collected submission of a class, in parallel.

Workers grade (each submission in its own sandboxed process); this process is
the single writer of nbgrader's gradebook and of the autograded notebooks, so
formgrader, `nbgrader export`, `generate_feedback` and `release_feedback` see
the results exactly as after `nbgrader autograde`. A submission's scores and
comments are committed together, then its autograded notebook is written
atomically; a submission whose autograded notebook matches its current content
is skipped unless --force. So an interrupted run (Ctrl-C, kill) loses nothing
already graded, and the next run picks up the rest.

Who grades is an executor: `LocalWorkers` (``--workers N``, threads of this
process) or `cluster.DaskCluster` (``--cluster ADDRESS``, Dask workers). Both run
the same unit of work (`grade_submission`: restore -> plan -> grade in the
sandbox) and hand back plain `Graded` data; the recording loop below is the same
for both.
"""

import hashlib
import os
import shutil
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import compute_checksum, determine_grade, is_grade, is_solution
from traitlets.config.loader import PyFileConfigLoader

from ..course import get_assignment
from ..engine import grade_plan, load_sources
from ..engine.grade import read_submission
from ..engine.plan import make_plan
from ..engine.report import gradescope
from ..engine.restore import restore
from ..engine.results import annotate, read_record
from ..settings import DEFAULTS, Settings
from .gradebook_writes import with_retries
from .progress import Progress


class CourseError(RuntimeError):
    """The course is not ready for this (no gradebook entry, no submissions folder...)."""


def load_coursedir(course_root):
    config = (
        PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
        if (Path(course_root) / "nbgrader_config.py").exists()
        else None
    )
    coursedir = CourseDirectory(config=config) if config is not None else CourseDirectory()
    coursedir.root = str(Path(course_root).resolve())
    return coursedir


@dataclass
class Submission:
    student: str
    assignment: str
    notebook: str
    path: Path
    sha256: str
    timestamp: str = None

    @property
    def label(self):
        return f"{self.student}/{self.assignment}"


@dataclass
class Summary:
    graded: list = field(default_factory=list)  # (Submission, score, max_score, seconds)
    skipped: list = field(default_factory=list)  # already graded
    failed: list = field(default_factory=list)  # (Submission, one-line reason)
    elapsed: float = 0.0
    startup: float = 0.0  # seconds before the workers started (gradebook, sources, skip checks)
    recording: float = 0.0  # seconds the single writer spent on the gradebook and notebooks


def find_submissions(coursedir, assignment_id, student="*"):
    assignment = get_assignment(assignment_id)
    found = []
    submitted = Path(coursedir.root) / coursedir.submitted_directory
    for folder in sorted(submitted.glob(f"{student}/{assignment.id}")):
        path = folder / f"{assignment.id}.ipynb"
        if not path.exists():
            continue
        stamp = folder / "timestamp.txt"
        found.append(
            Submission(
                folder.parent.name,
                assignment.id,
                assignment.id,
                path,
                hashlib.sha256(path.read_bytes()).hexdigest(),
                stamp.read_text().strip() if stamp.exists() else None,
            )
        )
    return found


def autograded_path(coursedir, sub):
    return (
        Path(coursedir.format_path(coursedir.autograded_directory, sub.student, sub.assignment))
        / f"{sub.notebook}.ipynb"
    )


def already_graded(coursedir, sub):
    path = autograded_path(coursedir, sub)
    try:
        record = read_record(nbformat.read(path, as_version=4))
    except (OSError, ValueError):
        return False
    return record is not None and record.submission_sha256 == sub.sha256


@dataclass
class Graded:
    """What grading one submission hands the single writer: plain data."""

    notebook: object  # the autograded notebook (nbformat), with the engine's record
    score: float
    max_score: float
    seconds: float  # the grading's own wall time


def grade_submission(submission, sha256, settings, sources):
    """The unit of work, wherever it runs: restore -> plan -> grade (sandboxed) -> annotate. Never writes.

    ``submission``: the notebook as JSON data; ``sources``: (assignment, source notebook, release or None).
    """
    assignment, source, release = sources
    restored = restore(submission, source, release)
    grade = grade_plan(make_plan(restored, assignment), settings)
    annotate(restored, grade, sha256, gradescope(grade, settings.message_visibility))
    return Graded(restored, grade.score, grade.max_score, grade.execution_time)


def grade_one(sub, settings, sources):
    """A local worker: grade one submission from its file."""
    return grade_submission(read_submission(sub.path), sub.sha256, settings, sources)


def failure_reason(exc):
    """One line for the summary: what went wrong with one submission."""
    return f"{exc.__class__.__name__}: {exc}".splitlines()[0][:300]


class SubmissionFailed(Exception):
    """A submission could not be graded; ``reason`` is already the summary's line (from a remote worker)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class LocalWorkers:
    """``--workers N``: N threads of this process, each grading one submission at a time in its sandbox."""

    def __init__(self, workers=DEFAULTS.workers):
        self.workers = max(1, workers)
        self.pool = None

    def open(self, settings, stream):
        settings.launcher  # made once, before the workers start: a missing sandbox fails here, not per submission

    def start(self, todo, settings, sources):
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        self.futures = {self.pool.submit(grade_one, sub, settings, sources): sub for sub in todo}

    def completed(self):
        """(submission, a call that returns its Graded or raises), in the order they finish."""
        for future in as_completed(self.futures):
            yield self.futures[future], future.result

    def close(self):
        if self.pool is not None:
            self.pool.shutdown()


def record(gb, sub, nb):
    """Single writer: the submission's grades and comments, committed together."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy autoflush warnings, harmless here
        gb.update_or_create_student(sub.student)
        if sub.timestamp:
            gb.update_or_create_submission(sub.assignment, sub.student, timestamp=sub.timestamp)
        else:
            gb.update_or_create_submission(sub.assignment, sub.student)
        for cell in nb.cells:
            if not (is_grade(cell) or is_solution(cell)):
                continue
            name = cell.metadata.nbgrader["grade_id"]
            if is_grade(cell):
                grade = gb.find_grade(name, sub.notebook, sub.assignment, sub.student)
                grade.auto_score, _ = determine_grade(cell)
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            if is_solution(cell):
                comment = gb.find_comment(name, sub.notebook, sub.assignment, sub.student)
                untouched = cell.metadata.nbgrader.get("checksum") == compute_checksum(cell)
                comment.auto_comment = "No response." if untouched else None
        try:
            gb.db.commit()
        except Exception:
            gb.db.rollback()  # the session stays usable for the next submission
            raise


def write_atomically(nb, path, timestamp_source=None, attempts=3):
    for attempt in range(attempts):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".ipynb.tmp")
            nbformat.write(nb, tmp)
            os.replace(tmp, path)
            if timestamp_source is not None and timestamp_source.exists():
                shutil.copy(timestamp_source, path.parent / "timestamp.txt")
            return
        except FileNotFoundError:
            # `nbgrader autograde --force` of the same student (the formgrader's button) removes the
            # whole autograded/<student>/<assignment> folder before it starts: write it again
            if attempt == attempts - 1:
                raise


def autograde(
    settings: Settings,
    assignment_id: str,
    student: str = "*",
    force: bool = False,
    stream=sys.stderr,
    executor=None,
) -> Summary:
    """Grade the class of ``settings.course_root``; returns a Summary. Raises CourseError when not ready.

    ``executor``: who grades (default: ``LocalWorkers(settings.workers)``; see `cluster.DaskCluster`).
    """
    start = time.monotonic()
    executor = executor or LocalWorkers(settings.workers)
    course_root = settings.course_root
    coursedir = load_coursedir(course_root)
    assignment = get_assignment(assignment_id)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            gb.find_assignment(assignment.id)
        except MissingEntry:
            raise CourseError(
                f"assignment '{assignment.id}' is not in the gradebook: run "
                f"`nbgrader generate_assignment {assignment.id}` first"
            ) from None
    subs = find_submissions(coursedir, assignment.id, student)
    if not subs:
        raise CourseError(
            f"no submissions of '{assignment.id}' under "
            f"{Path(coursedir.root) / coursedir.submitted_directory} (run `nbgrader collect` first)"
        )
    summary = Summary()
    todo = []
    for sub in subs:
        (todo if force or not already_graded(coursedir, sub) else summary.skipped).append(sub)
    executor.open(settings, stream)  # a missing sandbox, an unreachable cluster: fail here, before any grading
    try:
        sources = load_sources(course_root, assignment.id)
        progress = Progress(len(todo), stream, skipped=len(summary.skipped))
        executor.start(todo, settings, sources)
        summary.startup = time.monotonic() - start
        record_all(executor, coursedir, summary, progress, len(todo), stream)
    finally:
        executor.close()
    progress.close()
    summary.elapsed = time.monotonic() - start
    return summary


def record_all(executor, coursedir, summary, progress, total, stream):
    """The single writer: each graded submission into the gradebook, then its autograded notebook."""
    gb = Gradebook(coursedir.db_url, coursedir.course_id)  # one session for the run: this is the only writer
    recorded = set()
    try:
        for sub, outcome in executor.completed():
            if (sub.student, sub.assignment) in recorded:
                continue  # never twice in a run, whatever an executor reports
            recorded.add((sub.student, sub.assignment))
            try:
                graded = outcome()
                record_of = read_record(graded.notebook)
                if record_of is None or record_of.submission_sha256 != sub.sha256:
                    raise SubmissionFailed("the grade came back for another version of this notebook; run again")
                writing = time.monotonic()
                with_retries(gb, lambda: record(gb, sub, graded.notebook))  # the formgrader may write the same rows
                write_atomically(graded.notebook, autograded_path(coursedir, sub), sub.path.parent / "timestamp.txt")
                summary.recording += time.monotonic() - writing
                summary.graded.append((sub, graded.score, graded.max_score, graded.seconds))
                progress.step(f"{sub.label} {graded.score:g}/{graded.max_score:g}")
            except Exception as exc:  # noqa: BLE001 - whatever one submission does, the others are graded
                summary.failed.append((sub, exc.reason if isinstance(exc, SubmissionFailed) else failure_reason(exc)))
                progress.step(f"{sub.label} FALHOU")
    except KeyboardInterrupt:
        progress.close()
        print(
            f"\ninterrompido: {len(summary.graded)} correções gravadas; "
            f"{total - len(summary.graded) - len(summary.failed)} por fazer (rode de novo para continuar)",
            file=stream,
            flush=True,
        )
        os._exit(130)  # running workers die with the process (their sandboxes with them); a cluster drops its tasks
    finally:
        gb.close()
