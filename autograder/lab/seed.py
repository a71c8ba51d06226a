"""The demo state that `make lab` starts from: a course copy, a local exchange, simulated students.

On first start (or after ``--reset``) the state folder (``.lab/`` at the
repository root, git-ignored) gets:

- ``course/``: the course (``nbgrader_config.py``, ``solutions/``, the course
  secret) with ``c.Exchange.root`` pointing at ``exchange/``; both assignments
  generated and released, and the simulated students' submissions collected
  (not autograded: the instructor does that from the formgrader);
- ``exchange/``: the local exchange (mode 777, like ``/srv/nbgrader/exchange``);
- ``students/<name>/``: one home per simulated student (fetch, answer, submit
  were real nbgrader commands), plus the home of the interactive student whose
  JupyterLab `make lab` also starts.

Every step is nbgrader's own code (its API and exchange classes, in this
process, to save a Python start per command), so the state is what a class
would produce with the same commands.
"""

import contextlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeError, ExchangeFactory
from traitlets.config import Config, PyFileConfigLoader

from ..course import ASSIGNMENTS
from ..demo import COURSE_ID, STUDENTS, answer, make_course, student_home

STAMP = ".seeded"
#: the student who uses the second JupyterLab (Assignment List, Validate, Submit)
INTERACTIVE_STUDENT = "dani"
#: names for the formgrader's tables (first, last)
NAMES = {"ana": ("Ana", "Lima"), "bruno": ("Bruno", "Costa"), "carla": ("Carla", "Dias"), "dani": ("Daniela", "Rocha")}


@dataclass
class LabState:
    state: Path  # .lab/
    course: Path  # .lab/course: the nbgrader course root (instructor's server root)
    exchange: Path  # .lab/exchange
    students: Path  # .lab/students

    def home(self, student):
        return self.students / student

    @property
    def log(self):
        return self.state / "seed.log"


def state_of(state_dir):
    state_dir = Path(state_dir).resolve()
    return LabState(state_dir, state_dir / "course", state_dir / "exchange", state_dir / "students")


def is_seeded(state_dir):
    return (Path(state_dir) / STAMP).exists()


def seed(course_root, state_dir, students=STUDENTS, interactive=(INTERACTIVE_STUDENT,), say=print):
    """Build the demo state in ``state_dir`` unless it is already there; return its paths.

    ``students`` maps a name to ``(label, persona)`` as in ``autograder.demo.STUDENTS``
    (persona: reference, stubs or mistakes); their submissions are collected.
    ``interactive`` names students who only get a home, for a student JupyterLab.
    """
    lab = state_of(state_dir)
    if is_seeded(lab.state):
        return lab
    if lab.state.exists():  # a half-built state from an interrupted first start
        shutil.rmtree(lab.state)
    lab.state.mkdir(parents=True)
    (lab.state / ".gitignore").write_text("*\n")
    course, exchange = make_course(Path(course_root), lab.state)
    with open(lab.log, "w") as log, venv_on_path():
        instructor = Nbgrader(course, log)
        for a in ASSIGNMENTS:
            instructor.api("generate_assignment", a)
            instructor.api("release_assignment", a)
        say(f"  tarefas {', '.join(ASSIGNMENTS)} geradas e liberadas na troca {exchange}")
        for student, (label, persona) in students.items():
            home = student_home(lab.state, student, exchange)
            for a in ASSIGNMENTS:
                student_exchange(home, exchange, a, student, "FetchAssignment", log)
                source_nb = nbformat.read(course / "solutions" / a / f"{a}.ipynb", as_version=4)
                answer(home / a / f"{a}.ipynb", persona, source_nb)
                student_exchange(home, exchange, a, student, "Submit", log)
            say(f"  {student} ({label}) buscou, respondeu e enviou as duas tarefas")
        for a in ASSIGNMENTS:
            instructor.api("collect", a)
        say("  envios coletados (corrija-os pelo Formgrader)")
        for student in interactive:
            interactive_home(lab, student)
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
            for student in [*students, *interactive]:
                first, last = NAMES.get(student, (student.capitalize(), ""))
                gb.update_or_create_student(student, first_name=first, last_name=last)
    (lab.state / STAMP).write_text("ok\n")
    return lab


class SeedFailed(RuntimeError):
    pass


@contextlib.contextmanager
def venv_on_path():
    """nbgrader runs `alembic` from PATH when it opens a gradebook: the one beside this Python."""
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + saved
    try:
        yield
    finally:
        os.environ["PATH"] = saved


class Nbgrader:
    """nbgrader's own API on a course folder, in this process (what `nbgrader <cmd>` runs, minus
    a Python start per command): the course's nbgrader_config.py and nothing else."""

    def __init__(self, course, log):
        self.config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        self.config.CourseDirectory.root = str(course)
        self.config.CollectApp.check_owner = False  # one unix user submits for every simulated student
        self.log = log

    def api(self, method, *args):
        coursedir = CourseDirectory(config=self.config)
        result = getattr(NbGraderAPI(coursedir, Authenticator(config=self.config), config=self.config), method)(*args)
        self.log.write(f"$ {method} {' '.join(args)}\n{result.get('log', '')}{result.get('error', '')}\n")
        if not result["success"]:
            raise SeedFailed(f"nbgrader {method} {' '.join(args)} failed:\n{result.get('error')}")
        return result


def student_exchange(home, exchange, assignment, student, action, log):
    """``nbgrader fetch_assignment`` / ``submit --student=<student>`` run from the student's ``home``."""
    config = Config()
    config.CourseDirectory.course_id = COURSE_ID
    config.CourseDirectory.root = str(home)
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student
    config.Exchange.root = str(exchange)
    config.Exchange.assignment_dir = str(home)
    factory = ExchangeFactory(config=config)
    app = getattr(factory, action)(
        coursedir=CourseDirectory(config=config), authenticator=Authenticator(config=config), config=config
    )
    try:
        app.start()
    except ExchangeError as exc:
        raise SeedFailed(f"{action} {assignment} as {student} failed: {exc}") from exc
    log.write(f"$ {action} {assignment} --student={student}\n")


def interactive_home(lab, student):
    """A student's home for a student JupyterLab: fetches land here, submits go as ``student``."""
    home = lab.home(student)
    if not (home / "nbgrader_config.py").exists():
        home.mkdir(parents=True, exist_ok=True)
        (home / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(lab.exchange)!r}\n"
            "# one server per student here; on JupyterHub the submitter is the unix user\n"
            f"c.CourseDirectory.student_id = {student!r}\n"
        )
    return home
