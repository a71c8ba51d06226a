"""Entry point of a grading process: run the student's cells once, probing each exercise on the way.

Protocol, one message per line:
- stdin, first line (JSON): the job, ``{"cells": [[index, source], ...],
  "probes": [[exercise_id, test_cell_index], ...]}``.
- channel fd (argv[1]), Python literals written with the built-in `repr` (C
  code no student can patch): ``cell_start``/``cell_end`` events while cells
  run; when the next cell lies past an exercise's test cell, the process forks
  and the fork sends ``{"event": "ready", "exercise"}``.
- stdin, one more line (JSON), written by the grader only after "ready": that
  exercise's inputs, drawn by the judge.
- channel fd, from the fork: ``obs`` events, then ``done``; then the cells'
  process says ``probe_end`` and goes on with the next cells.

Before each cell ends and before each probe, patched state is put back (see
guard.py). The probe runs in the fork, single-threaded (student threads and
timers do not survive a fork), with default signal handlers and no tracers.
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
    import resource

    def _maxrss():  # peak resident memory of this process and its probes, in KiB
        return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    _readline = sys.stdin.buffer.readline
    _loads = json.loads

    def send(**msg):
        data = (_repr(msg) + "\n").encode()
        while data:
            data = data[_write(channel, data):]

    job = _loads(_readline())
    devices.install()
    snapshot = guard.Snapshot(modules=[observe, exercises, devices, sys.modules[__name__]])

    os.environ.setdefault("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance(colors="nocolor")

    def probe(exercise):
        pid = _fork()
        if pid:  # the cells' process waits: nothing of the student's runs beside the probe
            _waitpid(pid, 0)
            send(event="memory", maxrss_kb=_maxrss())
            send(event="probe_end", exercise=exercise)
            return
        try:
            guard.quiet_process()
            snapshot.restore()
            namespace = dict(shell.user_ns)
            send(event="ready", exercise=exercise)
            inputs = _loads(_readline())
            observe.set_guard(snapshot.restore)
            try:
                for key, data in exercises.PROBES[exercise](namespace, inputs):
                    send(event="obs", exercise=exercise, key=key, data=data)
            except BaseException as exc:  # a probe step the student's objects broke
                send(event="probe_error", exercise=exercise, exception=observe.exception_name(exc))
            send(event="done", exercise=exercise)
        finally:
            _exit(0)  # no atexit handlers, no student finalizers

    probes = [tuple(p) for p in job["probes"]]
    for index, source in job["cells"]:
        while probes and probes[0][1] < index:
            probe(probes.pop(0)[0])
        send(event="cell_start", index=index)
        try:
            result = shell.run_cell(source, store_history=True, silent=False)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as exc:  # the shell itself can be made to raise
            error = exc
        # A cell's patches (builtins, torch.allclose, tracers) must not reach the next cell, which may
        # be another exercise's, nor the probes.
        guard.stop_tracing()
        snapshot.restore()
        send(event="cell_end", index=index, ok=error is None,
             exception=None if error is None else observe.exception_name(error))
    for exercise, _ in probes:
        probe(exercise)
    _exit(0)


if __name__ == "__main__":
    main()
