"""The grader's end of the channel: typed, bounded messages, and who may speak for a probe."""

import os
import socket
import time

import pytest

from autograder.engine import channel
from autograder.probe import wire


@pytest.mark.parametrize(
    "packet",
    [
        b"{'event': 'cell_end', 'index': [0]}",  # a Python literal, not JSON
        b'{"event": "cell_end", "index": [0], "exception": null}',  # an unhashable index
        b'{"event": "cell_start", "index": true}',  # bool is not an int here
        b'{"event": "memory", "maxrss_kb": ' + b"9" * 4299 + b"}",  # out of range
        b'{"event": "nope"}',
        b"[" * 5000 + b"]" * 5000,  # deep nesting
        b'{"event": "hello", "pad": "' + b"x" * (wire.MAX_PACKET + 1) + b'"}',  # too long
    ],
)
def test_malformed_control_packets_are_refused_without_raising_anything_else(packet):
    with pytest.raises(wire.Malformed):
        wire.decode_control(packet)


def test_feedback_names_come_from_a_fixed_list():
    msg = wire.decode_control(b'{"event": "cell_end", "index": 3, "exception": "LEAK_segredo"}')
    assert msg["exception"] == "Exception"
    assert wire.decode_control(b'{"event": "cell_end", "index": 3, "exception": "ValueError"}')["exception"] == (
        "ValueError"
    )


def test_heavy_lines_are_refused_before_parsing():
    heavy = b'{"event": "obs", "key": "k", "data": [' + b"[]," * 1_000_000 + b"[]]}"
    assert len(heavy) < wire.MAX_LINE
    assert wire.estimated_memory(heavy) > wire.MAX_RUN_MEMORY // 4
    started = time.monotonic()
    with pytest.raises(wire.Malformed):
        wire.decode_data(heavy)
    assert time.monotonic() - started < 1.0


def test_a_run_budget_stops_a_flood():
    budget = channel.Budget(max_bytes=100, max_memory=1000)
    budget.spend_bytes(60)
    with pytest.raises(wire.Malformed):
        budget.spend_bytes(60)


def test_encoding_is_json_and_round_trips():
    data = {"event": "obs", "key": "x/0", "data": {"values": [1.5, float("nan")], "ok": True, "name": "é"}}
    decoded = wire.decode_data(wire.encode(data))
    assert decoded["key"] == "x/0" and decoded["data"]["ok"] is True and decoded["data"]["name"] == "é"


def _packet_from_child(marked):
    """Fork a child that sends a registration packet (marked with a seccomp filter, or not); return it."""
    import ctypes

    ours, theirs = channel.control_pair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            ours.close()
            if marked:
                libc = ctypes.CDLL(None)
                allow = ctypes.create_string_buffer(b"\x06\x00\x00\x00\x00\x00\xff\x7f")

                class Program(ctypes.Structure):
                    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

                libc.prctl(38, 1, 0, 0, 0)
                libc.prctl(22, 2, ctypes.byref(Program(1, ctypes.addressof(allow))), 0, 0)
            mine, passed = socket.socketpair()
            theirs.sendmsg(
                [wire.encode({"event": "probe", "exercise": "x"})],
                [(socket.SOL_SOCKET, socket.SCM_RIGHTS, passed.fileno().to_bytes(4, "little"))],
            )
            time.sleep(2)
        finally:
            os._exit(0)
    theirs.close()
    try:
        packet = channel.receive(ours, time.monotonic() + 10)
        verified = channel.is_probe_of(packet.sender, os.getpid())
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        ours.close()
    if packet.fd is not None:
        os.close(packet.fd)
    return packet, pid, verified


@pytest.mark.skipif(not channel.CAN_VERIFY, reason="needs Linux (SO_PASSCRED and /proc)")
def test_the_kernel_names_the_sender_and_only_a_marked_child_is_a_probe():
    packet, pid, verified = _packet_from_child(marked=True)
    assert packet.sender == pid and packet.message == {"event": "probe", "exercise": "x"} and packet.fd is not None
    assert verified
    packet, pid, verified = _packet_from_child(marked=False)
    assert packet.sender == pid and not verified  # a fork of the student's own: same layout, no mark


def test_the_cells_process_itself_is_never_a_probe():
    assert not channel.is_probe_of(os.getpid(), os.getpid())
    assert not channel.is_probe_of(0, os.getpid())
    assert not channel.is_probe_of(os.getpid(), None)
