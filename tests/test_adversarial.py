"""The adversarial suite: every attack in attacks.py through the sandboxed engine.

Each must score zero on its target and full marks elsewhere, finish within its
time limit, leave no process behind, change nothing outside the submission, and
let no hidden material out. The sandbox is required here: these submissions
include fork bombs and memory bombs.
"""

import functools
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from attacks import ATTACKS, CONTROLS
from support import AUTOGRADER, ROOT, reference_answers, write_submission

from autograder.course import ASSIGNMENTS
from autograder.engine import grade_notebook
from autograder.engine.sandbox import UID_BASE, Limits, make_launcher
from autograder.settings import resolve

pytestmark = [pytest.mark.slow]

EXERCISE_TIMEOUT = 10.0
# custom_models' first exercise also pays for its heavier start (Optuna, torch.export's imports, two data sets)
# and trains on digits: 10 s is too short for it on a busy machine.
EXERCISE_TIMEOUTS = {"custom_models": 30.0}


def exercise_timeout(assignment):
    return EXERCISE_TIMEOUTS.get(assignment, EXERCISE_TIMEOUT)


SECRET = "s3cr3t-do-curso"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with everything an attacker would want: solutions, a gradebook, others' work."""
    course = tmp_path_factory.mktemp("hostile") / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copytree(ROOT / "assignments", course / "assignments")
    (course / "gradebook.db").write_bytes(b"SQLite format 3\0 gradebook")
    (course / ".autograder_secret").write_text("segredo-do-arquivo")
    (course / ".autograder_secret").chmod(0o600)
    other = course / "submitted" / "alice" / "tensors_autograd"
    other.mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / "tensors_autograd" / "tensors_autograd.ipynb", other)
    exchange = course.parent / "exchange" / "pytorch-redes-neurais" / "inbound"
    exchange.mkdir(parents=True)
    (exchange / "alice+tensors_autograd+2026").write_text("submission")
    return course


@pytest.fixture(scope="module")
def listener():
    """A local TCP server: any connection from student code is recorded."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                seen.append(conn.recv(100))
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def tree_digest(*roots):
    """Content, owner and mode of every file and folder under ``roots`` (links not followed)."""
    h = hashlib.sha256()
    for root in roots:
        for path in sorted([Path(root), *Path(root).rglob("*")]):
            st = path.lstat()
            h.update(f"{path} {st.st_mode:o} {st.st_uid} {st.st_gid}".encode())
            if path.is_file() and not path.is_symlink():
                h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def decoy(tmp_path_factory):
    """Host files outside the course, owned by the grader, that a student may point links at."""
    folder = tmp_path_factory.mktemp("decoy")
    (folder / "arquivo").write_text("não mexa")
    (folder / "arquivo").chmod(0o600)
    (folder / "pasta").mkdir(mode=0o700)
    (folder / "pasta" / "dentro").write_text("também não")
    return folder


ZYGOTE_MARK = "probe.zygote import serve"  # in the fork server's command line (engine/forkserver.py)


def _looks_like_student(uid, args):
    return uid == 65534 or uid >= UID_BASE or "time.sleep(600)" in args or "_agprobe" in args


def _idle_fork_server(proc, args):
    """A fork server (its bwrap and the zygote under it) stays for its grader process's lifetime: not
    left over. What it forked for a run (keeper, init, the run and anything the run started) is."""
    if ZYGOTE_MARK not in args:
        return False
    commands = [proc.cmdline(), proc.parent().cmdline()]  # empty for a process that is ending
    return any(command and Path(command[0]).name == "bwrap" for command in commands)


def student_processes():
    """Processes that could only be left over by student code: the sandbox uid's, or our markers.

    A sandbox that some other process is running right now (a concurrent pytest-xdist worker, a CI run
    beside this one) is not left over: the first ancestor that is not itself a sandbox process decides.
    If it is this test's process, or init, or one of our own ancestors (orphans are reparented there), the
    process was left behind by us.
    """
    me = psutil.Process()
    ours = {me.pid, 1} | {p.pid for p in me.parents()}
    left = []
    for proc in psutil.process_iter(["pid", "uids", "status", "cmdline", "create_time"]):
        try:
            uid, args = proc.info["uids"].real, " ".join(proc.info["cmdline"] or ())
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue  # already dead, waiting only to be reaped by the container's init
            if not _looks_like_student(uid, args) or _idle_fork_server(proc, args):
                continue
            owner = next(
                (a for a in proc.parents() if not _looks_like_student(a.uids().real, " ".join(a.cmdline()))), None
            )
            if owner is not None and owner.pid not in ours:
                continue
        except psutil.Error:
            continue  # it ended while we looked
        left.append((proc.pid, proc.info["create_time"], f"{proc.pid} {uid} {args[:80]}"))
    return left


def lasting_student_processes(lasting=3.0, patience=15.0):
    """The student processes that stay, unchanged, for `lasting` seconds.

    One look is not enough: a killed sandbox takes a moment to go, and a process of a concurrent worker's
    sandbox may show for a moment while it exits. A process left behind stays.
    """
    first_seen, start = {}, time.monotonic()
    while True:
        now = time.monotonic()
        seen = {(pid, created): (now, label) for pid, created, label in student_processes()}
        first_seen = {key: first_seen.get(key, value) for key, value in seen.items()}
        if not first_seen:
            return []
        lasted = [label for since, label in first_seen.values() if now - since >= lasting]
        if lasted or now - start > patience:
            return lasted or [label for _, label in first_seen.values()]
        time.sleep(0.2)


def test_leftover_check_reports_a_process_that_stays_and_not_one_that_ends():
    marked = "import time; time.sleep({}) # time.sleep(600)"  # the marker _looks_like_student knows
    staying = subprocess.Popen([sys.executable, "-c", marked.format(60)])
    try:
        left = lasting_student_processes()
    finally:
        staying.kill()
        staying.wait()
    assert [label for label in left if label.startswith(f"{staying.pid} ")], left
    ending = subprocess.Popen([sys.executable, "-c", marked.format(1)])
    start = time.monotonic()
    assert lasting_student_processes() == []
    assert time.monotonic() - start < 3.0  # it ended (a zombie until reaped) before counting as left behind
    ending.wait()


@functools.cache
def attack_launcher(fork_server=True):
    """One per worker and kind: as root, attacks run in forks of one fork server, as grading does."""
    return make_launcher(
        require=True, limits=Limits(memory_mb=4096, cpu_seconds=60, processes=128), fork_server=fork_server
    )


def grade_attack(tmp_path, course, assignment, answers, edit=None, fork_server=True):
    path = write_submission(tmp_path, assignment, answers, edit=edit)
    launcher = attack_launcher(fork_server)
    settings = resolve(
        course_root=course,
        exercise_timeout=exercise_timeout(assignment),
        submission_timeout=300,
        launcher_override=launcher,
    )
    start = time.monotonic()
    result = grade_notebook(path, assignment, settings)
    return result, time.monotonic() - start


# Attacks on the sandbox itself, also run with one bwrap per grading process (no fork server: the grader is
# not root, or AUTOGRADER_FORK_SERVER=0).
SANDBOX_ATTACKS = (
    "reads_proc_environ",
    "writes_gradebook_and_others",
    "network_connection",
    "symlinks_to_host_files_then_crash",
    "edits_probe_on_disk_then_crash",
    "exhausts_process_limit_and_hangs",
    "fork_bomb",
    "memory_bomb",
)
WITHOUT_FORK_SERVER = [
    pytest.param(a, False, id=f"{a.name}-no-fork-server") for a in ATTACKS if a.name in SANDBOX_ATTACKS
]


@pytest.mark.parametrize(
    "attack, fork_server", [pytest.param(a, True, id=a.name) for a in ATTACKS] + WITHOUT_FORK_SERVER
)
def test_attack_earns_nothing_and_harms_nothing(attack, fork_server, tmp_path, course, decoy, listener, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", SECRET)
    port, connections = listener
    before = tree_digest(course, decoy)
    for marker in ("/tmp/pwned", "/tmp/unpickled", "/tmp/results.json"):
        Path(marker).unlink(missing_ok=True)
    answers = reference_answers(attack.assignment)
    answers[attack.target] = attack.render(course=course, port=port, decoy=decoy)

    result, elapsed = grade_attack(tmp_path, course, attack.assignment, answers, attack.edit, fork_server)

    scores = {e.id: e.score for e in result.exercises}
    expected = {e.id: (0.0 if e.id == attack.target else e.points) for e in ASSIGNMENTS[attack.assignment].exercises}
    assert scores == expected, [e.messages for e in result.exercises]
    limit = len(expected) * (exercise_timeout(attack.assignment) + 5) * 2 + 30  # a retry per exercise at most, start-up
    assert elapsed < limit, f"grading took {elapsed:.0f} s"
    assert lasting_student_processes() == [], "processes left behind"
    assert tree_digest(course, decoy) == before, "the course folder or a host file changed"
    assert connections == [], "student code reached the network"
    for marker in ("/tmp/pwned", "/tmp/unpickled", "/tmp/results.json"):
        assert not Path(marker).exists(), marker
    messages = "\n".join(m for e in result.exercises for m in e.messages)
    for leak in ("BEGIN HIDDEN", "run_hidden_checks", "reference.", SECRET, "Traceback", "LEAK"):
        assert leak not in messages
    assert 0 <= result.max_rss_kb < 2**40


@pytest.mark.parametrize("name", list(CONTROLS))
def test_harmless_oddities_keep_full_marks(name, tmp_path, course):
    target, code = CONTROLS[name]
    answers = reference_answers("tensors_autograd")
    answers[target] = code
    result, _ = grade_attack(tmp_path, course, "tensors_autograd", answers)
    assert result.score == 12, [e.messages for e in result.exercises]


def test_sandbox_hides_the_environment_and_the_filesystem(tmp_path, course, monkeypatch):
    """What student code sees: no grader variables, no course, an unprivileged uid, no network."""
    monkeypatch.setenv("AUTOGRADER_SECRET", SECRET)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    probe = f"""
import os, socket, json
facts = {{
    "env": sorted(os.environ),
    "uid": os.getuid(),
    "course_visible": os.path.exists({str(course)!r}),
    "repo_visible": os.path.exists({str(ROOT / "solutions")!r}),
    "cwd": os.getcwd(),
    "processes": len([p for p in os.listdir("/proc") if p.isdigit()]),
}}
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    facts["network"] = True
except OSError:
    facts["network"] = False
ok = (not any(k.startswith(("NBGRADER", "AUTOGRADER")) for k in facts["env"]) and facts["uid"] != 0
      and not facts["course_visible"] and not facts["repo_visible"] and not facts["network"]
      and "autograd" not in facts["cwd"] and facts["processes"] <= 5)
if ok:
    def make_matrix():
        return torch.tensor([[1., 4., 7.], [2., 3., 6.]])
else:
    def make_matrix():
        raise RuntimeError(json.dumps(facts))
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
"""
    answers = reference_answers("tensors_autograd")
    answers["create_tensors"] = probe
    result, _ = grade_attack(tmp_path, course, "tensors_autograd", answers)
    assert result.score == 12, result.exercises[0].messages


def test_forgeries_would_earn_full_marks():
    """The forging attacks above fail because they are refused, not because their forgeries are poor."""
    import json

    import numpy as np
    import torch
    from attacks import FORGE_FIX_INPLACE, SWAP_OBSERVED_FUNCTIONS

    from autograder.check import judge_in_process
    from autograder.course import EXERCISES
    from autograder.exercises import judge
    from autograder.judge import run_checks

    module = judge("fix_inplace")
    inputs = json.loads(json.dumps(module.draw(np.random.default_rng(7))))
    namespace = {}
    exec(FORGE_FIX_INPLACE, namespace)
    observations = json.loads(json.dumps(dict(namespace["forged_fix_inplace"](inputs))))
    result = run_checks(EXERCISES["fix_inplace"], module.CHECKS, inputs, observations)
    assert result.score == result.max_score, result.messages

    namespace = {"torch": torch, "np": np}
    exec(SWAP_OBSERVED_FUNCTIONS, namespace)
    result = judge_in_process("create_tensors", namespace["_reference"], seed=7)
    assert result.score == result.max_score, result.messages


def test_a_cell_cannot_forge_where_the_product_ran(tmp_path, course, monkeypatch):
    """The probe's device recorder, patched by a cell, is put back before the probe runs: gram_on computed on the
    CPU and then moved keeps only its incidental quarter. In place (no guard) the same forgery earns full marks."""
    import numpy as np
    import torch
    from attacks import FORGE_WHERE_PRODUCT_RAN

    from autograder.check import judge_in_process
    from autograder.probe.devices import _WhereOpsRun

    monkeypatch.setenv("AUTOGRADER_SECRET", SECRET)
    answers = reference_answers("tensors_autograd")
    answers["move_to_device"] = FORGE_WHERE_PRODUCT_RAN
    result, _ = grade_attack(tmp_path, course, "tensors_autograd", answers)
    move = {e.id: e for e in result.exercises}["move_to_device"]
    assert move.score == 0.5, move.messages
    assert any("o produto foi calculado em cpu" in m for m in move.messages), move.messages

    monkeypatch.setattr(_WhereOpsRun, "__torch_dispatch__", _WhereOpsRun.__torch_dispatch__)  # undone afterwards
    namespace = {"torch": torch, "np": np}
    exec(FORGE_WHERE_PRODUCT_RAN, namespace)
    forged = judge_in_process("move_to_device", namespace, seed=7)
    assert forged.score == 2.0, forged.messages


def test_grader_memory_stays_bounded_under_a_flood(tmp_path, course, monkeypatch):
    """12 MiB lines on every socket: the grader (a separate `autograder grade`) stays small and quick."""
    attack = next(a for a in ATTACKS if a.name == "floods_grader_with_huge_lines")
    answers = reference_answers(attack.assignment)
    answers[attack.target] = attack.render()
    path = write_submission(tmp_path, attack.assignment, answers)
    env = dict(os.environ, AUTOGRADER_SECRET=SECRET, AUTOGRADER_COURSE=str(ROOT))
    start = time.monotonic()
    proc = subprocess.Popen(
        [AUTOGRADER, "grade", str(path), "--json", "--require-sandbox", "--timeout", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0
    import json

    report = json.loads(out)
    assert report["tests"][3]["score"] == 0 and report["score"] == 9, report
    # the grader and the sandboxes it reaped (a student process with torch stays far below this)
    assert usage.ru_maxrss < 1024 * 1024, f"grader peaked at {usage.ru_maxrss // 1024} MiB"
    assert elapsed < 90, f"grading took {elapsed:.0f} s"


def test_grader_work_stays_within_the_clock(tmp_path, course, monkeypatch):
    """Files created for seconds before a crash, three times: the grader spends no time on them."""
    import resource

    monkeypatch.setenv("AUTOGRADER_SECRET", SECRET)
    attack = next(a for a in ATTACKS if a.name == "slow_file_creation_then_crash")
    answers = reference_answers(attack.assignment)
    answers[attack.target] = attack.render()
    before = resource.getrusage(resource.RUSAGE_SELF)
    result, elapsed = grade_attack(tmp_path, course, attack.assignment, answers, attack.edit)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert result.processes == 4, result.processes  # three crashes, three retries
    assert elapsed < 3 * 4 + 4 * 8, f"grading took {elapsed:.0f} s"
    assert cpu < 10, f"the grader itself used {cpu:.1f} s of CPU"


def test_sandbox_shows_no_host_paths(tmp_path, course, monkeypatch):
    """Recon: command lines, mount tables, the interpreter's paths and files name no course, venv or data path."""
    import sys

    monkeypatch.setenv("AUTOGRADER_SECRET", SECRET)
    monkeypatch.setenv("PATH", f"{sys.prefix}/bin:{ROOT}/scripts:{os.environ['PATH']}")  # as `make` sets it
    data = os.path.realpath(os.environ.get("SCIKIT_LEARN_DATA", os.path.expanduser("~/scikit_learn_data")))
    forbidden = sorted({str(ROOT), str(course), data, os.path.realpath(sys.prefix)})
    probe = f"""
import glob, os, sys
forbidden = {forbidden!r}
texts = [" ".join(sys.argv), sys.executable, sys.prefix, " ".join(sys.path), os.getcwd(), repr(dict(os.environ))]
for pattern in ["/proc/*/cmdline", "/proc/*/mountinfo", "/proc/*/mounts", "/proc/*/environ", "/proc/self/maps",
                "/etc/mtab", sys.prefix + "/pyvenv.cfg", sys.prefix + "/bin/*",
                sys.prefix + "/lib/python*/site-packages/*.pth", sys.prefix + "/lib/python*/site-packages/*.py",
                sys.prefix + "/lib/python*/site-packages/*.egg-link",
                sys.prefix + "/lib/python*/site-packages/*.dist-info/direct_url.json",
                sys.prefix + "/lib/python*/site-packages/*.dist-info/RECORD", "/opt/*", "/opt/*/*"]:
    for path in glob.glob(pattern):
        texts.append(path)
        try:
            texts.append(open(path, "rb").read(1 << 20).decode("utf-8", "replace"))
        except OSError:
            pass
found = sorted({{i for i, f in enumerate(forbidden) for t in texts if f in t}})
if found:  # feedback names only the exception: its type says which path was seen
    def make_matrix():
        raise [KeyError, ValueError, TypeError, IndexError][found[0]]()
else:
    def make_matrix():
        return torch.tensor([[1., 4., 7.], [2., 3., 6.]])
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
"""
    answers = reference_answers("tensors_autograd")
    answers["create_tensors"] = probe
    result, _ = grade_attack(tmp_path, course, "tensors_autograd", answers)
    seen = "KeyError, ValueError, TypeError, IndexError: the 1st, 2nd, 3rd, 4th of these was seen"
    assert result.score == 12, (forbidden, seen, result.exercises[0].messages)
