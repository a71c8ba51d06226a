"""The grader's end of a grading process's channels (the messages are in `autograder.probe.wire`).

The control socket is a SOCK_SEQPACKET unix socket with SO_PASSCRED: the kernel
attaches the sending process's pid to every packet, so the grader knows who
sent what without believing the packet. The first packet ("hello", sent before
any student code) names the cells' process. A probe registers by sending one
end of a fresh stream socket; the grader uses it only if the sender is a direct
child of the cells' process that carries the probe's mark (one seccomp filter
more than its parent, which Python code cannot add) and has its parent's memory
layout (a fork, not a new program). Everything is read with deadlines and size
caps; nothing here follows a path a student made (/proc entries are the
kernel's, for pids the kernel reported).
"""

import os
import select
import socket
import struct
import time
from dataclasses import dataclass

from ..probe import wire

_UCRED = struct.Struct("3i")
_FD = struct.Struct("i")
CAN_VERIFY = hasattr(socket, "SO_PASSCRED") and os.path.isdir("/proc/self")


class ChannelClosed(Exception):
    """The grading process closed its end (it exited or was killed)."""


@dataclass
class Packet:
    sender: int  # the sending process's pid, from the kernel (0 if unknown)
    message: dict  # decoded and typed; None if the packet was malformed
    fd: int = None  # a socket end passed with the packet (SCM_RIGHTS), to close or adopt


def control_pair():
    """(grader's end, child's end): the child's end goes to the grading process as an inherited fd."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if CAN_VERIFY:
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    ours.setblocking(False)
    return ours, theirs


def receive(sock, deadline):
    """The next control packet, or None when the deadline passes. Raises ChannelClosed at EOF."""
    while True:
        try:
            data, ancdata, flags, _ = sock.recvmsg(
                wire.MAX_PACKET + 1, socket.CMSG_SPACE(_UCRED.size) + socket.CMSG_SPACE(_FD.size)
            )
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            select.select([sock], [], [], left)
            continue
        except OSError:
            raise ChannelClosed() from None
        sender, fds = 0, []
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += [_FD.unpack_from(payload, i)[0] for i in range(0, len(payload) - _FD.size + 1, _FD.size)]
            elif CAN_VERIFY and level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                sender = _UCRED.unpack_from(payload)[0]
        if not data and not fds:
            raise ChannelClosed()
        fd = fds.pop(0) if fds else None
        for extra in fds:
            os.close(extra)
        try:
            if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
                raise wire.Malformed("truncated")
            message = wire.decode_control(data)
        except wire.Malformed:
            message = None
        return Packet(sender, message, fd)


# --------------------------------------------------------------------------- who is the probe?


def _read(path, limit=1 << 22):
    with open(path, "rb") as f:
        return f.read(limit)


def _parent(pid):
    stat = _read(f"/proc/{pid}/stat")
    return int(stat.rsplit(b")", 1)[1].split()[1])  # after the command name, which may hold anything


def _marks(pid):
    """How many seccomp filters the process carries (the kernel's count; older kernels: mode 2 as 1)."""
    filters = mode = None
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith(b"Seccomp_filters:"):
            filters = int(line.split()[1])
        elif line.startswith(b"Seccomp:"):
            mode = int(line.split()[1])
    if filters is not None:
        return filters
    return 1 if mode == 2 else 0


def _layout(pid):
    """Addresses the kernel randomizes for each new program and a fork keeps: [vdso] start, [stack] end."""
    marks = {}
    for line in _read(f"/proc/{pid}/maps", 1 << 24).splitlines():
        if line.endswith((b"[vdso]", b"[stack]")):
            start, end = line.split(None, 1)[0].split(b"-")
            marks[line.rsplit(None, 1)[1]] = start if line.endswith(b"[vdso]") else end
    return marks


def is_probe_of(pid, cells_pid):
    """Whether ``pid`` is a probe's fork of the cells' process: its child, marked, same memory layout."""
    if pid <= 0 or cells_pid is None or pid == cells_pid:
        return False
    try:
        return _parent(pid) == cells_pid and _marks(pid) > _marks(cells_pid) and _layout(pid) == _layout(cells_pid)
    except (OSError, ValueError, IndexError):
        return False


# --------------------------------------------------------------------------- a probe's data socket


class ProbeConnection:
    """The data socket a registered probe passed: inputs out, observations in (lines, capped)."""

    def __init__(self, fd, budget):
        self.sock = socket.socket(fileno=fd)
        self.sock.setblocking(False)
        self.buffer = b""
        self.budget = budget  # the run's Budget: bytes and estimated memory left

    def send_inputs(self, inputs, deadline):
        data = wire.line({"inputs": inputs})
        while data:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [self.sock], [], left)[1]:
                if time.monotonic() >= deadline:
                    return False
                continue
            try:
                data = data[self.sock.send(data) :]
            except BlockingIOError:
                continue
            except OSError:
                return False
        return True

    def messages(self):
        """Read what is available; yields decoded messages. Raises ChannelClosed at EOF, Malformed on abuse."""
        try:
            chunk = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            raise ChannelClosed() from None
        if not chunk:
            raise ChannelClosed()
        self.budget.spend_bytes(len(chunk))
        self.buffer += chunk
        if len(self.buffer) > wire.MAX_LINE and b"\n" not in self.buffer:
            raise wire.Malformed("line too long")
        *lines, self.buffer = self.buffer.split(b"\n")
        for raw in lines:
            self.budget.spend_memory(wire.estimated_memory(raw))
            yield wire.decode_data(raw)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Budget:
    """What one grading process may make the grader read and hold."""

    def __init__(self, max_bytes=wire.MAX_RUN_BYTES, max_memory=wire.MAX_RUN_MEMORY):
        self.bytes_left, self.memory_left = max_bytes, max_memory

    def spend_bytes(self, n):
        self.bytes_left -= n
        if self.bytes_left < 0:
            raise wire.Malformed("too much data")

    def spend_memory(self, n):
        self.memory_left -= n
        if self.memory_left < 0:
            raise wire.Malformed("too much data")
