"""`autograder autograde ASSIGNMENT --cluster ADDRESS`: the class graded by the workers of a Dask cluster.

The executor `DaskCluster` submits the same unit of work as ``--workers``
(`autograde.grade_submission`: restore -> plan -> grade in the sandbox), one
Dask task per submission; this process stays the single writer of the gradebook
and of ``autograded/`` (`autograde.record_all`).

What travels, and how:
- to the workers: each task carries the submitted notebook's bytes, the grading
  settings and the course secret (wrapped in `Sealed`, whose repr hides it, so a
  log line about the task cannot show it); the instructor's source and release
  notebooks of the assignment go once, as one task (`load_sources`) that every
  grading task depends on: Dask copies its result to the workers that need it,
  and computes it again if every worker that held it died. The secret is task
  data only as an argument, never a task's result, so Dask never spills it to a
  worker's disk; nothing here writes it or logs it. The course folder is not
  needed on a worker.
- back to the client: bytes, a JSON document (the autograded notebook and the
  verdict, or one line saying why the submission could not be graded). The
  client's Dask connection deserializes results as msgpack only, so a result
  that would need unpickling is refused, never unpickled. (Dask's protocol
  still unpickles the exception of a task that raised; `grade_task` never
  raises: a failure is data.)

A worker that dies mid-submission (its sandbox dies with it: ``bwrap
--die-with-parent``) costs a retry: the scheduler runs the task again on another
worker (up to its ``distributed.scheduler.allowed-failures``, 3 by default;
then the submission is reported as failed and the next run grades it). The
client records each submission once: a task's result arrives once, and the
writer checks that the record is for the content it sent.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import uuid
from dataclasses import fields
from functools import lru_cache
from pathlib import Path

import nbformat

import autograder

from ..engine import secret as course_secrets
from ..settings import Settings
from .autograde import CourseError, Graded, SubmissionFailed, failure_reason, grade_submission

MAX_RESULT_BYTES = 256 * 2**20  # an autograded notebook is at most the submission (20 MiB) plus the verdicts
SETTINGS_SENT = tuple(f.name for f in fields(Settings) if f.name not in ("course_root", "secret", "launcher_override"))


class Sealed:
    """The course secret on its way to a worker: pickled with the task, shown nowhere (repr, str, logs)."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes):
        self._value = value

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self):
        return "Sealed(<course secret>)"

    __str__ = __repr__

    def __getstate__(self):
        return (self._value,)

    def __setstate__(self, state):
        (self._value,) = state

    def __dask_tokenize__(self):
        return "autograder-sealed"  # never hashes the secret into a key name


@lru_cache(maxsize=1)
def package_fingerprint():
    """The installed autograder package's code: the client and every worker must run the same."""
    root = Path(autograder.__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{autograder.__version__}+{h.hexdigest()[:12]}"


# ----------------------------------------------------------------------------- worker side

_launchers = {}
_launchers_lock = threading.Lock()


def _worker_settings(sent, secret=None):
    """Settings for this worker process, with one launcher per sandbox configuration (made once, kept)."""
    base = Settings(**sent)
    key = (base.sandbox, base.require_sandbox, base.fork_server, base.memory_mb, base.cpu_seconds, base.disk_mb)
    with _launchers_lock:
        if key not in _launchers:
            _launchers[key] = base.launcher  # raises SandboxUnavailable when required and missing
        launcher = _launchers[key]
    return Settings(**sent, secret=secret, launcher_override=launcher)


def load_sources(assignment_id, source_json, release_json):
    """Worker (one task per run): the assignment's source and release notebooks, parsed once."""
    from ..course import get_assignment

    release = nbformat.reads(release_json, as_version=4) if release_json is not None else None
    return get_assignment(assignment_id).id, nbformat.reads(source_json, as_version=4), release


def grade_task(job, sources, sealed):
    """Worker: grade one submission; returns JSON bytes, never raises (a failure is one line of data)."""
    try:
        if job["fingerprint"] != package_fingerprint():
            raise SubmissionFailed(
                f"this worker's autograder package ({package_fingerprint()}) differs from the client's "
                f"({job['fingerprint']}): install the same version on every worker"
            )
        from ..course import get_assignment
        from ..engine.grade import parse_submission

        settings = _worker_settings(job["settings"], sealed.reveal())
        assignment_id, source, release = sources
        submission = parse_submission(job["notebook"], job["label"])
        graded = grade_submission(submission, job["sha256"], settings, (get_assignment(assignment_id), source, release))
        out = {
            "notebook": graded.notebook,
            "score": graded.score,
            "max_score": graded.max_score,
            "seconds": graded.seconds,
        }
    except Exception as exc:  # noqa: BLE001 - whatever one submission does, the others are graded
        out = {"error": exc.reason if isinstance(exc, SubmissionFailed) else failure_reason(exc)}
    return json.dumps(out, ensure_ascii=False).encode()


def check_worker(fingerprint, sent):
    """Worker, before the run: {"problem": None or one line, "sandboxed": whether student code is sandboxed}."""
    if fingerprint != package_fingerprint():
        mine = package_fingerprint()
        return {"problem": f"its autograder package ({mine}) differs from the client's ({fingerprint})"}
    try:
        settings = _worker_settings(sent)
    except Exception as exc:  # noqa: BLE001 - SandboxUnavailable above all, said in one line
        return {"problem": str(exc).splitlines()[0]}
    return {"problem": None, "sandboxed": bool(settings.launcher.sandboxed), "python": sys.version.split()[0]}


# ----------------------------------------------------------------------------- client side


def decode(raw):
    """A worker's answer as a Graded, or SubmissionFailed with its one line. Plain JSON only."""
    if not isinstance(raw, bytes | bytearray) or len(raw) > MAX_RESULT_BYTES:
        raise SubmissionFailed("the worker's answer is not a grade (expected JSON bytes)")
    try:
        data = json.loads(raw)
    except ValueError:
        raise SubmissionFailed("the worker's answer is not a grade (invalid JSON)") from None
    if not isinstance(data, dict):
        raise SubmissionFailed("the worker's answer is not a grade")
    if "error" in data:
        raise SubmissionFailed(str(data["error"]).splitlines()[0][:300] if data["error"] else "failed on the worker")
    notebook, numbers = data.get("notebook"), [data.get(k) for k in ("score", "max_score", "seconds")]
    if (
        not isinstance(notebook, dict)
        or not isinstance(notebook.get("cells"), list)
        or not isinstance(notebook.get("metadata"), dict)
        or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in numbers)
    ):
        raise SubmissionFailed("the worker's answer is not a grade (missing notebook or scores)")
    return Graded(nbformat.from_dict(notebook), *(float(x) for x in numbers))


class DaskCluster:
    """``--cluster ADDRESS``: one Dask task per submission on the cluster's workers; results come back as data."""

    def __init__(self, address, timeout=None):
        self.address, self.timeout = address, timeout
        self.client = None
        self.futures = {}
        self.early = []  # (submission, exception): could not even be sent

    def open(self, settings, stream):
        """Connect, and check the workers already there: the same package, a sandbox when required."""
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - a dependency of the package
            raise CourseError("--cluster needs the `distributed` package (pip install distributed)") from None
        try:
            self.client = Client(
                self.address,
                set_as_default=False,
                deserializers=["msgpack"],  # results are JSON bytes: nothing from a worker is ever unpickled here
                **({} if self.timeout is None else {"timeout": self.timeout}),  # default: Dask's connect timeout
            )
        except Exception as exc:  # noqa: BLE001 - OSError, a malformed address, TLS...: one line
            detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise CourseError(f"cannot reach the Dask scheduler at {self.address}: {detail}") from None
        self.sent = {name: getattr(settings, name) for name in SETTINGS_SENT}
        self.secret = Sealed(settings.secret or course_secrets.course_secret(settings.course_root))
        self.fingerprint = package_fingerprint()
        self._check_workers(stream)

    def _check_workers(self, stream):
        try:
            answers = self.client.run(check_worker, self.fingerprint, self.sent, on_error="return")
        except Exception as exc:  # noqa: BLE001 - the scheduler went away meanwhile, say
            self.close()
            raise CourseError(f"cannot reach the Dask workers at {self.address}: {failure_reason(exc)}") from None
        for worker, answer in sorted(answers.items()):
            problem = (
                answer.get("problem")
                if isinstance(answer, dict)
                else f"cannot run the autograder there ({failure_reason(answer)})"
            )
            if problem:
                self.close()
                raise CourseError(f"Dask worker {worker}: {problem}")
        unsandboxed = [w for w, a in sorted(answers.items()) if not a.get("sandboxed")]
        if unsandboxed and self.sent["sandbox"]:
            print(
                "AUTOGRADER WARNING: no bubblewrap on Dask worker(s) "
                f"{', '.join(unsandboxed)}: student code runs there WITHOUT a sandbox (--require-sandbox refuses)",
                file=stream,
                flush=True,
            )
        print(
            f"cluster {self.address}: {len(answers)} worker(s)"
            + ("" if answers else "; the submissions wait for workers to join"),
            file=stream,
            flush=True,
        )

    def start(self, todo, settings, sources):
        from ..engine.grade import read_submission_bytes

        assignment, source, release = sources
        source_json = nbformat.writes(source)
        release_json = nbformat.writes(release) if release is not None else None
        digest = hashlib.sha256(f"{assignment.id}\0{source_json}\0{release_json}".encode()).hexdigest()[:16]
        package = self.client.submit(
            load_sources, assignment.id, source_json, release_json, key=f"autograder-sources-{digest}", pure=False
        )
        run = uuid.uuid4().hex[:8]
        for sub in todo:
            try:
                raw = read_submission_bytes(sub.path)
            except Exception as exc:  # noqa: BLE001 - reported with the others
                self.early.append((sub, exc))
                continue
            sub.sha256 = hashlib.sha256(raw).hexdigest()  # the content graded is the content recorded
            job = {
                "label": str(sub.path),
                "notebook": raw,
                "sha256": sub.sha256,
                "fingerprint": self.fingerprint,
                "settings": self.sent,
            }
            future = self.client.submit(
                grade_task, job, package, self.secret, key=f"autograde-{run}-{sub.label}", pure=False
            )
            self.futures[future] = sub

    def completed(self):
        from distributed import as_completed

        for sub, exc in self.early:
            yield sub, _raiser(exc)
        for future in as_completed(list(self.futures), loop=self.client.loop):
            sub = self.futures.pop(future)
            yield sub, lambda future=future: decode(future.result())
            future.release()

    def close(self):
        if self.client is not None:
            try:
                self.client.close(timeout=10)
            except Exception:  # noqa: BLE001 - the scheduler is gone already: nothing left to release
                pass
            self.client = None


def _raiser(exc):
    def outcome():
        raise exc

    return outcome
