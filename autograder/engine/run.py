"""Run a notebook's cells once in a fresh (sandboxed) process, probing each exercise on the way.

The process is the student's: what it sends is read through `channel` (kernel-
reported senders, size and memory caps, typed messages) against deadlines, and
its stdout/stderr go nowhere. Its exit code means nothing. The judge decides
from the observations alone.

Three parts: `ProcessRun`, the state machine of one process (hello, self-test,
cells, one probe per exercise); `RetryPolicy`, what a process that stopped
early costs (the exercise whose part of the notebook it was in loses what was
not observed; a new process runs the notebook again without the offending cell
for the exercises still to grade); and `run_notebook`, which strings processes
together under the notebook's deadline.
"""

import json
import os
import select
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..probe import wire
from . import channel
from .forkserver import ForkServerError
from .sandbox import ProcessGroupLauncher

PACKAGE = Path(__file__).resolve().parent.parent
PROBE_NAME = "_agprobe"  # the probe side's package name inside the student's process
BOOT = f"import sys; sys.path.insert(0, sys.argv[2]); from {PROBE_NAME}.probe.boot import main; main()"
MAX_FOREIGN_PACKETS = 1000  # packets from processes that are not the cells' process nor a verified probe


class GradingError(RuntimeError):
    """The grader itself failed (e.g. the sandbox could not start): never recorded as a zero."""


@dataclass
class ExerciseOutcome:
    observations: dict = field(default_factory=dict)
    ready: bool = False  # the cells before its test cell ran and its probe registered
    done: bool = False  # its probe finished
    timed_out: bool = False
    crashed: bool = False  # the process (or the probe's fork) died before the probe finished
    stuck_cell: int = None  # the cell running when the process died or timed out
    malformed: bool = False  # the process sent something the protocol does not allow
    out_of_time: bool = False  # the whole notebook's time ran out before its probe finished


@dataclass
class NotebookRun:
    outcomes: dict  # exercise id -> ExerciseOutcome
    finished_cells: dict = field(default_factory=dict)  # cell index -> exception name or None
    skipped_cells: set = field(default_factory=set)
    processes: int = 0
    max_rss_kb: int = 0  # the largest student process (resident set), as it reported it: benchmarks only
    deadline: float = float("inf")  # time.monotonic() by which the whole notebook must be done
    # Wall seconds as the grader saw them (benchmarks only): "startup" from launch to the first cell
    # (sandbox, interpreter, imports), "probes" from each registration to its end, "cells" the rest.
    phases: dict = field(default_factory=lambda: {"startup": 0.0, "cells": 0.0, "probes": 0.0})


@lru_cache(maxsize=1)
def probe_folder():
    """The probe side of the package, copied once per grader process; the folder is mounted read-only.

    Only the probe runtime (`autograder/probe/`) and each exercise's `probe.py` go in, laid out as in
    the package (so their relative imports work in both places): never a judge, a reference or a secret.
    """
    parent = Path(tempfile.mkdtemp(prefix="autograder-probe-"))
    root = parent / PROBE_NAME
    shutil.copytree(PACKAGE / "probe", root / "probe", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "__init__.py").write_text("")
    (root / "exercises").mkdir()
    (root / "exercises" / "__init__.py").write_text("")
    from ..exercises import exercise_ids, probe_source

    for exercise in exercise_ids():
        (root / "exercises" / exercise).mkdir()
        shutil.copy(probe_source(exercise), root / "exercises" / exercise / "probe.py")
    for path in [parent / PROBE_NAME, *(parent / PROBE_NAME).rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    parent.chmod(0o755)
    import atexit

    atexit.register(shutil.rmtree, parent, True)
    return parent


def child_env(home):
    """The student's whole environment: nothing of the grader's (no NBGRADER_*, no secrets)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "SCIKIT_LEARN_DATA": os.path.abspath(
            os.environ.get("SCIKIT_LEARN_DATA") or os.path.expanduser("~/scikit_learn_data")
        ),
    }


class ProcessRun:
    """One grading process over the notebook, as a state machine fed by its channels."""

    def __init__(self, job, pending, inputs, timeout, run, verify=True):
        self.job, self.pending, self.inputs, self.timeout, self.run = job, list(pending), inputs, timeout, run
        self.verify = verify
        self.budget = channel.Budget()
        self.cells_pid = None
        self.selftest_passed = False
        self.running_cell = None
        self.probe = None  # the current exercise's ProbeConnection, once registered
        self.probe_began = None
        self.probing = 0.0
        self.foreign = 0
        self.ended = False
        self.first_cell_at = None
        self.cell_order = [index for index, _ in job["cells"]]
        self.next_cell = 0
        self.current = self.pending[0][0]
        self.deadline = min(time.monotonic() + timeout, run.deadline)

    @property
    def outcome(self):
        return self.run.outcomes[self.current]

    # ----------------------------------------------------------------- control packets

    def on_packet(self, packet):
        try:
            if packet.message is not None:
                self.budget.spend_bytes(64)
        except wire.Malformed:
            packet.message = None
        if self.cells_pid is None:
            return self._on_first(packet)
        from_cells = packet.sender == self.cells_pid if self.verify else packet.fd is None
        if not from_cells:
            return self._on_foreign(packet)
        if packet.fd is not None:
            os.close(packet.fd)  # the cells' process never passes sockets: cell code did
        msg = packet.message
        if msg is None:
            return self._malformed()
        event = msg["event"]
        # The boot code reports cells strictly in the job's order, and probes only between cells:
        # anything else was written by cell code, and is blamed on the cell that was running.
        if event == "cell_start":
            expected = self.cell_order[self.next_cell] if self.next_cell < len(self.cell_order) else None
            if self.running_cell is not None or msg["index"] != expected:
                return self._malformed()
            self.running_cell = msg["index"]
            self.next_cell += 1
            if self.first_cell_at is None:
                self.first_cell_at = time.monotonic()
        elif event == "cell_end":
            if msg["index"] != self.running_cell:
                return self._malformed()
            if not self.outcome.ready:
                self.run.finished_cells[msg["index"]] = msg["exception"]
            self.running_cell = None
        elif event == "memory":
            self.run.max_rss_kb = max(self.run.max_rss_kb, msg["maxrss_kb"])
        elif event == "probe_end":
            if self.running_cell is not None:
                return self._malformed()
            if msg["exercise"] == self.current:
                self._end_probe()

    def _malformed(self):
        self.outcome.malformed = True
        self.ended = True

    def _on_first(self, packet):
        if packet.fd is not None:
            os.close(packet.fd)
        if packet.message is None or packet.message["event"] != "hello":
            raise GradingError("the grading process did not start as expected")
        self.cells_pid = packet.sender

    def _on_foreign(self, packet):
        """A packet from another process: only a verified probe's registration counts."""
        msg = packet.message
        adopted = False
        if msg is not None and packet.fd is not None and self._verified(packet.sender):
            if msg["event"] == "selftest" and not self.selftest_passed:
                probe = channel.ProbeConnection(packet.fd, self.budget)
                self.selftest_passed = probe.send_inputs("ok", self.deadline)
                probe.close()
                adopted = True
            elif (
                msg["event"] == "probe"
                and msg["exercise"] == self.current
                and not self.outcome.ready
                and self.selftest_passed
            ):
                self.probe = channel.ProbeConnection(packet.fd, self.budget)
                self.outcome.ready = True
                self.probe_began = time.monotonic()
                self.probe.send_inputs(self.inputs[self.current], self.deadline)
                adopted = True
        if not adopted:
            if packet.fd is not None:
                os.close(packet.fd)
            self.foreign += 1
            if self.foreign > MAX_FOREIGN_PACKETS:
                self._malformed()
        if not self.selftest_passed and msg is not None and msg["event"] == "selftest":
            raise GradingError(
                "the probe's process could not be verified on this machine (it needs Linux with seccomp and /proc)"
            )

    def _verified(self, pid):
        if not self.verify:
            return True
        return channel.is_probe_of(pid, self.cells_pid)

    # ----------------------------------------------------------------- the probe's data

    def on_probe_data(self):
        try:
            for msg in self.probe.messages():
                if msg["event"] == "obs":
                    self.outcome.observations[msg["key"]] = msg["data"]  # the last one counts
                else:  # done, probe_error
                    self.outcome.done = True
        except channel.ChannelClosed:
            self._close_probe()
        except wire.Malformed:
            self.outcome.malformed = True
            self.ended = True

    def _close_probe(self):
        if self.probe is not None:
            self.probe.close()
            self.probe = None
        if self.probe_began is not None:
            self.probing += time.monotonic() - self.probe_began
            self.probe_began = None

    def _end_probe(self):
        if self.probe is not None:
            self.on_probe_data_until_eof()
        self._close_probe()
        outcome = self.outcome
        outcome.crashed = not outcome.done
        self.pending.pop(0)
        if not self.pending:
            self.ended = True
            return
        self.current = self.pending[0][0]
        self.deadline = min(time.monotonic() + self.timeout, self.run.deadline)

    def on_probe_data_until_eof(self):
        """The probe has exited: what it wrote is all there, bounded by the budget."""
        end = time.monotonic() + 1.0
        while self.probe is not None and time.monotonic() < end:
            if not select.select([self.probe.sock], [], [], max(0.0, end - time.monotonic()))[0]:
                break
            self.on_probe_data()

    def finish(self, launched):
        """After the process is gone: close the probe's socket, add this process's phases to the run's."""
        self._close_probe()
        ended_at = time.monotonic()
        first = self.first_cell_at or ended_at
        self.run.phases["startup"] += first - launched
        self.run.phases["cells"] += max(0.0, ended_at - first - self.probing)
        self.run.phases["probes"] += self.probing

    # ----------------------------------------------------------------- the loop

    def watch(self, control):
        """Feed the machine until all its exercises are probed, it ends, or the deadline passes."""
        while not self.ended:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.outcome.timed_out = True
                if self.deadline >= self.run.deadline:  # the notebook's time, not just this exercise's
                    for exercise, _ in self.pending:
                        self.run.outcomes[exercise].out_of_time = True
                return
            readers = [control] + ([self.probe.sock] if self.probe is not None else [])
            ready = select.select(readers, [], [], left)[0]
            if self.probe is not None and self.probe.sock in ready:
                self.on_probe_data()
            if control in ready:
                try:
                    packet = channel.receive(control, time.monotonic())
                except channel.ChannelClosed:
                    return  # the process exited or was killed
                if packet is not None:
                    self.on_packet(packet)


class RetryPolicy:
    """What a process that stopped early costs, and which exercises the next process tries."""

    @staticmethod
    def remaining(machine, run, own_cells):
        if not machine.pending or any(run.outcomes[e].out_of_time for e, _ in machine.pending):
            return []
        current = machine.current
        outcome = run.outcomes[current]
        if not outcome.done:
            outcome.crashed = not outcome.timed_out and not outcome.malformed
        running = machine.running_cell
        if outcome.ready or running is None:
            return machine.pending[1:]  # its cells ran (or nothing points at a cell): the rest start afresh
        # A cell hung, killed the process or sent what the protocol does not allow: it is skipped next time.
        outcome.stuck_cell = running
        run.skipped_cells.add(running)
        if running == own_cells.get(current):
            return machine.pending[1:]  # its own cell: this exercise fails, the others go on without it
        run.outcomes[current] = ExerciseOutcome()  # someone else's cell: try this exercise again without it
        return machine.pending


def run_notebook(plan, inputs, timeout: float, launcher=None, total_timeout: float | None = None) -> NotebookRun:
    """Run the plan's cells, probing each exercise at its test cell; returns a NotebookRun.

    ``inputs`` maps an exercise to the judge's inputs; ``timeout`` is each
    exercise's wall clock, ``total_timeout`` the whole notebook's (retries
    included): exercises not done by then are out of time. A hang or crash in
    an exercise's own solution cell costs that exercise; anywhere else, the
    exercise is tried again without the offending cell.
    """
    cells, probes, own_cells = plan.cells, [list(p) for p in plan.probes], plan.own_cells
    launcher = launcher or ProcessGroupLauncher()
    run = NotebookRun({exercise: ExerciseOutcome() for exercise, _ in probes})
    if total_timeout is not None:
        run.deadline = time.monotonic() + total_timeout
    pending = list(probes)
    for _ in range(len(probes) + 4):
        if not pending:
            break
        if time.monotonic() >= run.deadline:
            for exercise, _ in pending:
                run.outcomes[exercise].out_of_time = True
            break
        job = {"cells": [[i, src] for i, src in cells if i not in run.skipped_cells], "probes": pending}
        pending = _one_process(job, pending, inputs, timeout, launcher, run, own_cells)
    return run


def _one_process(job, pending, inputs, timeout, launcher, run, own_cells):
    """One process over the notebook; returns the probes still to run (after a hang or a crash)."""
    ours, theirs = channel.control_pair()
    launched = time.monotonic()
    machine = ProcessRun(job, pending, inputs, timeout, run, verify=channel.CAN_VERIFY)
    getattr(inputs, "start", lambda: None)()  # inputs drawn while the process starts (engine.grade)
    with launcher.session(probe_parent=probe_folder()) as session:
        argv = [session.python, "-I", "-c", BOOT, str(theirs.fileno()), f"{session.probe_parent}"]
        env = child_env(session.home)
        # Student output goes nowhere; AUTOGRADER_CHILD_STDERR=FILE keeps it, for debugging the grader.
        debug = os.environ.get("AUTOGRADER_CHILD_STDERR")
        sink = os.open(debug if debug else os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            proc = session.start_grading_process(argv, env, theirs.fileno(), sink, PROBE_NAME)
        except ForkServerError as exc:
            raise GradingError(f"the grading process could not be started: {exc}") from exc
        finally:
            theirs.close()
            os.close(sink)
        run.processes += 1
        _send_job_later(proc, job)
        try:
            machine.watch(ours)
        finally:
            proc.kill()
            ours.close()
            machine.finish(launched)
    if machine.cells_pid is None or not machine.selftest_passed:
        raise GradingError(
            "the grading process exited before running any cell "
            f"(launcher: {launcher.name}); set AUTOGRADER_CHILD_STDERR=/tmp/child.log to see "
            "its error output"
        )
    return RetryPolicy.remaining(machine, run, own_cells)


def _send_job_later(proc, job):
    """The job on stdin, from a thread: a process that never reads its stdin cannot block the grader."""
    data = (json.dumps(job) + "\n").encode()

    def send():
        try:
            proc.stdin.write(data)
            proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass

    threading.Thread(target=send, daemon=True).start()


if sys.platform != "linux":  # pragma: no cover - the probe's registration is verified through /proc
    channel.CAN_VERIFY = False
