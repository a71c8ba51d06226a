"""Run a notebook's cells once in a fresh (sandboxed) process, probing each exercise on the way.

The process is the student's: everything it says is parsed defensively, with a
size cap and a wall-clock deadline per exercise, and its stdout/stderr go
nowhere. Its exit code means nothing. The judge decides from the
observations alone.

When a cell hangs or kills the process, the exercise whose part of the
notebook it was in loses what was not observed yet, and a new process runs the
notebook again without that cell for the exercises still to grade.
"""

import ast
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .sandbox import ProcessGroupLauncher

PROBE_PACKAGE = Path(__file__).resolve().parent.parent / "probe"
PROBE_NAME = "_agprobe"  # the probe's import name inside the student's process
BOOT = ("import sys; sys.path.insert(0, sys.argv[2]); "
        f"from {PROBE_NAME}.child import main; main()")
MAX_REPORT_BYTES = 32 * 1024 * 1024
EXCEPTION_NAME = re.compile(r"^[A-Z][A-Za-z0-9_]{0,40}$")


@dataclass
class ExerciseOutcome:
    observations: dict = field(default_factory=dict)
    ready: bool = False       # the cells before its test cell ran and its probe started
    done: bool = False        # its probe finished
    timed_out: bool = False
    crashed: bool = False     # the process (or the probe's fork) died before the probe finished
    stuck_cell: int = None    # the cell running when the process died or timed out
    malformed: bool = False   # the process wrote something the protocol does not allow
    out_of_time: bool = False  # the whole notebook's time ran out before its probe finished


@dataclass
class NotebookRun:
    outcomes: dict            # exercise id -> ExerciseOutcome
    finished_cells: dict = field(default_factory=dict)  # cell index -> exception name or None
    skipped_cells: set = field(default_factory=set)
    processes: int = 0
    max_rss_kb: int = 0       # the largest student process (resident set), for benchmarks
    heard_anything: bool = False
    deadline: float = float("inf")  # time.monotonic() by which the whole notebook must be done
    # Wall seconds as the grader saw them (benchmarks only): "startup" from launch to the first cell
    # (sandbox, interpreter, imports), "probes" from each "ready" to its "probe_end", "cells" the rest.
    phases: dict = field(default_factory=lambda: {"startup": 0.0, "cells": 0.0, "probes": 0.0})


def prepare_workdir():
    """A private folder holding the probe package (and whatever the student's code writes)."""
    workdir = Path(tempfile.mkdtemp(prefix="autograder-"))
    shutil.copytree(PROBE_PACKAGE, workdir / PROBE_NAME, ignore=shutil.ignore_patterns("__pycache__"))
    return workdir


def child_env(workdir):
    """The student's whole environment: nothing of the grader's (no NBGRADER_*, no secrets)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "SCIKIT_LEARN_DATA": os.path.abspath(
            os.environ.get("SCIKIT_LEARN_DATA") or os.path.expanduser("~/scikit_learn_data")),
    }


def run_notebook(cells, probes, inputs, timeout, launcher=None, workdir=None, own_cells=None,
                 total_timeout=None):
    """Run ``cells`` ([index, source]) probing each of ``probes`` ([exercise, test index]) on the way.

    ``timeout`` is each exercise's wall clock, ``total_timeout`` the whole
    notebook's (retries included): exercises not done by then are out of time.
    ``own_cells`` maps an exercise to its solution cell: a hang or crash there
    costs that exercise; anywhere else, the exercise is tried again without
    the offending cell.
    """
    own_cells = own_cells or {}
    launcher = launcher or ProcessGroupLauncher()
    own_workdir = workdir is None
    workdir = workdir or prepare_workdir()
    run = NotebookRun({exercise: ExerciseOutcome() for exercise, _ in probes})
    if total_timeout is not None:
        run.deadline = time.monotonic() + total_timeout
    pending = list(probes)
    try:
        for _ in range(len(probes) + 4):
            if not pending:
                break
            if time.monotonic() >= run.deadline:
                for exercise, _ in pending:
                    run.outcomes[exercise].out_of_time = True
                break
            todo = [[i, src] for i, src in cells if i not in run.skipped_cells]
            pending = _one_process(todo, pending, inputs, workdir, timeout, launcher, run, own_cells)
    finally:
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return run


def _one_process(cells, probes, inputs, workdir, timeout, launcher, run, own_cells):
    """One process over the notebook; returns the probes still to run (after a hang or a crash)."""
    read_fd, write_fd = os.pipe()
    launched = time.monotonic()
    inside = launcher.prepare(workdir)  # the folder as the student's process sees it
    argv, env = launcher.command([sys.executable, "-I", "-c", BOOT, str(write_fd), inside], workdir,
                                 child_env(inside))
    # Student output goes nowhere; AUTOGRADER_CHILD_STDERR=FILE keeps it, for debugging the grader.
    debug = os.environ.get("AUTOGRADER_CHILD_STDERR")
    sink = open(debug, "ab") if debug else subprocess.DEVNULL
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=sink, stderr=sink, pass_fds=(write_fd,),
                            cwd=workdir, env=env, preexec_fn=launcher.preexec)
    os.close(write_fd)
    if debug:
        sink.close()
    run.processes += 1
    first_heard = probe_began = None
    probing = 0.0  # seconds spent in this process's probes
    lock = threading.Lock()  # one writer at a time on the child's stdin

    def send(obj):
        with lock:
            try:
                proc.stdin.write((json.dumps(obj) + "\n").encode())
                proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass

    def send_later(obj):  # a child that never reads its stdin cannot block the grader
        threading.Thread(target=send, args=(obj,), daemon=True).start()

    send_later({"cells": cells, "probes": probes})
    remaining = list(probes)
    current = remaining[0][0]
    running_cell = None
    deadline = min(time.monotonic() + timeout, run.deadline)
    buffer, total, ended = b"", 0, False
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(read_fd, selectors.EVENT_READ)
            while remaining and not ended:
                left = deadline - time.monotonic()
                if left <= 0:
                    run.outcomes[current].timed_out = True
                    if deadline >= run.deadline:  # the notebook's time, not just this exercise's
                        for exercise, _ in remaining:
                            run.outcomes[exercise].out_of_time = True
                    break
                if not sel.select(left):
                    continue
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break  # the process closed the channel: it exited or was killed
                run.heard_anything = True
                if first_heard is None:
                    first_heard = time.monotonic()
                total += len(chunk)
                if total > MAX_REPORT_BYTES:
                    run.outcomes[current].malformed = True
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    msg = _parse(line)
                    outcome = run.outcomes[current]
                    if msg is None:
                        outcome.malformed = True
                        ended = True
                        break
                    event = msg.get("event")
                    if event == "cell_start" and not outcome.ready:
                        running_cell = msg.get("index") if type(msg.get("index")) is int else None
                    elif event == "cell_end" and not outcome.ready:
                        exc = msg.get("exception")
                        safe = type(exc) is str and EXCEPTION_NAME.match(exc) is not None
                        run.finished_cells[msg.get("index")] = exc if safe else None
                        running_cell = None
                    elif event == "memory" and type(msg.get("maxrss_kb")) is int:
                        run.max_rss_kb = max(run.max_rss_kb, msg["maxrss_kb"])  # a benchmark figure only
                    elif msg.get("exercise") != current:
                        continue  # events about another exercise are not this one's to report
                    elif event == "ready" and not outcome.ready:
                        outcome.ready = True
                        probe_began = time.monotonic()
                        send_later(inputs[current])
                    elif event == "obs" and outcome.ready and type(msg.get("key")) is str:
                        outcome.observations.setdefault(msg["key"], msg.get("data"))
                    elif event in ("done", "probe_error") and outcome.ready:
                        outcome.done = True
                    elif event == "probe_end" and outcome.ready:
                        probing += time.monotonic() - probe_began
                        probe_began = None
                        outcome.crashed = not outcome.done
                        remaining.pop(0)
                        if not remaining:
                            break
                        current = remaining[0][0]
                        deadline = min(time.monotonic() + timeout, run.deadline)
    finally:
        _kill(proc)
        os.close(read_fd)
        ended_at = time.monotonic()
        if probe_began is not None:
            probing += ended_at - probe_began
        if first_heard is not None:
            run.phases["startup"] += first_heard - launched
            run.phases["cells"] += ended_at - first_heard - probing
        run.phases["probes"] += probing
    if not remaining or run.outcomes[current].out_of_time:
        return []
    # The process stopped early: the current exercise loses what was not observed.
    outcome = run.outcomes[current]
    if not outcome.done:
        outcome.crashed = not outcome.timed_out and not outcome.malformed
    if outcome.ready or outcome.malformed or running_cell is None:
        return remaining[1:]  # its cells ran (or nothing points at a cell): the rest start afresh
    outcome.stuck_cell = running_cell
    run.skipped_cells.add(running_cell)
    if running_cell == own_cells.get(current):
        return remaining[1:]  # its own cell: this exercise fails, the others go on without the cell
    run.outcomes[current] = ExerciseOutcome()  # someone else's cell: try this exercise again without it
    return remaining


def _parse(line):
    """One message: a Python literal (never code: `ast.literal_eval` evaluates nothing)."""
    try:
        msg = ast.literal_eval(line.decode("utf-8"))
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError, UnicodeDecodeError):
        return None
    return msg if type(msg) is dict else None


def _kill(proc):
    """Kill the whole process group (the sandbox's PID namespace with it), then reap."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.stdin.close()
    except OSError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
