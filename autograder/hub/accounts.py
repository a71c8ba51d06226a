"""Real Unix accounts for the hub's users (root only): create, set a password, remove.

Accounts we create carry a marker in their GECOS field, so that we never
reuse or remove an account that somebody else made.
"""

import grp
import os
import pwd
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

MARKER = "autograder-hub"


class AccountError(RuntimeError):
    pass


@dataclass
class Account:
    name: str
    role: str  # instrutor | monitor | aluno | correcao (the course's grading account, no login)
    password: str = ""

    @property
    def login(self):
        return self.role != "correcao"


def new_password():
    return secrets.token_urlsafe(9)


def require_root(what):
    if os.geteuid() != 0:
        raise AccountError(
            f"{what} needs root: it creates real Unix users and runs each user's JupyterLab as "
            "that user. Run it as root (e.g. sudo make hub)."
        )


def ours(name):
    try:
        return pwd.getpwnam(name).pw_gecos.startswith(MARKER)
    except KeyError:
        return False


def exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def ensure_group(group):
    """The Unix group of every account of one hub (it may traverse to the Python, see ``grant_traverse``)."""
    try:
        grp.getgrnam(group)
    except KeyError:
        run(["groupadd", group])


def remove_group(group):
    try:
        grp.getgrnam(group)
    except KeyError:
        return
    run(["groupdel", group], ok=(0, 6))


def ensure(account, home, group=None):
    """Create the account (home ``home``, mode 0700) or take back one we made; set its password."""
    if exists(account.name):
        if not ours(account.name):
            raise AccountError(
                f"the Unix user {account.name!r} already exists and was not made by make hub; "
                "remove it or choose other names"
            )
        if group:
            run(["usermod", "--append", "--groups", group, account.name])
    else:
        os.makedirs(os.path.dirname(home), exist_ok=True)
        run(
            [
                "useradd",
                "--create-home",
                "--home-dir",
                str(home),
                "--shell",
                "/bin/bash",
                "--user-group",
                "--comment",
                f"{MARKER} {account.role}",
                *(["--groups", group] if group else []),
                account.name,
            ]
        )
    entry = pwd.getpwnam(account.name)
    os.chmod(entry.pw_dir, 0o700)  # classmates cannot read each other's notebooks
    if account.login:
        run(["chpasswd"], input=f"{account.name}:{account.password}\n")
    else:
        run(["usermod", "--lock", account.name])
    return entry


def remove(name):
    """Remove an account we made, its home and its processes."""
    if not ours(name):
        return
    kill_processes_of(pwd.getpwnam(name).pw_uid)
    run(["userdel", "--remove", "--force", name], ok=(0, 6, 12))


def kill_processes_of(uid):
    """SIGKILL each process (by pid) that runs as ``uid``, an account we made: its leftovers."""
    import signal

    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    os.kill(int(entry), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass


def grant_traverse(paths, group):
    """Let ``group`` traverse (not list) each folder above ``paths`` that others cannot enter: a
    Python installed under /root (pyenv), say. Returns the folders changed, for ``revoke_traverse``."""
    changed = []
    for path in paths:
        for folder in reversed(Path(path).parents):
            if not os.stat(folder).st_mode & 0o001 and str(folder) not in changed:
                run(["setfacl", "-m", f"g:{group}:--x", str(folder)])
                changed.append(str(folder))
    return changed


def revoke_traverse(folders, group):
    for folder in folders:
        run(["setfacl", "-x", f"g:{group}", folder], ok=(0, 1))


def run(cmd, input=None, ok=(0,)):
    proc = subprocess.run(cmd, input=input, capture_output=True, text=True)
    if proc.returncode not in ok:
        raise AccountError(f"{' '.join(cmd[:1])} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc
