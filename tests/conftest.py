"""The test suite's shared set-up: the data set's cache, a PostgreSQL server, and one real JupyterHub.

Offline machines keep scikit-learn's cached California housing beside the
clone (../shared/data/scikit_learn_data, as CI does); SCIKIT_LEARN_DATA, if
set, wins.

One real JupyterHub for every hub test (tests/test_hub*.py), started once per session:

Real Unix accounts (prefix ``agh<random>-``, so concurrent runs never collide;
removed at the end with their homes, group and ACL grants), a free port, the
real configurable-http-proxy, PAM logins. Needs root; without it the hub tests
skip, or fail when ``AUTOGRADER_REQUIRE_HUB=1`` (CI).
"""

import os
import secrets
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from pgserver import PostgresServer, PostgresUnavailable

from autograder.hub import accounts, deploy, run
from autograder.lab.server import free_port

_SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "scikit_learn_data"
if _SHARED_DATA.is_dir():  # before any test loads the data set (data loads lazily, at first use)
    os.environ.setdefault("SCIKIT_LEARN_DATA", str(_SHARED_DATA))

# Student code judged in this process (tests/test_exercises.py) runs on one thread, as in the grading
# processes (OMP_NUM_THREADS=1): small models train many times faster than with threads competing for cores.
# The processes the tests start (Jupyter kernels, stock nbgrader, servers) inherit it: two test workers on
# two cores, each starting processes whose PyTorch spins two threads, ran a source notebook 5.7x slower
# (92 s against 16 s, measured beside two busy cores).
os.environ.setdefault("OMP_NUM_THREADS", "1")
torch.set_num_threads(1)

COURSE = "pytorch-redes-neurais"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "hub"


@dataclass
class TestHub:
    url: str
    plan: deploy.Plan
    hub: run.Hub
    prefix: str

    def name(self, short):
        return f"{self.prefix}-{short}"

    def password(self, short):
        return next(a.password for a in self.plan.accounts if a.name == self.name(short))

    def session(self, short):
        from hub_client import HubSession

        s = HubSession(self.url, self.name(short), self.password(short))
        assert s.logged_in, f"{short} could not log in: {s.login_response.status_code}"
        return s

    @property
    def state(self):
        return self.plan.state

    @property
    def exchange(self):
        return self.plan.state / "exchange" / COURSE

    def home(self, short):
        return self.plan.home_base / self.name(short)


def hub_missing():
    if os.geteuid() != 0:
        return "the hub tests need root (real Unix accounts, PAM, servers run as each user)"
    if not deploy.find_chp():
        return "configurable-http-proxy is missing: make proxy (npm ci)"
    for tool in ("useradd", "setfacl", "runuser"):
        if not shutil.which(tool):
            return f"{tool} is missing: scripts/system-deps.sh"
    return None


@pytest.fixture(scope="session")
def hub():
    missing = hub_missing()
    if missing:
        if os.environ.get("AUTOGRADER_REQUIRE_HUB") == "1":
            pytest.fail(f"hub tests required (AUTOGRADER_REQUIRE_HUB=1) but {missing}")
        pytest.skip(missing)
    prefix = "agh" + secrets.token_hex(2)
    base = Path(tempfile.mkdtemp(prefix="autograder-hub-test-"))
    base.chmod(0o755)  # the accounts' homes live below
    people = [
        accounts.Account(f"{prefix}-{short}", role, accounts.new_password())
        for short, role in (
            ("prof", "instrutor"),
            ("ta", "monitor"),
            ("ana", "aluno"),
            ("bia", "aluno"),
            ("caio", "aluno"),
        )
    ]
    plan = deploy.Plan(
        state=base / "state",
        course_id=COURSE,
        accounts=people,
        grader=f"{prefix}-grader",
        home_base=base / "home",
        port=free_port(),
        group=f"{prefix}-hub",
        precheck_limit=2,
    )
    running = None
    try:
        deploy.deploy(plan)
        running = run.start_hub(plan.state)
        yield TestHub(running.url, plan, running, prefix)
    finally:
        if running is not None:
            running.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for log in (plan.state / "logs").glob("*.log"):
            shutil.copy(log, ARTIFACTS / log.name)
        deploy.undeploy(plan.state, [a.name for a in people] + [plan.grader], plan.group)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def released(hub):
    """tensors_autograd released by the instructor, through the formgrader service."""
    prof = hub.session("prof")
    r = prof.post(f"/services/{COURSE}/formgrader/api/assignment/tensors_autograd/release")
    assert r.status_code == 200 and r.json()["success"], r.text
    return "tensors_autograd"


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session (see pgserver.py). Without one, the tests that need it fail:
    `make test` installs Debian's postgresql (scripts/system-deps.sh)."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL gradebook tests need a server: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def new_postgres_gradebook(postgres):
    """A factory: each call creates an empty database and returns its URL, for one course's gradebook."""
    return lambda: postgres.create_database(f"gradebook_{uuid.uuid4().hex[:12]}")
