"""The messages between a student's grading process and the grader: both ends, one owner.

Two channels:
- control: a SOCK_SEQPACKET unix socket, one JSON object per packet. The cells'
  process reports cell progress on it; a probe's process registers itself on it,
  passing the grader one end of a fresh stream socket (SCM_RIGHTS). The grader
  learns the sender of every packet from the kernel (SCM_CREDENTIALS), so the
  packet's content never says who sent it.
- data: that stream socket, one JSON object per line: the grader sends the probe
  its inputs, the probe sends its observations.

Encoding (inside the sandbox) uses only C-level JSON machinery captured when
this module is imported, before any student code runs. Decoding (in the grader)
bounds every message in bytes and in the memory its parsing could take, before
parsing, and checks each field's type: anything else raises Malformed. Names
that may reach a student's feedback (exception class names) are mapped onto a
fixed list.
"""

import _json
import builtins
import json

# Sizes, in bytes, of what the grader accepts.
MAX_PACKET = 64 * 1024  # one control packet
MAX_LINE = 4 * 1024 * 1024  # one data line (an observation)
MAX_RUN_BYTES = 32 * 1024 * 1024  # all data lines of one process
MAX_RUN_MEMORY = 256 * 1024 * 1024  # estimated memory of everything parsed for one process
MAX_KEY = 200
MAX_RSS_KB = 1 << 40

CONTROL_EVENTS = {
    "hello": {},  # the cells' process, before any student code
    "selftest": {},  # a probe-like fork proving the registration works
    "cell_start": {"index": int},
    "cell_end": {"index": int, "exception": (str, type(None))},
    "probe": {"exercise": str},  # a probe's process registers (with its socket)
    "probe_end": {"exercise": str},
    "memory": {"maxrss_kb": int},
}
DATA_EVENTS = {
    "obs": {"key": str, "data": object},
    "done": {},
    "probe_error": {"exception": (str, type(None))},
}

#: Exception names the feedback may show; anything else is reported as "Exception".
KNOWN_EXCEPTIONS = frozenset(
    name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)
)


class Malformed(ValueError):
    """A message the protocol does not allow."""


# --------------------------------------------------------------------------- sandbox side


def _unencodable(obj):
    raise TypeError("not JSON data")


_encode = _json.make_encoder(None, _unencodable, _json.encode_basestring_ascii, None, ":", ",", False, False, True)
_join = "".join
_str_encode = str.encode


def encode(obj):
    """One message as bytes (no newline)."""
    return _str_encode(_join(_encode(obj, 0)), "ascii")


_type = type
_type_name = type.__dict__["__name__"].__get__  # the class's real name: no metaclass can fake it


def exception_name(exc):
    """The name of an exception's class, when it is a built-in one, else "Exception"."""
    name = _type_name(_type(exc))
    return name if name in KNOWN_EXCEPTIONS else "Exception"


# --------------------------------------------------------------------------- grader side


def estimated_memory(raw):
    """An upper bound on what json.loads could allocate for ``raw``, from counts alone."""
    return len(raw) + 72 * (raw.count(b"[") + raw.count(b"{")) + 40 * (raw.count(b",") + raw.count(b":"))


def _parse(raw, limit):
    if len(raw) > limit:
        raise Malformed("too long")
    if estimated_memory(raw) > MAX_RUN_MEMORY // 4:
        raise Malformed("too heavy")
    try:
        msg = json.loads(raw)
    except (ValueError, RecursionError, MemoryError, UnicodeDecodeError):
        raise Malformed("not JSON") from None
    if type(msg) is not dict or type(msg.get("event")) is not str:
        raise Malformed("not an event")
    return msg


def _check(msg, schemas):
    fields = schemas.get(msg["event"])
    if fields is None:
        raise Malformed("unknown event")
    for name, kind in fields.items():
        if kind is object:
            if name not in msg:
                raise Malformed(f"no {name}")
            continue
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if type(msg.get(name)) not in kinds:  # exact types: bool is not an int here
            raise Malformed(f"bad {name}")
    return msg


def decode_control(packet):
    """A control packet -> its event dict, fields typed and bounded."""
    msg = _check(_parse(packet, MAX_PACKET), CONTROL_EVENTS)
    if msg["event"] == "memory" and not 0 <= msg["maxrss_kb"] <= MAX_RSS_KB:
        raise Malformed("bad maxrss_kb")
    if msg["event"] in ("cell_start", "cell_end") and not 0 <= msg["index"] < 1_000_000:
        raise Malformed("bad index")
    if msg["event"] == "cell_end":
        msg["exception"] = safe_exception(msg["exception"])
    return msg


def decode_data(line):
    """A data line from a probe -> its event dict."""
    msg = _check(_parse(line, MAX_LINE), DATA_EVENTS)
    if msg["event"] == "obs" and len(msg["key"]) > MAX_KEY:
        raise Malformed("bad key")
    if msg["event"] == "probe_error":
        msg["exception"] = safe_exception(msg["exception"])
    return msg


def safe_exception(name):
    """A reported exception name as the feedback may show it (None stays None)."""
    if name is None:
        return None
    return name if name in KNOWN_EXCEPTIONS else "Exception"


def line(obj):
    """The grader's side of the data channel: one message as a line."""
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"
