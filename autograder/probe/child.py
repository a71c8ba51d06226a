"""Entry point of a grading process: run the student's cells, then the probe.

Protocol, one message per line:
- stdin, first line (JSON): the job, ``{"exercise", "cells": [[index, source], ...],
  "simulate_devices"}``.
- channel fd (argv[1]), Python literals written with the built-in `repr`
  (C code no student can patch): ``{"event": "cell_start"|"cell_end", ...}``
  while the cells run, then ``{"event": "ready"}``.
- stdin, second line (JSON), sent by the grader only after "ready": the
  probe's inputs, drawn by the judge.
- channel fd: ``{"event": "obs", "key", "data"}`` per observation, then
  ``{"event": "done"}``.

Before the probe, patched state is put back (see guard.py) and the process
forks: the probe runs in a child with a single thread (student threads and
timers do not survive a fork), default signal handlers and no tracers.
The grader trusts none of this: the judge validates every observation.
"""

import builtins
import json
import os
import sys


def main():
    channel = int(sys.argv[1])
    # Imported before any student code runs: the probe keeps the originals.
    from . import devices, exercises, guard, observe

    _write, _repr, _exit, _fork, _waitpid = os.write, builtins.repr, os._exit, os.fork, os.waitpid
    _readline = sys.stdin.buffer.readline
    _loads = json.loads

    def send(**msg):
        data = (_repr(msg) + "\n").encode()
        while data:
            data = data[_write(channel, data):]

    job = _loads(_readline())
    if job.get("simulate_devices"):
        devices.install()
    snapshot = guard.Snapshot(modules=[observe, exercises, devices, sys.modules[__name__]])

    os.environ.setdefault("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance(colors="nocolor")
    for index, source in job["cells"]:
        send(event="cell_start", index=index)
        try:
            result = shell.run_cell(source, store_history=True, silent=False)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as exc:  # the shell itself can be made to raise
            error = exc
        # A cell's patches (builtins, torch.allclose, tracers) must not reach the next cell, which may
        # be another exercise's, nor the probe.
        guard.stop_tracing()
        snapshot.restore()
        send(event="cell_end", index=index, ok=error is None,
             exception=None if error is None else observe.exception_name(error))

    # The probe runs in a fork: one thread (student threads and timers do not survive a fork).
    pid = _fork()
    if pid:  # the cells' process: wait for the probe, then leave without running student atexit code
        try:
            _waitpid(pid, 0)
        finally:
            _exit(0)
    guard.quiet_process()
    snapshot.restore()
    namespace = dict(shell.user_ns)
    send(event="ready")
    inputs = _loads(_readline())
    observe.set_guard(snapshot.restore)
    probe = exercises.PROBES[job["exercise"]]
    try:
        for key, data in probe(namespace, inputs):
            send(event="obs", key=key, data=data)
    except BaseException as exc:  # a probe step the student's objects broke
        send(event="probe_error", exception=observe.exception_name(exc))
    send(event="done")
    _exit(0)  # no atexit handlers, no student finalizers


if __name__ == "__main__":
    main()
