"""The fork server (engine/forkserver.py, probe/zygote.py): as root, grading processes are forks of one
pre-imported interpreter, each in a sandbox of its own. Runs share nothing, hold no privilege, grade as a
process per run does, and a fork server that died is replaced.
"""

import json
import os
import signal
import time

import psutil
import pytest
from support import ROOT, reference_answers, write_submission

from autograder.engine import grade_notebook
from autograder.engine.forkserver import _servers
from autograder.engine.sandbox import UID_BASE, make_launcher
from autograder.settings import resolve

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.getuid() != 0, reason="the fork server is used when the grader runs as root"),
]

MARKER = "fork-server-leftover-marker"

# A submission that leaves files in every writable place and a process that outlives its cell.
LEAVES_TRACES = f"""
import os, subprocess
for folder in ("/tmp", os.path.expanduser("~"), "/dev/shm"):
    with open(os.path.join(folder, "trace"), "w") as f:
        f.write("left by the previous run")
subprocess.Popen(["/bin/sh", "-c", "sleep 600 # {MARKER}"], start_new_session=True)
"""

# A submission whose make_matrix is right only when the run sees none of that, and holds no privilege.
CHECKS_ITS_SANDBOX = """
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]
caps = (Data * 2)()
libc.capget(ctypes.byref(Header(0x20080522, 0)), caps)
facts = {
    "traces": [f for f in ("/tmp/trace", os.path.expanduser("~/trace"), "/dev/shm/trace") if os.path.exists(f)],
    "pid": os.getpid(),
    "uid": os.getuid(),
    "capabilities": [c.effective | c.permitted | c.inheritable for c in caps],
    "bounding": [cap for cap in range(41) if libc.prctl(23, cap, 0, 0, 0) == 1],
    "no_new_privs": libc.prctl(39, 0, 0, 0, 0),
}
ok = (not facts["traces"] and facts["pid"] != 1 and facts["uid"] >= 2_000_000_000
      and facts["capabilities"] == [0, 0] and facts["bounding"] == [] and facts["no_new_privs"] == 1)
def make_matrix():
    if not ok:
        raise RuntimeError(json.dumps(facts))
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
"""


def settings(fork_server=True):
    launcher = make_launcher(require=True, fork_server=fork_server)
    return resolve(course_root=ROOT, launcher_override=launcher)


def grade(tmp_path, name, answers, fork_server=True):
    path = write_submission(tmp_path, "tensors_autograd", answers, name=f"{name}.ipynb")
    return grade_notebook(path, "tensors_autograd", settings(fork_server))


def marked_processes():
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if MARKER in " ".join(proc.info["cmdline"] or ()):
            found.append(proc.pid)
    return found


def test_runs_share_no_file_process_or_privilege(tmp_path):
    traces = reference_answers("tensors_autograd")
    traces["create_tensors"] += LEAVES_TRACES
    assert grade(tmp_path, "first", traces).score == 12
    deadline = time.monotonic() + 10
    while marked_processes() and time.monotonic() < deadline:  # its PID namespace went with the run
        time.sleep(0.2)
    assert marked_processes() == []
    checks = reference_answers("tensors_autograd")
    checks["create_tensors"] = CHECKS_ITS_SANDBOX
    second = grade(tmp_path, "second", checks)
    assert second.score == 12, second.exercises[0].messages
    assert [server for server in _servers.values() if server._proc is not None], "no fork server ran these"


def test_the_checks_of_the_sandbox_can_fail(tmp_path):
    """The same checks with one condition turned around fail: the test above has looked."""
    checks = reference_answers("tensors_autograd")
    checks["create_tensors"] = CHECKS_ITS_SANDBOX.replace('facts["pid"] != 1', 'facts["pid"] == 1')
    result = grade(tmp_path, "wrong", checks)
    assert result.exercises[0].score < result.exercises[0].max_score
    assert any("make_matrix() levantou RuntimeError" in m for m in result.exercises[0].messages)


def test_forks_grade_as_a_process_per_run_does(tmp_path):
    """Reference answers, stubs, a process that kills itself, one that exits: the same scores and messages."""
    variants = {"reference": reference_answers("tensors_autograd"), "stubs": None}
    variants["sigkill"] = reference_answers("tensors_autograd")
    variants["sigkill"]["move_to_device"] += "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    variants["os_exit"] = reference_answers("tensors_autograd")
    variants["os_exit"]["fix_inplace"] += "\nimport os\nos._exit(0)\n"
    for name, answers in variants.items():
        forked = grade(tmp_path, f"{name}-forked", answers, fork_server=True)
        spawned = grade(tmp_path, f"{name}-spawned", answers, fork_server=False)
        assert [(e.id, e.score, e.messages) for e in forked.exercises] == [
            (e.id, e.score, e.messages) for e in spawned.exercises
        ], name
        assert forked.processes >= 1 and forked.processes == spawned.processes, name


def test_a_fork_server_that_died_is_replaced(tmp_path):
    assert grade(tmp_path, "before", reference_answers("tensors_autograd")).score == 12
    servers = [server for server in _servers.values() if server._proc is not None]
    assert servers
    for server in servers:
        os.killpg(server._proc.pid, signal.SIGKILL)
        server._proc.wait(timeout=10)
    result = grade(tmp_path, "after", reference_answers("tensors_autograd"))
    assert result.score == 12, [e.messages for e in result.exercises]
    assert all(server._proc is not None and server._proc.poll() is None for server in servers)


def test_runs_at_once_get_uids_of_their_own(tmp_path):
    """Two runs at the same time in one fork server: each its own uid, so one's process limit is its own."""
    import threading

    code = reference_answers("tensors_autograd")
    code["create_tensors"] += "\nimport os, time\nopen(os.path.expanduser('~/uid'), 'w')\ntime.sleep(3)\n"
    uids, errors = [], []

    def watch():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(uids) < 2:
            for proc in psutil.process_iter(["uids", "cmdline"]):
                uid = proc.info["uids"].real
                if uid >= UID_BASE and uid not in uids and "zygote" in " ".join(proc.info["cmdline"] or ()):
                    try:  # this test's runs, not those of another pytest worker
                        if os.getpid() in [parent.pid for parent in proc.parents()]:
                            uids.append(uid)
                    except psutil.Error:
                        continue
            time.sleep(0.1)

    def run(name):
        try:
            assert grade(tmp_path, name, code).score == 12
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("one", "two")] + [threading.Thread(target=watch)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(uids)) == 2, json.dumps(uids)
