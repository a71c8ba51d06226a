"""A real, throw-away PostgreSQL server for the tests: Debian's `postgresql` binaries, a temporary folder.

``PostgresServer.start()`` runs ``initdb`` and ``pg_ctl start`` in a new folder
under /tmp, on a free localhost port, with password (SCRAM) authentication for
a superuser ``grader``; ``create_database(name)`` gives each course its own
gradebook; ``stop()`` stops the server and removes the folder. PostgreSQL
refuses to run as root, so as root (CI) the server runs as Debian's
unprivileged ``postgres`` user (or ``nobody``), which owns only that folder.
"""

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir():
    """The folder with initdb/pg_ctl: AUTOGRADER_PG_BINDIR, Debian's newest /usr/lib/postgresql/N/bin, or PATH."""
    candidates = [os.environ.get("AUTOGRADER_PG_BINDIR", "")]
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(
        versions, key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0, reverse=True
    )
    which = shutil.which("initdb")
    candidates.append(str(Path(which).resolve().parent) if which else "")
    for folder in filter(None, candidates):
        if os.access(Path(folder) / "initdb", os.X_OK) and os.access(Path(folder) / "pg_ctl", os.X_OK):
            return Path(folder)
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's `postgresql` "
        "package (scripts/system-deps.sh does, as root) or set AUTOGRADER_PG_BINDIR"
    )


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user():
    """None: run as ourselves. As root: an unprivileged account (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and no unprivileged 'postgres' or 'nobody' account to run the server")


class PostgresServer:
    def __init__(self, user="grader"):
        self.bindir = find_bindir()
        self.user = user
        self.password = secrets.token_hex(12)
        self.port = None
        self.folder = None
        self.account = _server_user()

    @property
    def data(self):
        return self.folder / "data"

    @property
    def log_path(self):
        return self.folder / "server.log"

    def _run(self, *args, check=True):
        kwargs = {}
        if self.account is not None:
            kwargs = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
            "HOME": str(self.folder),
        }
        proc = subprocess.run(
            [str(self.bindir / args[0]), *map(str, args[1:])],
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            **kwargs,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{args[0]} failed ({proc.returncode}): {proc.stdout[-2000:]}{proc.stderr[-2000:]}\n{self.log_tail()}"
            )
        return proc

    def log_tail(self, n=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except (OSError, TypeError):
            return ""

    def start(self, attempts=3):
        # Straight under /tmp (world-traversable), not in pytest's root-only folders: the server's account
        # must reach its own folder.
        self.folder = Path(tempfile.mkdtemp(prefix="autograder-pg-"))
        if self.account is not None:
            os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
        pwfile = self.folder / "pw"
        pwfile.write_text(self.password + "\n")
        if self.account is not None:
            os.chown(pwfile, self.account.pw_uid, self.account.pw_gid)
        pwfile.chmod(0o600)
        self._run(
            "initdb",
            "-D",
            self.data,
            "-U",
            self.user,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--no-instructions",
        )
        pwfile.unlink()
        for attempt in range(attempts):
            self.port = _free_port()
            # fsync off: a test server, nothing to keep after a crash; every other setting is PostgreSQL's own
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder}"
                " -c fsync=off -c full_page_writes=off -c max_connections=60"
            )
            proc = self._run(
                "pg_ctl", "-D", self.data, "-l", self.log_path, "-o", options, "-w", "-t", "60", "start", check=False
            )
            if proc.returncode == 0:
                return self
            if attempt == attempts - 1 or "could not bind" not in self.log_tail():
                raise RuntimeError(f"PostgreSQL did not start ({proc.returncode}): {proc.stderr}\n{self.log_tail()}")
            time.sleep(0.5)  # someone took the port between our check and the bind: another one

    def url(self, database="postgres"):
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql, database="postgres"):
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else None

    def create_database(self, name):
        """A new, empty database; its SQLAlchemy URL (nbgrader's ``db_url``)."""
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        if self.folder is None:
            return
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
