"""`nbgrader validate` runs the notebook in the sandboxed kernel (autograder.nbgrader_plugin.kernel).

A temporary copy of the course (its nbgrader_config.py plugs the kernel in) validates:
- a probe notebook whose solution cell records, from inside the kernel, what it can
  see and reach; the test cell then fails on purpose with those facts in its message,
  which `nbgrader validate` prints;
- the reference solution, which must pass.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from support import ROOT, reference_answers, release

from autograder.demo import nbgrader_env
from autograder.engine.sandbox import UID_BASE, UID_SLOTS
from autograder.nbgrader_plugin import kernel

# CI sets AUTOGRADER_REQUIRE_SANDBOX=1: there a missing bwrap fails these tests instead of skipping them.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which("bwrap") and os.environ.get("AUTOGRADER_REQUIRE_SANDBOX") != "1",
        reason="bubblewrap (bwrap) is not installed",
    ),
]

A = "tensors_autograd"


def sandbox_uid(uid):
    """A uid the sandbox leases when the grader is root."""
    return UID_BASE <= int(uid) < UID_BASE + UID_SLOTS


AS_ROOT = os.getuid() == 0
MARKER = "3171"  # `sleep 3171`: a detached grandchild the kernel leaves behind

PROBE = r"""
import json, os, socket, subprocess
facts = {"uid": os.getuid(), "cwd": os.getcwd(), "home": os.environ.get("HOME")}
try:
    socket.create_connection(("127.0.0.1", __PORT__), timeout=3).close()
    facts["tcp"] = "connected"
except OSError as e:
    facts["tcp"] = type(e).__name__
facts["visible"] = {p: os.path.exists(p) for p in __PATHS__}
facts["root"] = sorted(os.listdir("/root")) if os.path.isdir("/root") else []
facts["env"] = sorted(k for k in os.environ if k.startswith(("NBGRADER", "AUTOGRADER", "JPY_", "JUPYTER")))
facts["pid"], facts["ppid"] = os.getpid(), os.getppid()
facts["proc"] = sorted(os.listdir("/proc")) if os.path.isdir("/proc") else []
facts["child"] = subprocess.Popen(["sleep", "__MARKER__"], start_new_session=True).pid


def make_matrix():
    raise AssertionError("FACTS=" + json.dumps(facts))
"""


def probe_code(port, paths):
    return PROBE.replace("__PORT__", str(port)).replace("__PATHS__", repr(paths)).replace("__MARKER__", MARKER)


def validate(course, notebook, extra_env=None):
    env = dict(nbgrader_env(), AUTOGRADER_REQUIRE_SANDBOX="1", AUTOGRADER_TEST_SECRET="visible?", **(extra_env or {}))
    cmd = [str(Path(sys.executable).parent / "nbgrader"), "validate", "--Validator.width=100000", str(notebook)]
    # files, not pipes: a process the kernel leaves behind must not hold validate's output open
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.run(cmd, cwd=course, env=env, stdout=out, stderr=err, text=True, timeout=120)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())


def processes():
    """pid -> (uid, state, cmdline) of every process."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status if ":" in line)
        found[int(pid)] = (int(fields["Uid"].split()[0]), fields["State"].split()[0], cmdline.strip())
    return found


def leftovers(before):
    """Live (not zombie) processes of the kernel's uid, or with the marker, that `before` did not have.

    The engine's probes (`_agprobe`) of a grading run alongside are not ours.
    """
    return {
        pid: cmd
        for pid, (uid, state, cmd) in processes().items()
        if state != "Z"
        and pid not in before
        and "_agprobe" not in cmd
        and (sandbox_uid(uid) or cmd == f"sleep {MARKER}")
    }


def wait_for_no_leftovers(before, seconds=10.0):
    deadline = time.monotonic() + seconds
    while (left := leftovers(before)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("kernel") / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copytree(ROOT / "assignments", course / "assignments")
    return course


@pytest.fixture(scope="module")
def probe_run(course):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    nb_dir = course / "assignments" / A
    paths = [str(course / "solutions"), str(course), str(nb_dir), str(ROOT / "autograder" / "checks")]
    answers = dict(reference_answers(A), create_tensors=probe_code(port, paths))
    nb = release(A)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]]
    notebook = nb_dir / "probe.ipynb"
    nbformat.write(nb, notebook)

    before = processes()
    start = time.monotonic()
    proc = validate(course, notebook)
    elapsed = time.monotonic() - start
    try:
        listener.accept()
        accepted = True
    except BlockingIOError:
        accepted = False
    listener.close()
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    match = re.search(r"FACTS=(\{.*\})", output)
    assert match, f"no facts from the kernel (exit {proc.returncode}):\n{output}"
    return {
        "facts": json.loads(match.group(1)),
        "accepted": accepted,
        "before": before,
        "output": output,
        "elapsed": elapsed,
        "paths": paths,
    }


def test_probe_ran_in_the_sandbox(probe_run):
    facts = probe_run["facts"]
    if AS_ROOT:
        assert sandbox_uid(facts["uid"])
    assert facts["cwd"] == facts["home"] == "/home/aluno"  # a private folder, not the notebook's


def test_no_network(probe_run):
    assert probe_run["facts"]["tcp"] != "connected"
    assert not probe_run["accepted"], "the kernel reached a listener on the host's 127.0.0.1"


def test_course_and_host_files_are_not_visible(probe_run):
    facts = probe_run["facts"]
    assert facts["visible"] == {p: False for p in probe_run["paths"]}
    # /root shows at most the folders leading to a Python installed under it, read-only
    pythons = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parents[1]}
    allowed = {p.relative_to("/root").parts[0] for p in pythons if p.is_relative_to("/root")}
    assert set(facts["root"]) <= allowed, facts["root"]


def test_grader_environment_is_not_visible(probe_run):
    # NBGRADER_VALIDATING/NBGRADER_EXECUTION (set by nbgrader) and AUTOGRADER_* (set here) stay outside
    assert probe_run["facts"]["env"] == []


def test_own_pid_namespace_and_no_procfs(probe_run):
    facts = probe_run["facts"]
    assert facts["pid"] <= 4 and facts["ppid"] <= 2, facts  # the kernel is one of the first processes there
    assert facts["proc"] == ["cpuinfo"], facts["proc"]  # no procfs: no other process, no mount table


@pytest.mark.skipif(not AS_ROOT, reason="the kernel runs as a leased uid only when the grader is root")
def test_nothing_left_running(probe_run):
    assert wait_for_no_leftovers(probe_run["before"]) == {}


def test_reference_validates(course):
    nb = release(A)
    answers = reference_answers(A)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]]
    notebook = course / "assignments" / A / "reference.ipynb"
    nbformat.write(nb, notebook)
    before = processes()
    proc = validate(course, notebook)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout + proc.stderr
    assert "Validating" in proc.stderr and "FAILED" not in proc.stdout
    if AS_ROOT:
        assert wait_for_no_leftovers(before) == {}


def test_kernelspec(tmp_path):
    where = Path(kernel.install_kernelspec(prefix=str(tmp_path)))
    assert where == tmp_path / "share" / "jupyter" / "kernels" / kernel.KERNEL_NAME
    spec = json.loads((where / "kernel.json").read_text())
    assert spec["display_name"] == "Python 3 (sandbox do autograder)"
    assert spec["language"] == "python" and spec["interrupt_mode"] == "message"
    assert spec["argv"] == [sys.executable, "-I", "-m", "autograder.nbgrader_plugin.kernel", "-f", "{connection_file}"]


def test_course_config_uses_the_sandboxed_kernel_and_installs_nothing(tmp_path, monkeypatch, capfd):
    from traitlets.config import Config

    from autograder.nbgrader_plugin import configure

    c = Config()
    configure(c)
    assert c.Execute.kernel_name == kernel.KERNEL_NAME
    assert c.KernelManager.transport == "ipc"
    assert kernel.kernelspec_problem() is None  # `make` installed it
    # Reading the configuration writes nothing (the installed kernelspec is untouched) ...
    kernels = Path(sys.prefix) / "share" / "jupyter" / "kernels"
    before = {p: p.stat().st_mtime_ns for p in kernels.rglob("*")}
    configure(Config())
    assert {p: p.stat().st_mtime_ns for p in kernels.rglob("*")} == before
    # ... and when the kernelspec is missing it only says how to install it, in one line.
    monkeypatch.setattr(kernel, "kernelspec_problem", lambda: "the autograder-sandbox kernelspec is not installed")
    capfd.readouterr()
    configure(Config())
    warning = capfd.readouterr().err.strip()
    assert "autograder install-kernel" in warning and len(warning.splitlines()) == 1


def test_install_kernel_command_installs_the_kernelspec(tmp_path):
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "autograder"), "install-kernel", "--prefix", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "share" / "jupyter" / "kernels" / kernel.KERNEL_NAME / "kernel.json").exists()


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_killing_the_launcher_kills_the_sandbox(tmp_path, transport):
    """SIGKILL to the launcher's group (what jupyter_client's kill does): nothing survives or is left."""
    from jupyter_client.manager import KernelManager

    assert kernel.kernelspec_problem() is None
    km = KernelManager(kernel_name=kernel.KERNEL_NAME, transport=transport)
    before = processes()
    cwd = os.getcwd()
    os.chdir(tmp_path)  # the relative ipc prefix lands here
    try:
        km.start_kernel(env=dict(os.environ, AUTOGRADER_REQUIRE_SANDBOX="1"))
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            out = []
            reply = kc.execute_interactive(
                f"import os, subprocess; subprocess.Popen(['sleep', '{MARKER}'], start_new_session=True); "
                "print(os.getuid())",
                timeout=30,
                output_hook=lambda msg: out.append(msg["content"].get("text", "")),
            )
            assert reply["content"]["status"] == "ok"
            if AS_ROOT:
                assert sandbox_uid("".join(out).strip())
                assert leftovers(before), "the kernel and its child should be running"
            os.killpg(km.provisioner.pgid, signal.SIGKILL)
            if AS_ROOT:
                assert wait_for_no_leftovers(before) == {}
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    finally:
        os.chdir(cwd)
    deadline = time.monotonic() + 10  # the janitor removes the links and the private folder
    while list(tmp_path.glob("kernel-ipc-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.iterdir()) == []
