"""Run one exercise's cells and probe in a fresh process, and collect what it reports.

The process is the student's: everything it says is parsed defensively, with a
size cap and a wall-clock deadline, and its stdout/stderr go nowhere. Its exit
code means nothing. The judge decides from the observations alone.
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
class RunOutcome:
    observations: dict = field(default_factory=dict)
    finished_cells: dict = field(default_factory=dict)  # index -> exception name or None
    ready: bool = False       # all cells ran and the probe started
    done: bool = False        # the probe finished
    timed_out: bool = False
    stuck_cell: int = None    # the cell running when the process died or timed out
    malformed: bool = False   # the process wrote something the protocol does not allow
    elapsed: float = 0.0


def prepare_workdir(notebook_path=None):
    """A private folder with the probe package and a copy of the submission."""
    workdir = Path(tempfile.mkdtemp(prefix="autograder-"))
    shutil.copytree(PROBE_PACKAGE, workdir / PROBE_NAME, ignore=shutil.ignore_patterns("__pycache__"))
    if notebook_path is not None:
        shutil.copy(notebook_path, workdir / "submission.ipynb")
    return workdir


def child_env(workdir):
    """The student's whole environment: nothing of the grader's (no NBGRADER_*, no secrets)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "SCIKIT_LEARN_DATA": os.path.abspath(os.environ.get("SCIKIT_LEARN_DATA") or os.path.expanduser("~/scikit_learn_data")),
    }
    return env


def run_exercise(exercise_id, cells, inputs, workdir, timeout, launcher=None, simulate_devices=False):
    """Run ``cells`` then the probe of ``exercise_id`` with ``inputs``; return a RunOutcome."""
    launcher = launcher or ProcessGroupLauncher()
    outcome = RunOutcome()
    start = time.monotonic()
    read_fd, write_fd = os.pipe()
    inside = launcher.prepare(workdir)  # the folder as the student's process sees it
    argv, env = launcher.command([sys.executable, "-I", "-c", BOOT, str(write_fd), inside], workdir,
                                 child_env(inside))
    # Student output goes nowhere; AUTOGRADER_CHILD_STDERR=FILE keeps it, for debugging the grader.
    debug = os.environ.get("AUTOGRADER_CHILD_STDERR")
    stderr = open(debug, "ab") if debug else subprocess.DEVNULL
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=stderr, stderr=stderr,
        pass_fds=(write_fd,), cwd=workdir, env=env, preexec_fn=launcher.preexec)
    os.close(write_fd)
    if debug:
        stderr.close()
    job = {"exercise": exercise_id, "cells": cells, "simulate_devices": simulate_devices}

    def send(obj):
        try:
            proc.stdin.write((json.dumps(obj) + "\n").encode())
            proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    # Writes go through a thread: a child that never reads its stdin cannot block the grader.
    threading.Thread(target=send, args=(job,), daemon=True).start()
    running_cell = None
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(read_fd, selectors.EVENT_READ)
            buffer, total = b"", 0
            deadline = start + timeout
            while not outcome.done:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    outcome.timed_out = True
                    break
                if not sel.select(remaining):
                    continue
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break  # the process closed the channel: it exited or was killed
                total += len(chunk)
                if total > MAX_REPORT_BYTES:
                    outcome.malformed = True
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    msg = _parse(line)
                    if msg is None:
                        outcome.malformed = True
                        break
                    event = msg.get("event")
                    if event == "cell_start" and not outcome.ready:
                        running_cell = msg.get("index") if type(msg.get("index")) is int else None
                    elif event == "cell_end" and not outcome.ready:
                        exc = msg.get("exception")
                        safe = type(exc) is str and EXCEPTION_NAME.match(exc) is not None
                        outcome.finished_cells[msg.get("index")] = exc if safe else None
                        running_cell = None
                    elif event == "ready" and not outcome.ready:
                        outcome.ready = True
                        threading.Thread(target=send, args=(inputs,),
                                         daemon=True).start()
                    elif event == "obs" and outcome.ready and isinstance(msg.get("key"), str):
                        outcome.observations.setdefault(msg["key"], msg.get("data"))
                    elif event in ("done", "probe_error") and outcome.ready:
                        outcome.done = True
                        break
                if outcome.malformed:
                    break
    finally:
        _kill(proc)
        os.close(read_fd)
    outcome.stuck_cell = None if outcome.ready else running_cell
    outcome.elapsed = time.monotonic() - start
    return outcome


def _parse(line):
    """One message: a Python literal (never code: `ast.literal_eval` evaluates nothing)."""
    try:
        msg = ast.literal_eval(line.decode("utf-8"))
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError, UnicodeDecodeError):
        return None
    return msg if type(msg) is dict else None


def _kill(proc):
    """Kill the whole process group, then reap the child."""
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
