"""The fork server inside the sandbox: the grading process's imports done once, a fresh sandbox per run.

Started by the grader (only when it runs as root) in a bubblewrap sandbox like
a grading process's, as that sandbox's root with five capabilities and nothing
else: CAP_SYS_ADMIN (namespaces, mounts), CAP_NET_ADMIN (a loopback), CAP_SETUID,
CAP_SETGID and CAP_SETPCAP (to give them all up). It imports what a grading
process imports before any student code (torch, IPython, the probe runtime),
then serves the grader's socket. It never runs student code, and it reads
requests from the grader alone.

Each request forks a keeper, which gives the run namespaces of its own (mount,
PID, network, IPC, UTS, cgroup), then fresh size-capped tmpfs mounts on /tmp,
the home and /dev/shm, and a loopback that is up. Then it forks the new PID
namespace's init (as bwrap's: it reaps, and it ends when the run ends), which
forks the run itself. The run drops to the uid the grader leased,
with no capabilities, no way to gain any, and the limits. It takes the request's
descriptors as stdin, stdout/stderr and the control socket, then enters
`boot.main()` exactly where `python -I -c BOOT` would. The keeper kills the
run's whole PID namespace when the grader asks or hangs up, and then answers "gone".

argv: [control fd to the grader, the probe package's parent folder].
"""

import ctypes
import fcntl
import json
import os
import resource
import select
import signal
import socket
import struct
import sys

from . import boot

CONTROL_FD = 3  # where the run finds its control socket (boot reads it from argv)
CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 38, 47
MAX_REQUEST = 1 << 16

libc = ctypes.CDLL(None, use_errno=True)


def _ok(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _tmpfs(path, size, mode="1777"):
    options = f"mode={mode},size={size}".encode()
    _ok(libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options), f"tmpfs on {path}")


def _loopback_up():
    """What bwrap does in a new network namespace: 127.0.0.1 answers, nothing else exists."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, request))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 0x1))  # SIOCSIFFLAGS, IFF_UP


def _own_namespaces(home, disk_bytes):
    """In the keeper: the namespaces and fresh writable mounts of one run (its children inherit them)."""
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if libc.unshare(flags | CLONE_NEWCGROUP) != 0:  # cgroup namespaces are optional, as in bwrap
        _ok(libc.unshare(flags), "unshare")
    _ok(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "private mounts")
    for path in ("/tmp", home, "/dev/shm"):
        if path != "/dev/shm" or os.path.isdir(path):
            _tmpfs(path, disk_bytes)
    _loopback_up()


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_privileges(uid=None):
    """No capabilities now or after any exec; with ``uid``, that uid (the run's) instead of root."""
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:  # EINVAL: past the last
            _ok(-1, f"dropping capability {cap}")
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _ok(libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), (_CapData * 2)()), "capset")  # version 3
    _ok(libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0), "clearing ambient capabilities")
    _ok(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if uid is not None and (os.getuid() != uid or os.geteuid() != uid or uid == 0):
        raise OSError("the run did not drop to its uid")


def _init(request, fds):
    """PID 1 of the run's namespace, as bwrap's: starts the run, reaps orphans, ends when the run ends.

    The run is not PID 1 itself, so its signals (its own SIGKILL too) act as in any process.
    """
    run = os.fork()
    if run == 0:
        _run(request, fds, sys.argv[2])
    for fd in fds:
        os.close(fd)
    _drop_privileges()  # root with no capabilities: the run's uid can neither signal nor trace it
    while True:
        try:
            pid, _status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if pid == run:
            os._exit(0)  # the kernel then kills whatever is left in the namespace


def _run(request, fds, probe_parent):
    """The run, PID 2 of its namespace: the student's grading process; never returns."""
    try:
        _start_run(request, fds, probe_parent)
    except BaseException as exc:  # nothing of the student's has run yet: say why, on stderr
        try:
            os.write(2, f"autograder fork server: the run could not start: {exc!r}\n".encode())
        finally:
            os._exit(1)
    boot.main()
    os._exit(0)


def _start_run(request, fds, probe_parent):
    os.setsid()
    for name, value in request["limits"]:
        resource.setrlimit(getattr(resource, name), (value, value))
    _drop_privileges(request["uid"])
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    control, stdin, out = fds
    os.dup2(stdin, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.dup2(control, CONTROL_FD)
    os.closerange(CONTROL_FD + 1, os.sysconf("SC_OPEN_MAX"))
    os.chdir(request["home"])
    os.environ.clear()
    os.environ.update(request["env"])
    if "numpy.random" in sys.modules:  # each fresh interpreter seeds numpy's global generator: so does each run
        sys.modules["numpy.random"].seed()
    sys.argv[:] = ["-c", str(CONTROL_FD), probe_parent]


def _keep(request, fds, job):
    """The keeper: makes the run's sandbox, starts it, ends it when the grader says so; never returns."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        _own_namespaces(request["home"], request["disk_bytes"])
        pid = os.fork()
    except OSError as exc:
        job.sendall(json.dumps({"error": str(exc)}).encode())
        os._exit(1)
    if pid == 0:
        try:
            os.close(job.detach())
            _init(request, fds)
        finally:
            os._exit(1)
    for fd in fds:
        os.close(fd)
    job.sendall(b'{"started": true}')
    init = os.pidfd_open(pid)  # signals through it reach this process only, never a later one with its pid
    if job not in select.select([job, init], [], [])[0]:
        select.select([job], [], [])  # the run ended by itself, and its namespace with it: wait for the grader
    try:
        signal.pidfd_send_signal(init, signal.SIGKILL)  # the namespace's PID 1: every process in it goes too
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    try:
        job.sendall(b'{"gone": true}')
    finally:
        os._exit(0)


def serve():
    server = socket.socket(fileno=int(sys.argv[1]))
    # What boot.main imports before any student code (so the run finds it done, in the same order).
    import concurrent.futures.thread  # noqa: F401
    import logging  # noqa: F401
    import random  # noqa: F401

    import IPython.core.interactiveshell  # noqa: F401

    from . import devices, guard, inputs, observe, wire  # noqa: F401

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped by the kernel
    while True:
        data, fds, _flags, _addr = socket.recv_fds(server, MAX_REQUEST, 4)
        if not data:
            os._exit(0)  # the grader is gone
        if len(fds) != 4:
            for fd in fds:
                os.close(fd)
            continue
        request = json.loads(data)
        job = socket.socket(fileno=fds[0])
        if os.fork() == 0:
            try:
                os.close(server.detach())
                _keep(request, fds[1:], job)
            finally:
                os._exit(1)
        job.close()
        for fd in fds[1:]:
            os.close(fd)
