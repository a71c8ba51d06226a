"""`make hub`: a real JupyterHub for the course on localhost, with real Unix accounts.

    python -m autograder.hub [--port 8000] [--state .hub] [--reset] [--remove]
                             [--precheck-limit 3] [--precheck-window-hours 24]

As root: creates (or takes back) the accounts professora (instructor), monitor
(TA), ana, bruno, carla (students) and the course's grading account
grader-pytorch; seeds the course and the closed exchange in ``.hub/``; starts
JupyterHub with configurable-http-proxy and the services (the course's
formgrader, our ``autograder`` service); prints one line per account and the
hub's address. Ctrl+C stops the hub; ``--remove`` deletes the accounts and
the state.
"""

import argparse
import json
import sys
from pathlib import Path

from . import accounts, deploy, run

COURSE = "pytorch-redes-neurais"
GRADER = "grader-pytorch"
GROUP = "autograder-hub"
PEOPLE = [("professora", "instrutor"), ("monitor", "monitor"), ("ana", "aluno"), ("bruno", "aluno"), ("carla", "aluno")]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.hub", description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, default=deploy.REPO / ".hub", help="state folder (default: .hub)")
    parser.add_argument("--port", type=int, default=8000, help="the hub's port (default 8000)")
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--reset", action="store_true", help="start over: new passwords, course and exchange")
    parser.add_argument("--remove", action="store_true", help="delete the accounts and the state folder, then exit")
    parser.add_argument(
        "--precheck-limit", type=int, default=3, help="pre-checks per student and assignment in the window (default 3)"
    )
    parser.add_argument("--precheck-window-hours", type=float, default=24.0)
    args = parser.parse_args(argv)
    try:
        accounts.require_root("make hub")
    except accounts.AccountError as exc:
        print(f"make hub: {exc}", file=sys.stderr)
        return 2
    state = args.state.resolve()
    if args.remove or args.reset:
        try:
            deploy.undeploy(state, [n for n, _ in PEOPLE] + [GRADER], GROUP)
        except accounts.AccountError as exc:
            print(f"make hub: {exc}", file=sys.stderr)
            return 1
        if args.remove:
            print(f"contas e {state} removidos")
            return 0

    saved = state / "hub" / "accounts.json"
    passwords = {a["conta"]: a["senha"] for a in json.loads(saved.read_text())} if saved.exists() else {}
    people = [accounts.Account(n, r, passwords.get(n) or accounts.new_password()) for n, r in PEOPLE]
    plan = deploy.Plan(
        state=state,
        course_id=COURSE,
        accounts=people,
        grader=GRADER,
        ip=args.ip,
        port=args.port,
        group=GROUP,
        precheck_limit=args.precheck_limit,
        precheck_window_s=args.precheck_window_hours * 3600,
    )
    try:
        print(f"Preparando o hub em {state} (contas Unix, curso, troca fechada)...", flush=True)
        deploy.deploy(plan)
        hub = run.start_hub(state)
    except (accounts.AccountError, RuntimeError) as exc:
        print(f"make hub: {exc}", file=sys.stderr)
        return 1
    print("\nJupyterHub do curso (PAM: contas Unix reais)")
    for a in people:
        print(f"conta: {a.name} senha: {a.password} papel: {a.role}")
    print(f"\nHub: {plan.url}/hub/login")
    print(f"Formgrader (professora, monitor): {plan.url}/services/{COURSE}/lab  (menu Nbgrader > Formgrader)")
    print(
        f"Alunos: Nbgrader > Assignment List; feedback do envio: Nbgrader > Correção prévia "
        f"({plan.url}/services/{deploy.SERVICE}/precheck)"
    )
    print(f"Logs: {state / 'logs'}")
    print("Ctrl+C para parar o hub. `make hub-remove` apaga as contas e o estado.", flush=True)
    return run.main_loop(hub)


if __name__ == "__main__":
    sys.exit(main())
