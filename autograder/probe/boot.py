"""Entry point of a grading process: run the student's cells once, probing each exercise on the way.

argv: [control socket fd]; stdin: the job, one JSON line,
``{"cells": [[index, source], ...], "probes": [[exercise_id, test_cell_index], ...]}``.
The messages are those of `wire`; each exercise's probe is the module
``exercises/<id>/probe.py`` beside this package (imported before any student code).

1. Before any student code: the probe's imports, a snapshot of what it relies
   on (guard), an at-fork hook registered before anything a student can
   register, and an audit hook that keeps new audit hooks out and protects the
   probe's functions.
2. "hello" on the control socket (the grader learns this process's pid from
   the kernel), then a self-test fork that proves the registration below works
   on this machine.
3. The cells run in IPython, each between "cell_start" and "cell_end". When the
   next cell lies past an exercise's test cell, this process forks. In the fork,
   the at-fork hook runs first and never returns: it puts back what the
   student's cells changed, marks the process with a seccomp filter (which no
   Python code can add without native code), makes a fresh socket pair and
   registers one end with the grader ("probe", with the socket). The grader
   accepts it only from a direct child of this process that carries the mark,
   so cell code (which holds the control socket too) can neither register a
   fake probe nor read the inputs the grader then sends over the new socket.
   The fork answers with observations and "done"; this process waits for it,
   then says "probe_end" and goes on.

Everything the fork runs before it has restored the probe's state comes from
default arguments (immutable tuples, protected by the audit hook), never from
module globals or closures a student could reach.

The grader trusts none of the observations: the judge validates all of them.
"""

import os
import sys


def run_probe(exercise, context):
    """In a probe's fork, called by the at-fork hook: observe the exercise for the grader, then exit."""
    (
        block_signals,
        gc_disable,
        restore,
        exit_,
        quiet,
        restore_interpreter,
        interpreter,
        reset_devices,
        mark,
        register,
        read_line,
        encode,
        decoder,
        probes,
        set_guard,
        exception_name,
        shell,
        dict_,
    ) = context
    probe = None
    try:
        block_signals()  # nothing of the student's (handlers, finalizers) may run until all is restored
        gc_disable()
        restore()
        quiet()
        restore_interpreter(interpreter)
        reset_devices()
        mark()
        if exercise is None:  # the self-test: registration only
            read_line(register("selftest", None))
            return
        sock = register("probe", exercise)
        inputs = decoder().decode(read_line(sock).decode())["inputs"]  # a fresh decoder: its class is restored
        set_guard(restore)
        namespace = dict_(shell.user_ns)
        try:
            for name, fn in probes:
                if name == exercise:
                    probe = fn
            for key, data in probe(namespace, inputs):
                sock.sendall(encode({"event": "obs", "key": key, "data": data}) + b"\n")
        except BaseException as exc:  # a probe step the student's objects broke
            sock.sendall(encode({"event": "probe_error", "exception": exception_name(exc)}) + b"\n")
        sock.sendall(encode({"event": "done"}) + b"\n")
    finally:
        exit_(0)  # no atexit handlers, no student finalizers (the probe keeps their objects alive)


def after_fork_in_child(_pending=None, _context=None, _run=run_probe):
    """Registered first, so in a fork it runs before any hook a student registers. Bound in main()."""
    exercise = _pending[0]
    if exercise is None:
        return  # a fork of the student's own: nothing of ours runs in it
    _pending[0] = None
    _run(exercise or None, _context)


def main():
    control_fd = int(sys.argv[1])
    # Imported before any student code runs: the probe keeps the originals. The standard library's
    # own at-fork hooks (logging, random, threads) come before ours.
    import _socket
    import concurrent.futures.thread  # noqa: F401
    import ctypes
    import gc
    import importlib
    import json
    import logging  # noqa: F401
    import random  # noqa: F401
    import resource
    import signal

    from . import devices, guard, inputs, observe, wire

    job = json.loads(sys.stdin.buffer.readline())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # nothing more comes on stdin: cell code gets an empty one
    os.close(null)
    package = __package__.rsplit(".", 1)[0]  # the probe runtime's parent: the exercises sit beside it
    probe_modules = {
        exercise: importlib.import_module(f"{package}.exercises.{exercise}.probe") for exercise, _ in job["probes"]
    }

    os.environ.setdefault("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="nocolor")

    control = _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET, 0, control_fd)
    encode = wire.encode

    class Program(ctypes.Structure):  # a seccomp filter program: one BPF instruction, "allow"
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    allow = ctypes.create_string_buffer(b"\x06\x00\x00\x00\x00\x00\xff\x7f")  # BPF_RET|BPF_K, ALLOW
    program = ctypes.byref(Program(1, ctypes.addressof(allow)))
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl.restype = ctypes.c_int

    def mark(_prctl=prctl, _program=program, _allow=allow):
        """A seccomp filter that allows everything: a mark pure Python cannot add, checked by the grader."""
        _prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS: required for an unprivileged filter
        _prctl(22, 2, _program, 0, 0)  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER

    def register(
        event,
        exercise,
        _control=control,
        _socketpair=_socket.socketpair,
        _encode=encode,
        _rights=(_socket.SOL_SOCKET, _socket.SCM_RIGHTS),
        _family=(_socket.AF_UNIX, _socket.SOCK_STREAM),
        _order=sys.byteorder,
    ):
        """Register this fork with the grader; returns its end of the fresh data socket."""
        mine, theirs = _socketpair(*_family)
        msg = {"event": event} if exercise is None else {"event": event, "exercise": exercise}
        _control.sendmsg([_encode(msg)], [(*_rights, theirs.fileno().to_bytes(4, _order))])
        theirs.close()
        _control.close()
        return mine

    def read_line(sock, _limit=wire.MAX_LINE, _exit=os._exit):
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(1 << 16)
            if not chunk or len(data) > _limit:
                _exit(0)
            data += chunk
        return data

    def block_signals(_mask=signal.pthread_sigmask, _block=signal.SIG_BLOCK, _all=signal.valid_signals()):
        _mask(_block, _all)

    def quiet(
        _quiet=guard.quiet_process,
        _mask=signal.pthread_sigmask,
        _unblock=signal.SIG_UNBLOCK,
        _all=signal.valid_signals(),
    ):
        _quiet()
        _mask(_unblock, _all)

    devices.install()
    pending = [None]  # the exercise the next fork probes; "" for the self-test
    own = [observe, inputs, devices, guard, wire, sys.modules[__name__], *probe_modules.values()]
    restore = guard.make_restorer(own=own, runtime=observe.RUNTIME)
    context = (
        block_signals,
        gc.disable,
        restore,
        os._exit,
        quiet,
        guard.restore_for_probe,
        guard.capture_interpreter(),
        devices.reset,
        mark,
        register,
        read_line,
        encode,
        json.JSONDecoder,
        tuple((name, module.probe) for name, module in probe_modules.items()),
        observe.set_guard,
        wire.exception_name,
        shell,
        dict,
    )
    hook = type(after_fork_in_child)(
        after_fork_in_child.__code__,
        after_fork_in_child.__globals__,
        "after_fork_in_child",
        (pending, context, run_probe),
    )
    os.register_at_fork(after_in_child=hook)
    guard.install_audit_hook(
        restore.protected | {id(f) for f in (mark, register, read_line, block_signals, quiet, hook)}
    )

    send_control = control.send

    def send(**msg):
        send_control(encode(msg))

    fork, waitpid, getrusage = os.fork, os.waitpid, resource.getrusage

    def probe(exercise):
        pending[0] = exercise
        pid = fork()
        pending[0] = None
        waitpid(pid, 0)  # nothing of the student's runs in this process beside the probe
        maxrss = max(getrusage(resource.RUSAGE_SELF).ru_maxrss, getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        send(event="memory", maxrss_kb=maxrss)

    send(event="hello")
    probe("")

    probes = [tuple(p) for p in job["probes"]]
    for index, source in job["cells"]:
        while probes and probes[0][1] < index:
            exercise = probes.pop(0)[0]
            probe(exercise)
            send(event="probe_end", exercise=exercise)
        send(event="cell_start", index=index)
        try:
            result = shell.run_cell(source, store_history=True, silent=False)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as exc:  # the shell itself can be made to raise
            error = exc
        # A cell's patches (builtins, torch.allclose, tracers) must not reach the next cell, which may
        # be another exercise's, nor the probes.
        guard.stop_tracing()
        restore()
        send(event="cell_end", index=index, exception=None if error is None else wire.exception_name(error))
    for exercise, _ in probes:
        probe(exercise)
        send(event="probe_end", exercise=exercise)
    os._exit(0)


if __name__ == "__main__":
    main()
