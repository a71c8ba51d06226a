"""`autograder autograde --cluster ADDRESS` on a real Dask cluster: a `dask scheduler` and two `dask worker`
processes (each with its nanny, one thread) started here, on a free port.

Against `--workers` on the same class (same course secret): the same scores in nbgrader's gradebook, the
same per-check verdicts, the same failure line for a broken notebook; a rerun skips; Ctrl-C loses nothing;
a worker killed mid-submission costs a retry, not a lost or doubled record; the secret reaches no log and
no worker's disk; the client unpickles nothing a worker sends; an unreachable scheduler is one line.
"""

import io
import os
import re
import shutil
import signal
import subprocess
import time

import nbformat
import psutil
import pytest
from classroom import A, autograde, default_sigint, gradebook_scores, integrity, make_class
from daskcluster import LocalDaskCluster
from support import AUTOGRADER

from autograder.classgrade.autograde import SubmissionFailed
from autograder.classgrade.cluster import DaskCluster, Sealed, check_worker, decode, grade_task, package_fingerprint
from autograder.cli import main
from autograder.engine import secret as course_secrets
from autograder.engine.results import read_record
from autograder.engine.sandbox import UID_BASE
from autograder.lab.server import free_port
from autograder.settings import resolve

pytestmark = pytest.mark.xdist_group("dask")


def is_student_process(proc):
    """As root, student processes run as leased uids (a worker's idle fork server does not); else in a bwrap."""
    return proc.uids().real >= UID_BASE if os.getuid() == 0 else proc.name() == "bwrap"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with LocalDaskCluster(tmp_path_factory.mktemp("dask"), workers=2) as running:
        yield running


def progress_lines(proc):
    return [line for line in proc.stderr.splitlines() if re.match(r"\[\d+/\d+\]", line)]


def failures(proc):
    return sorted(line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("falhou:"))


def verdicts(course):
    """student -> the engine's per-check verdicts in their autograded notebook."""
    out = {}
    for path in (course / "autograded").glob(f"*/{A}/{A}.ipynb"):
        record = read_record(nbformat.read(path, as_version=4))
        out[path.parent.parent.name] = {
            exercise: [(c.name, c.points, c.message) for c in checks] for exercise, checks in record.checks.items()
        }
    return out


@pytest.mark.slow
def test_cluster_grades_as_local_workers_do(cluster, tmp_path):
    (tmp_path / "a").mkdir()
    course, expected = make_class(tmp_path / "a", 4)
    broken = course / "submitted" / "broken" / A
    broken.mkdir(parents=True)
    (broken / f"{A}.ipynb").write_text("{ not json")
    secret = course_secrets.course_secret(course)  # one secret for both copies: the same hidden inputs
    twin = tmp_path / "b" / "course"
    shutil.copytree(course, twin)

    local = autograde(course, "--workers", "2")
    remote = autograde(twin, "--cluster", cluster.address)
    assert local.returncode == remote.returncode == 1, remote.stdout + remote.stderr
    assert f"cluster {cluster.address}: 2 worker(s)" in remote.stderr
    assert gradebook_scores(twin) == gradebook_scores(course) == expected
    assert verdicts(twin) == verdicts(course) and len(verdicts(twin)) == len(expected)
    # failure isolation: the broken notebook is reported in the same words, the others are graded
    assert failures(remote) == [line.replace(str(course), str(twin)) for line in failures(local)]
    assert re.search(r"falhou: broken/tensors_autograd: BadSubmission: .*not a Jupyter notebook", remote.stdout)
    assert f"{len(expected)} corrigidas, 0 já corrigidas antes, 1 com falha" in remote.stdout
    assert len(progress_lines(remote)) == len(expected) + 1
    assert integrity(twin) == "ok"

    # resume: a rerun skips what is graded (and tries the broken one again); --force grades again
    again = autograde(twin, "--cluster", cluster.address)
    assert f"0 corrigidas, {len(expected)} já corrigidas antes, 1 com falha" in again.stdout, again.stdout
    forced = autograde(twin, "--cluster", cluster.address, "--force", "--student", "err01")
    assert forced.returncode == 0 and "1 corrigidas" in forced.stdout, forced.stdout + forced.stderr
    assert gradebook_scores(twin) == expected

    # the course secret reached the workers in memory only: in no log, in no worker's local directory
    for path in cluster.folder.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path
    assert secret.decode() not in remote.stdout + remote.stderr


@pytest.mark.slow
def test_an_interrupted_cluster_run_loses_nothing_and_resumes(cluster, tmp_path):
    course, expected = make_class(tmp_path, 6, pace=1.0)
    proc = subprocess.Popen(
        [AUTOGRADER, "autograde", A, "--cluster", cluster.address],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    autograded = course / "autograded"
    deadline = time.monotonic() + 180
    while len(list(autograded.glob(f"*/{A}/{A}.ipynb"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    done_before = {p.parent.parent.name for p in autograded.glob(f"*/{A}/{A}.ipynb")}
    assert 2 <= len(done_before) < len(expected), (out, err)
    assert proc.returncode == 130 and "interrompido" in err, err
    assert integrity(course) == "ok"
    partial = gradebook_scores(course)
    assert {s: partial[s] for s in done_before} == {s: expected[s] for s in done_before}
    resumed = autograde(course, "--cluster", cluster.address)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"{len(expected) - len(done_before)} corrigidas, {len(done_before)} já corrigidas antes" in resumed.stdout
    assert gradebook_scores(course) == expected


@pytest.mark.slow
def test_a_worker_killed_mid_submission_costs_a_retry(tmp_path):
    (tmp_path / "class").mkdir()
    course, expected = make_class(tmp_path / "class", 4, pace=1.0)
    with LocalDaskCluster(tmp_path / "dask", workers=2) as cluster:
        proc = subprocess.Popen(
            [AUTOGRADER, "autograde", A, "--cluster", cluster.address],
            cwd=course,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        victim, deadline = None, time.monotonic() + 120
        while victim is None and time.monotonic() < deadline and proc.poll() is None:
            for worker in cluster.worker_processes():  # one that is grading: a student process runs under it
                try:
                    if any(is_student_process(p) for p in worker.children(recursive=True)):
                        victim = worker
                        break
                except psutil.NoSuchProcess:
                    continue
            time.sleep(0.05)
        assert victim is not None, "no worker was seen grading"
        graded_then = len(list((course / "autograded").glob(f"*/{A}/{A}.ipynb")))
        victim.kill()
        out, err = proc.communicate(timeout=600)
        scheduler_log = cluster.log("scheduler")
    assert graded_then < len(expected)
    assert proc.returncode == 0, out + err
    assert re.search(r"[Rr]emove worker .*w[01]", scheduler_log), scheduler_log[-2000:]
    # every submission recorded once, with the right score
    students = [line.split()[1].split("/")[0] for line in err.splitlines() if re.match(r"\[\d+/\d+\]", line)]
    assert sorted(students) == sorted(expected), err
    assert f"{len(expected)} corrigidas, 0 já corrigidas antes, 0 com falha" in out
    assert gradebook_scores(course) == expected
    assert integrity(course) == "ok"


@pytest.mark.slow
def test_the_client_unpickles_nothing_a_worker_sends(cluster, tmp_path):
    marker = tmp_path / "unpickled-on-the-client"

    def answer():
        class Payload:  # what a compromised worker could send: unpickling it would run a call
            def __reduce__(self):
                return (os.mkdir, (str(marker),))

        return Payload()

    executor = DaskCluster(cluster.address)
    executor.open(resolve(course_root=tmp_path, secret=b"s"), io.StringIO())
    try:
        future = executor.client.submit(answer, pure=False)
        with pytest.raises(Exception, match="deserialize"):
            future.result(timeout=60)
        assert executor.client.submit(lambda: b"plain bytes", pure=False).result(timeout=60) == b"plain bytes"
    finally:
        executor.close()
    assert not marker.exists()


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys):
    course, _ = make_class(tmp_path, 1)
    env = dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s")
    start = time.monotonic()
    proc = autograde(course, "--cluster", f"tcp://127.0.0.1:{free_port()}", env=env, timeout=120)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("autograder: error:")]
    assert len(errors) == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:" in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr and time.monotonic() - start < 60
    assert not (course / "autograded").exists()
    with pytest.raises(SystemExit):  # one or the other
        main(["--course", str(course), "autograde", A, "--workers", "2", "--cluster", "tcp://127.0.0.1:1"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_worker_with_another_package_refuses_to_grade():
    sent = {"sandbox": False, "require_sandbox": False}
    assert "differs from the client's" in check_worker("0.0.0+000000000000", sent)["problem"]
    ready = check_worker(package_fingerprint(), sent)
    assert ready["problem"] is None and ready["sandboxed"] is False
    # a task reaching such a worker (one that joined after the check) answers one line, grades nothing
    with pytest.raises(SubmissionFailed, match="install the same version on every worker"):
        decode(grade_task({"fingerprint": "0.0.0+000000000000"}, None, Sealed(b"s")))


def test_the_secret_shows_in_no_repr():
    sealed = Sealed(b"the-course-secret")
    assert "the-course-secret" not in repr(sealed) + str(sealed) + repr([sealed]) + f"{sealed}"
    assert "the-course-secret" not in repr(resolve(secret=b"the-course-secret"))
    import pickle

    assert pickle.loads(pickle.dumps(sealed)).reveal() == b"the-course-secret"


def test_only_plain_json_grades_are_accepted():
    for raw in (b"not json", b"[]", b'{"notebook": {}}', b'{"notebook": {"cells": [], "metadata": {}}, "score": "1"}'):
        with pytest.raises(SubmissionFailed):
            decode(raw)
    with pytest.raises(SubmissionFailed, match="BadSubmission: x"):
        decode(b'{"error": "BadSubmission: x"}')
    graded = decode(
        b'{"notebook": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, '
        b'"score": 1, "max_score": 2, "seconds": 0.5}'
    )
    assert (graded.score, graded.max_score, graded.seconds, graded.notebook.cells) == (1.0, 2.0, 0.5, [])
