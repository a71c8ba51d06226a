"""Entry point of a grading process: run the student's cells, then the probe.

Protocol (all JSON, one object per line):
- stdin, first line: the job: ``{"exercise", "cells": [[index, source], ...],
  "simulate_devices"}``.
- channel fd (argv[1]): ``{"event": "cell_start"|"cell_end", ...}`` while the
  cells run, then ``{"event": "ready"}``.
- stdin, second line, sent by the grader only after "ready": the probe's
  inputs, drawn by the judge.
- channel fd: ``{"event": "obs", "key", "data"}`` for each observation, then
  ``{"event": "done"}``.

The grader trusts none of this: the judge validates every observation.
"""

import json
import os
import sys


def main():
    channel = int(sys.argv[1])
    # Imported before any student code runs: the probe keeps the originals.
    from . import observe, devices, exercises

    _write, _dumps, _exit = os.write, json.dumps, os._exit
    _readline = sys.stdin.buffer.readline
    _loads = json.loads

    def send(**msg):
        data = (_dumps(msg, allow_nan=False) + "\n").encode()
        while data:
            data = data[_write(channel, data):]

    job = _loads(_readline())
    if job.get("simulate_devices"):
        devices.install()

    os.environ.setdefault("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance(colors="nocolor")
    import builtins
    saved_builtins = dict(builtins.__dict__)
    for index, source in job["cells"]:
        send(event="cell_start", index=index)
        try:
            result = shell.run_cell(source, store_history=True, silent=False)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as exc:  # the shell itself can be made to raise
            error = exc
        send(event="cell_end", index=index, ok=error is None,
             exception=None if error is None else observe.exception_name(error))

    # Undo what student code may have hooked into our own execution: tracers,
    # and patched builtins (`len`, `isinstance`, ...) that the probe relies on.
    builtins.__dict__.clear()
    builtins.__dict__.update(saved_builtins)
    sys.settrace(None)
    sys.setprofile(None)
    import threading
    threading.settrace(None)
    threading.setprofile(None)

    send(event="ready")
    inputs = _loads(_readline())
    probe = exercises.PROBES[job["exercise"]]
    namespace = shell.user_ns
    try:
        for key, data in probe(namespace, inputs):
            send(event="obs", key=key, data=data)
    except BaseException as exc:  # a probe step the student's objects broke
        send(event="probe_error", exception=observe.exception_name(exc))
    send(event="done")
    sys.stdout.flush()
    _exit(0)  # no atexit handlers, no student finalizers


if __name__ == "__main__":
    main()
