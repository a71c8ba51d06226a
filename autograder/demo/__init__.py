"""`autograder demo`: the whole nbgrader cycle, in a temporary course, on three simulated students.

generate -> release (to a temporary exchange) -> fetch and submit as each
student -> collect -> autograde (the engine, through nbgrader's pipeline) ->
generate_feedback -> export CSV. Every step is a real nbgrader command.
"""

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from ..course import ASSIGNMENTS
from . import personas

COURSE_ID = "pytorch-redes-neurais"
STUDENTS = {
    "ana": ("respostas de referência", "reference"),
    "bruno": ("stubs sem alteração", "stubs"),
    "carla": ("erros típicos", "mistakes"),
}


class StepFailed(RuntimeError):
    pass


def nbgrader_env():
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)  # nbgrader calls alembic from PATH
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return env


def nbgrader(args, cwd, log):
    cmd = [str(Path(sys.executable).parent / "nbgrader"), *args]
    proc = subprocess.run(cmd, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)
    log.write(f"$ nbgrader {' '.join(args)}   (in {cwd})\n{proc.stdout}{proc.stderr}\n")
    if proc.returncode != 0:
        raise StepFailed(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}); see {log.name}")
    return proc


def make_course(course_root, work):
    """Copy the course (config + sources) into ``work``; point its exchange at a temp folder."""
    course, exchange = work / "course", work / "exchange"
    course.mkdir()
    exchange.mkdir()
    exchange.chmod(0o777)
    shutil.copy(course_root / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(course_root / "solutions", course / "solutions")
    secret = course_root / ".autograder_secret"
    if secret.exists():
        shutil.copy(secret, course / ".autograder_secret")
    with open(course / "nbgrader_config.py", "a") as f:
        f.write(f"\n# demo: a private exchange\nc.Exchange.root = {str(exchange)!r}\n")
    return course, exchange


def student_home(work, student, exchange):
    home = work / "students" / student
    home.mkdir(parents=True)
    (home / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(exchange)!r}\n"
    )
    return home


def answer(notebook_path, persona, source_nb):
    nb = nbformat.read(notebook_path, as_version=4)
    if persona == "reference":
        personas.fill(nb, personas.reference_answers(source_nb))
    elif persona == "mistakes":
        personas.fill(nb, personas.mistakes())
    nbformat.write(nb, notebook_path)


def run_demo(course_root, keep=False, out=sys.stdout):
    course_root = Path(course_root)
    work = Path(tempfile.mkdtemp(prefix="autograder-demo-"))
    start = time.monotonic()
    say = lambda msg: print(msg, file=out, flush=True)  # noqa: E731
    log_path = work / "nbgrader.log"
    try:
        with open(log_path, "w") as log:
            course, exchange = make_course(course_root, work)
            say(f"[1/7] curso temporário em {course}")
            for a in ASSIGNMENTS:
                nbgrader(["generate_assignment", a, "--force"], course, log)
                nbgrader(["release_assignment", a, "--force"], course, log)
            say(f"[2/7] tarefas geradas e liberadas na troca {exchange}")
            for student, (label, persona) in STUDENTS.items():
                home = student_home(work, student, exchange)
                for a in ASSIGNMENTS:
                    nbgrader(["fetch_assignment", a], home, log)
                    source_nb = nbformat.read(course / "solutions" / a / f"{a}.ipynb", as_version=4)
                    answer(home / a / f"{a}.ipynb", persona, source_nb)
                    nbgrader(["submit", a, f"--student={student}"], home, log)
                say(f"[3/7] {student} ({label}) buscou, respondeu e enviou as {len(ASSIGNMENTS)} tarefas")
            for a in ASSIGNMENTS:
                nbgrader(["collect", a], course, log)
            say("[4/7] envios coletados")
            for a in ASSIGNMENTS:
                t = time.monotonic()
                nbgrader(["autograde", a, "--force"], course, log)
                say(f"[5/7] {a} corrigida pelo motor ({time.monotonic() - t:.0f} s)")
            for a in ASSIGNMENTS:
                nbgrader(["generate_feedback", a, "--force"], course, log)
            say("[6/7] feedback gerado")
            csv_path = work / "grades.csv"
            nbgrader(["export", "--to", str(csv_path)], course, log)
            say(f"[7/7] notas exportadas para {csv_path}")
    except StepFailed as exc:
        say(f"autograder demo: error: {exc}")
        return 1
    say("")
    say(summary(csv_path))
    say("")
    say(messages_of(course, "carla"))
    say("")
    say("Feedback (HTML, um por aluno e tarefa):")
    for path in sorted((course / "feedback").glob("*/*/*.html")):
        say(f"  {path}")
    say(f"\nPasta da demonstração: {work}  (log dos comandos nbgrader: {log_path})")
    say(f"Tempo total: {time.monotonic() - start:.0f} s")
    say(
        "Próximos passos: abra um dos arquivos de feedback no navegador; para a turma real, siga "
        "'For instructors' no README (nbgrader release_assignment / collect / autograde) ou rode `make lab`."
    )
    return 0


def summary(csv_path):
    """The grade table: one row per student, a column per assignment, and the total."""
    scores = {}
    with open(csv_path) as f:
        for row in csv.DictReader(f):
            scores.setdefault(row["student_id"], {})[row["assignment"]] = (float(row["score"]), float(row["max_score"]))
    names = list(ASSIGNMENTS)
    header = f"{'aluno':<28}" + "".join(f"{a:>20}" for a in names) + f"{'total':>12}"
    lines = [header, "-" * len(header)]
    for student, (label, _) in STUDENTS.items():
        row = scores.get(student, {})
        cells = [row.get(a, (0.0, ASSIGNMENTS[a].points)) for a in names]
        total = sum(s for s, _ in cells)
        lines.append(
            f"{student + ' (' + label + ')':<28}"
            + "".join(f"{s:>14g} / {m:<3g}" for s, m in cells)
            + f"{total:>7g} / {sum(m for _, m in cells):g}"
        )
    return "\n".join(lines)


def messages_of(course, student):
    """The engine's messages for one student, read back from the autograded notebooks."""
    lines = [f"Mensagens do motor para {student}:"]
    for a in ASSIGNMENTS:
        nb = nbformat.read(course / "autograded" / student / a / f"{a}.ipynb", as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    lines.extend("  " + line for line in output["text"].splitlines())
    return "\n".join(lines)
