"""`make lab`: JupyterLab for the course, with nbgrader's extensions, a local exchange and demo data.

    python -m autograder.lab [--reset] [--port 8888] [--student-port 8889] [--no-student] [--stock]

On first start it seeds ``.lab/`` (see ``autograder.lab.seed``), then starts
two JupyterLab servers on localhost and prints their addresses:

- the instructor's, on the course copy ``.lab/course`` (Formgrader, Create
  Assignment, Assignment List, Validate; our ``autograder.lab`` extension);
- a student's (``dani``), on ``.lab/students/dani``: Assignment List to fetch,
  Validate, Submit; the instructor then collects and autogrades in Formgrader.

Both share the exchange ``.lab/exchange``. Ctrl+C stops them; the state stays
for the next start (``--reset`` starts over).
"""

import argparse
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

from .seed import INTERACTIVE_STUDENT, seed, state_of
from .server import start_lab


def find_course_root():
    for base in [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]]:
        if (base / "nbgrader_config.py").exists() and (base / "solutions").is_dir():
            return base
    sys.exit("autograder.lab: no course here (a folder with nbgrader_config.py and solutions/)")


def port_or_free(port, ip):
    with socket.socket() as s:
        try:
            s.bind((ip, port))
            return port
        except OSError:
            s.bind((ip, 0))
            return s.getsockname()[1]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.lab", description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, help="course root (default: this repository)")
    parser.add_argument("--state", type=Path, help="state folder (default: <course>/.lab)")
    parser.add_argument("--reset", action="store_true", help="delete the state folder and seed it again")
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8888, help="instructor's JupyterLab (default 8888)")
    parser.add_argument("--student-port", type=int, default=8889, help="student's JupyterLab (default 8889)")
    parser.add_argument("--no-student", action="store_true", help="start only the instructor's JupyterLab")
    parser.add_argument(
        "--stock",
        action="store_true",
        help="without the autograder.lab extension (stock nbgrader handlers, for comparison)",
    )
    parser.add_argument("--seed-only", action="store_true", help="seed the state folder and exit")
    args = parser.parse_args(argv)

    course_root = (args.course or find_course_root()).resolve()
    state_dir = (args.state or course_root / ".lab").resolve()
    if args.reset and state_dir.exists():
        shutil.rmtree(state_dir)
    lab = state_of(state_dir)
    if not (state_dir / ".seeded").exists():
        print(f"Primeiro início: preparando o estado de demonstração em {state_dir} ...", flush=True)
        t = time.monotonic()
        seed(course_root, state_dir, say=lambda m: print(m, flush=True))
        print(f"  pronto em {time.monotonic() - t:.0f} s", flush=True)
    if args.seed_only:
        return 0

    servers = []
    try:
        instructor = start_lab(
            lab.course,
            lab.state / "jupyter" / "instrutor",
            lab.state / "logs" / "instrutor.log",
            port=port_or_free(args.port, args.ip),
            ip=args.ip,
            ours=not args.stock,
        )
        servers.append(instructor)
        show = lambda s, path="lab": (
            s.lab_url(path).replace("127.0.0.1", "localhost") if args.ip == "127.0.0.1" else s.lab_url(path)
        )  # noqa: E731
        print("\nJupyterLab do curso (nbgrader: Formgrader, Create Assignment, Assignment List, Validate)")
        print(f"  Professor(a):   {show(instructor)}")
        print(f"                  menu Nbgrader > Formgrader; em aba própria: {show(instructor, 'formgrader')}")
        if not args.no_student:
            home = lab.home(INTERACTIVE_STUDENT)
            student = start_lab(
                home,
                lab.state / "jupyter" / INTERACTIVE_STUDENT,
                lab.state / "logs" / f"{INTERACTIVE_STUDENT}.log",
                port=port_or_free(args.student_port, args.ip),
                ip=args.ip,
                ours=not args.stock,
                instructor=False,
            )
            servers.append(student)
            print(f"  Aluno(a) {INTERACTIVE_STUDENT}:  {show(student)}")
            print("                  menu Nbgrader > Assignment List: Fetch, editar, Validate, Submit")
        print(f"\nTroca local: {lab.exchange}    logs: {lab.state / 'logs'}")
        print(
            "Extensão autograder.lab: "
            + ("DESLIGADA (--stock)" if args.stock else "ligada (correção fora do laço de eventos do servidor)")
        )
        print("Ctrl+C para parar. O estado fica em .lab/ para o próximo início (--reset recomeça).", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(s.alive() for s in servers):
            time.sleep(1)
        dead = next(s for s in servers if not s.alive())
        print(f"jupyter lab saiu (código {dead.proc.returncode}); log: {dead.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for s in servers:
            s.stop()


if __name__ == "__main__":
    sys.exit(main())
