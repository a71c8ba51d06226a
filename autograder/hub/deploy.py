"""Lay out a hub for the course: accounts, the course folder, the closed exchange, the configs.

``deploy(plan)`` (root only) builds, under ``plan.state``:

| path | owner, mode | what |
| --- | --- | --- |
| ``hub/`` | root 0700 | ``hub.json`` (read by ``jupyterhub_config.py``), the hub's database, cookie secret, logs |
| ``service/`` | root 0700 | the autograder service's config and the pre-check results |
| ``course/`` | grading account 0700 | the nbgrader course (config, ``solutions/``, ``assignments/``, gradebook, secret) |
| ``exchange/`` | root 0755 | the exchange root: one folder per course, nothing else |
| ``exchange/<course>/`` | grading account 0700 | outbound, inbound, feedback (see ``autograder.hub.exchange``) |
| ``jupyter/users/`` | root 0755, read-only | Jupyter config for every user's server (``JUPYTER_CONFIG_PATH``) |
| ``jupyter/grader/`` | grading account 0700 | the formgrader service's Jupyter config |

and the Unix accounts of ``plan.accounts`` (homes in ``plan.home_base``, mode 0700).
"""

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..course import ASSIGNMENTS
from ..lab.server import INSTRUCTOR_PLUGINS, QUIET_PLUGINS, free_port
from . import accounts

SERVICE = "autograder"  # the hub service: closed exchange + feedback on submit
HERE = Path(__file__).resolve().parent
#: JUPYTER_PATH entry holding our JupyterLab panel (labextensions/@autograder/hub-precheck)
JUPYTER_DATA = HERE / "jupyter_data"
REPO = HERE.parents[1]
NAMES = {"instrutor": ("Professora", ""), "monitor": ("Monitor", "")}


@dataclass
class Plan:
    state: Path
    course_id: str
    accounts: list  # accounts.Account: instrutor, monitor, aluno (+ the grading account)
    grader: str  # the course's grading account (runs the formgrader service)
    home_base: Path = Path("/home")
    ip: str = "127.0.0.1"
    port: int = 8000
    ports: dict = field(default_factory=dict)  # hub_api, proxy_api, service, formgrader (free ones if missing)
    precheck_limit: int = 3
    precheck_window_s: float = 24 * 3600
    course_source: Path = REPO
    chp: str = ""
    group: str = "autograder-hub"  # Unix group of all the hub's accounts

    def names(self, role):
        return [a.name for a in self.accounts if a.role == role]

    @property
    def students_group(self):
        return f"nbgrader-{self.course_id}"

    @property
    def staff_group(self):
        return f"formgrade-{self.course_id}"

    @property
    def url(self):
        host = "localhost" if self.ip == "127.0.0.1" else self.ip
        return f"http://{host}:{self.port}"


def find_chp():
    """configurable-http-proxy: the project's npm install (``make proxy``), else one on PATH."""
    local = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    return shutil.which("configurable-http-proxy") or ""


def venv_bin():
    return Path(sys.executable).parent  # not resolved: .venv/bin/python is a link to the base Python


def deploy(plan):
    accounts.require_root("the hub")
    state = Path(plan.state).resolve()
    plan.state = state
    for key in ("hub_api", "proxy_api", "service", "formgrader"):
        plan.ports.setdefault(key, free_port())
    plan.chp = plan.chp or find_chp()
    if not plan.chp:
        raise accounts.AccountError(
            "configurable-http-proxy not found: run `make proxy` (npm ci) or `npm install -g configurable-http-proxy`"
        )
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    for name, mode in (("hub", 0o700), ("service", 0o700), ("logs", 0o700), ("exchange", 0o755), ("jupyter", 0o755)):
        (state / name).mkdir(exist_ok=True)
        os.chmod(state / name, mode)
    (state / ".gitignore").write_text("*\n")
    accounts.ensure_group(plan.group)
    grader = accounts.ensure(accounts.Account(plan.grader, "correcao"), plan.home_base / plan.grader, plan.group)
    owner = (grader.pw_uid, grader.pw_gid)
    for a in plan.accounts:
        accounts.ensure(a, plan.home_base / a.name, plan.group)
    # Every user's server runs this Python and this package: the group may reach them.
    granted = accounts.grant_traverse([os.path.realpath(sys.executable), sys.executable, REPO, plan.state], plan.group)
    write_private(state / "hub" / "acl.json", json.dumps({"group": plan.group, "folders": granted}))

    course = seed_course(plan, owner)
    exchange = state / "exchange" / plan.course_id
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o700)
    os.chown(exchange, *owner)
    write_user_config(plan, state / "jupyter" / "users")
    write_grader_config(plan, state / "jupyter" / "grader", owner)

    service_config = {
        "courses": {
            plan.course_id: {
                "root": str(course),
                "exchange": str(exchange),
                "students_group": plan.students_group,
                "staff_group": plan.staff_group,
            }
        },
        "state": str(state / "service"),
        "precheck_limit": plan.precheck_limit,
        "precheck_window_s": plan.precheck_window_s,
    }
    write_private(state / "service" / "config.json", json.dumps(service_config, indent=1))
    hub = {
        "ip": plan.ip,
        "port": plan.port,
        "ports": plan.ports,
        "state": str(state),
        "bin": str(venv_bin()),
        "python": sys.executable,
        "chp": plan.chp,
        "course_id": plan.course_id,
        "course": str(course),
        "grader": plan.grader,
        "service": SERVICE,
        "jupyter_data": str(JUPYTER_DATA),
        "instructors": plan.names("instrutor"),
        "tas": plan.names("monitor"),
        "students": plan.names("aluno"),
        "students_group": plan.students_group,
        "staff_group": plan.staff_group,
        "env": {k: os.environ[k] for k in ("SCIKIT_LEARN_DATA", "AUTOGRADER_REQUIRE_SANDBOX") if k in os.environ},
    }
    write_private(state / "hub" / "hub.json", json.dumps(hub, indent=1))
    write_private(
        state / "hub" / "accounts.json",
        json.dumps([{"conta": a.name, "senha": a.password, "papel": a.role} for a in plan.accounts], indent=1),
    )
    return hub


def undeploy(state, names, group):
    """Remove what ``deploy`` made: the accounts (``names`` and the grading account), the group, the
    traverse grants, the state folder."""
    pid_file = Path(state) / "hub" / "jupyterhub.pid"
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text())
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            pass
        else:
            raise accounts.AccountError(f"the hub is still running (pid {pid}): stop it first (Ctrl+C)")
    acl = Path(state) / "hub" / "acl.json"
    if acl.exists():
        grants = json.loads(acl.read_text())
        accounts.revoke_traverse(grants["folders"], grants["group"])
    for name in names:
        accounts.remove(name)
    accounts.remove_group(group)
    shutil.rmtree(state, ignore_errors=True)


def write_private(path, text, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def seed_course(plan, owner):
    """The nbgrader course for the grading account: config, sources, generated releases, gradebook."""
    from nbgrader.api import Gradebook

    from ..lab.seed import Nbgrader, venv_on_path

    course = plan.state / "course"
    stamp = course / ".seeded"
    if not stamp.exists():
        if course.exists():
            shutil.rmtree(course)
        course.mkdir()
        shutil.copy(plan.course_source / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(plan.course_source / "solutions", course / "solutions")
        with open(course / "nbgrader_config.py", "a") as f:
            f.write(f"""
# JupyterHub (autograder.hub): this course's closed exchange, see autograder/hub/exchange.py
c.CourseDirectory.course_id = {plan.course_id!r}
c.Exchange.root = {str(plan.state / "exchange")!r}
c.ExchangeFactory.release_assignment = "autograder.hub.exchange.ClosedReleaseAssignment"
c.ExchangeFactory.list = "autograder.hub.exchange.ClosedList"
c.ExchangeFactory.collect = "autograder.hub.exchange.ClosedCollect"
c.ExchangeFactory.release_feedback = "autograder.hub.exchange.ClosedReleaseFeedback"
""")
        write_private(course / ".autograder_secret", os.urandom(32).hex())
        with open(plan.state / "logs" / "seed.log", "w") as log, venv_on_path():
            nb = Nbgrader(course, log)
            for a in ASSIGNMENTS:
                nb.api("generate_assignment", a)
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=plan.course_id) as gb:
            for name in plan.names("aluno"):
                gb.update_or_create_student(name, first_name=name.split("-")[-1].capitalize(), last_name="")
        stamp.write_text("ok\n")
    for dirpath, dirnames, filenames in os.walk(course):
        for name in [dirpath, *(os.path.join(dirpath, f) for f in filenames)]:
            os.lchown(name, *owner)
    os.chmod(course, 0o700)
    return course


def write_user_config(plan, folder):
    """Every user's server: Assignment List, Validate, our panel; no formgrader; the closed exchange."""
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {
                    "jpserver_extensions": {"autograder.lab": True, "nbgrader.server_extensions.formgrader": False}
                }
            },
            indent=1,
        )
    )
    disabled = {p: True for p in QUIET_PLUGINS + INSTRUCTOR_PLUGINS}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
    (folder / "nbgrader_config.py").write_text(f"""c = get_config()
# JupyterHub (autograder.hub): the closed exchange, through the hub service {SERVICE!r}
c.ExchangeFactory.fetch_assignment = "autograder.hub.exchange.HubFetchAssignment"
c.ExchangeFactory.submit = "autograder.hub.exchange.HubSubmit"
c.ExchangeFactory.list = "autograder.hub.exchange.HubList"
c.ExchangeFactory.fetch_feedback = "autograder.hub.exchange.HubFetchFeedback"
c.Exchange.path_includes_course = False
""")
    for p in [folder, *folder.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


def write_grader_config(plan, folder, owner):
    """The formgrader service: our extension (grading off the event loop) and framing by the hub's own
    pages allowed, so JupyterLab's Formgrader tab is not blank (nbgrader#1870). Only this server."""
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {
                    "jpserver_extensions": {"autograder.lab": True},
                    "tornado_settings": {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}},
                }
            },
            indent=1,
        )
    )
    disabled = {p: True for p in QUIET_PLUGINS}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
    for p in [folder, *folder.rglob("*")]:
        os.chown(p, *owner)
        os.chmod(p, 0o700 if p.is_dir() else 0o600)
