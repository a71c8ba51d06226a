"""The adversarial suite: every attack in attacks.py through the sandboxed engine.

Each must score zero on its target and full marks elsewhere, finish within its
time limit, leave no process behind, change nothing outside the submission, and
let no hidden material out. The sandbox is required here: these submissions
include fork bombs and memory bombs.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from attacks import ATTACKS, CONTROLS
from autograder.course import ASSIGNMENTS
from autograder.grade import GradeOptions, grade_notebook
from autograder.grade.sandbox import Limits, make_launcher
from support import ROOT, reference_answers, write_submission

EXERCISE_TIMEOUT = 10.0
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


def tree_digest(root):
    h = hashlib.sha256()
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            h.update(str(path).encode() + path.read_bytes())
    return h.hexdigest()


def student_processes():
    """Processes that could only be left over by student code: the sandbox uid's, or our markers."""
    out = subprocess.run(["ps", "-eo", "pid=,uid=,stat=,args="], capture_output=True, text=True).stdout
    left = []
    for line in out.splitlines():
        pid, uid, stat, args = (line.strip().split(None, 3) + ["", "", "", ""])[:4]
        if stat.startswith("Z"):
            continue  # already dead, waiting only to be reaped by the container's init
        if uid == "65534" or "time.sleep(600)" in args or "_agprobe" in args:
            left.append(line.strip())
    return left


def grade_attack(tmp_path, course, assignment, answers, edit=None):
    path = write_submission(tmp_path, assignment, answers, edit=edit)
    launcher = make_launcher(require=True, limits=Limits(memory_mb=4096, cpu_seconds=60, processes=128))
    options = GradeOptions(course_root=course, exercise_timeout=EXERCISE_TIMEOUT, submission_timeout=300,
                           launcher=launcher)
    start = time.monotonic()
    result = grade_notebook(path, assignment, options)
    return result, time.monotonic() - start


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_earns_nothing_and_harms_nothing(attack, tmp_path, course, listener, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", SECRET)
    port, connections = listener
    before = tree_digest(course)
    for marker in ("/tmp/pwned", "/tmp/unpickled", "/tmp/results.json"):
        Path(marker).unlink(missing_ok=True)
    answers = reference_answers(attack.assignment)
    answers[attack.target] = attack.code.replace("{course}", str(course)).replace("{port}", str(port))

    result, elapsed = grade_attack(tmp_path, course, attack.assignment, answers, attack.edit)

    scores = {e.id: e.score for e in result.exercises}
    expected = {e.id: (0.0 if e.id == attack.target else e.points) for e in ASSIGNMENTS[attack.assignment].exercises}
    assert scores == expected, [e.messages for e in result.exercises]
    limit = len(expected) * (EXERCISE_TIMEOUT + 5) * 2 + 30  # one retry per exercise at most, plus start-up
    assert elapsed < limit, f"grading took {elapsed:.0f} s"
    deadline = time.monotonic() + 10  # killed processes may take a moment to release their memory
    while student_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert student_processes() == [], "processes left behind"
    assert tree_digest(course) == before, "the course folder changed"
    assert connections == [], "student code reached the network"
    for marker in ("/tmp/pwned", "/tmp/unpickled", "/tmp/results.json"):
        assert not Path(marker).exists(), marker
    messages = "\n".join(m for e in result.exercises for m in e.messages)
    for leak in ("BEGIN HIDDEN", "run_hidden_checks", "reference.", SECRET, "Traceback"):
        assert leak not in messages


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
    "repo_visible": os.path.exists({str(ROOT / 'solutions')!r}),
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
