"""Where student code runs: a bubblewrap sandbox, or (without bwrap) a limited process group.

The sandbox gives the student's process:
- no network (new network namespace), no view of other processes (new PID
  namespace, torn down with its first process), no IPC with the host;
- a read-only view of the system (/usr, /etc, the Python installation), and
  one private writable folder holding only the probe and the submission copy;
  the course (solutions/, gradebook.db, submitted/, autograded/), the exchange,
  /root, /home and the `autograder` package itself are simply not there;
- resource limits (address space, CPU seconds, file size, open files,
  processes) and an unprivileged uid when the grader runs as root.

Without bwrap (e.g. macOS) the same limits and a process group apply, with a
loud warning; `require=True` (CLI `--require-sandbox`, config
`c.EngineGrade.require_sandbox`, env AUTOGRADER_REQUIRE_SANDBOX=1) makes that
an error instead.
"""

import os
import resource
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import autograder

NOBODY = 65534
SANDBOX_HOME = "/home/aluno"
SANDBOX_DATA = "/opt/scikit_learn_data"


class SandboxUnavailable(RuntimeError):
    pass


@dataclass
class Limits:
    memory_mb: int = 4096          # address space of the student's process
    cpu_seconds: int = 600         # CPU time; the wall clock is the engine's timeout
    file_size_mb: int = 64         # largest file the student's process may write
    open_files: int = 256
    processes: int = 256           # per uid, threads included: fork bombs stop here

    def apply(self):
        """Set the limits on the current process (called in the child before exec)."""
        mb = 1024 * 1024
        for name, value in (("RLIMIT_AS", self.memory_mb * mb), ("RLIMIT_CPU", self.cpu_seconds),
                            ("RLIMIT_FSIZE", self.file_size_mb * mb), ("RLIMIT_NOFILE", self.open_files),
                            ("RLIMIT_CORE", 0)):
            resource.setrlimit(getattr(resource, name), (value, value))
        # Counted per uid: meant for the student's uid (root, and so the grader as root, is exempt).
        resource.setrlimit(resource.RLIMIT_NPROC, (self.processes, self.processes))


def env_requires_sandbox():
    return os.environ.get("AUTOGRADER_REQUIRE_SANDBOX", "").lower() in ("1", "true", "yes")


class ProcessGroupLauncher:
    """No sandbox: the limits and a process group only."""

    name = "process-group"
    sandboxed = False

    def __init__(self, limits=None):
        self.limits = limits or Limits()

    def prepare(self, workdir):
        return str(workdir)  # the workdir as the child sees it

    def command(self, argv, workdir, env):
        return argv, env

    def preexec(self):
        os.setsid()
        self.limits.apply()


class BwrapLauncher(ProcessGroupLauncher):
    """bubblewrap: namespaces, read-only system, private folder, unprivileged uid.

    As root (CI, a grading server), bwrap itself runs as root, so that it can
    mount paths only root can reach (a Python under /root, say), keeps only
    CAP_SETUID/CAP_SETGID, and `setpriv` inside drops to an unprivileged uid
    with no capabilities before any student code runs. As another user, bwrap
    runs unprivileged in a user namespace.
    """

    name = "bwrap"
    sandboxed = True

    def __init__(self, limits=None, bwrap=None, uid=NOBODY, gid=NOBODY):
        super().__init__(limits)
        self.bwrap = bwrap or shutil.which("bwrap")
        self.uid, self.gid = uid, gid
        self.as_root = os.getuid() == 0

    def prepare(self, workdir):
        if self.as_root:  # the student's uid must be able to write its own folder, and only that
            for path in [workdir, *Path(workdir).rglob("*")]:
                os.chown(path, self.uid, self.gid)
        return SANDBOX_HOME

    def _python_paths(self):
        """The Python installation's folders (venv and base), to mount read-only."""
        roots = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parents[1]}
        return sorted(roots)

    def command(self, argv, workdir, env):
        env = dict(env, HOME=SANDBOX_HOME, TMPDIR="/tmp")
        binds = [(Path(p), Path(p), "--ro-bind") for p in self._python_paths()]
        data = env.get("SCIKIT_LEARN_DATA")
        if data and os.path.isdir(data):
            binds.append((Path(data), Path(SANDBOX_DATA), "--ro-bind"))
            env["SCIKIT_LEARN_DATA"] = SANDBOX_DATA
        binds.append((Path(workdir), Path(SANDBOX_HOME), "--bind"))

        cmd = [self.bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
               "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        cmd += ["--cap-add", "CAP_SETUID,CAP_SETGID"] if self.as_root else ["--unshare-user"]
        cmd += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
        for top in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
            if os.path.islink(top):
                cmd += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                cmd += ["--ro-bind", top, top]
        # /tmp first: a private tmpfs that the binds below may then sit in (a venv under /tmp, say)
        cmd += ["--tmpfs", "/tmp"]
        made = {Path("/"), Path("/usr"), Path("/etc"), Path("/tmp")}
        for _, dest, _ in binds:  # parents of mount points, traversable by the student's uid
            for parent in reversed(dest.parents):
                if parent not in made:
                    cmd += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
        for src, dest, kind in binds:
            cmd += [kind, str(src.resolve()), str(dest)]
        # the grader's own package (judges, references) is never visible, even when installed there
        cmd += ["--tmpfs", str(Path(autograder.__file__).resolve().parent)]
        cmd += ["--proc", "/proc", "--dev", "/dev", "--chdir", SANDBOX_HOME, "--"]
        if self.as_root:
            cmd += ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--"]
        return cmd + argv, env

    def preexec(self):
        os.setsid()
        self.limits.apply()


def make_launcher(sandbox=True, require=False, limits=None):
    """The best launcher available; warns loudly (or raises, if required) without bwrap."""
    require = require or env_requires_sandbox()
    if sandbox and shutil.which("bwrap") and (os.getuid() != 0 or shutil.which("setpriv")):
        return BwrapLauncher(limits)
    if require:
        raise SandboxUnavailable("the sandbox is required but bubblewrap (bwrap) is not available: "
                                 "install it (Debian/Ubuntu: apt-get install bubblewrap)")
    if sandbox:
        message = ("AUTOGRADER WARNING: bubblewrap (bwrap) not found: student code runs WITHOUT a sandbox "
                   "(resource limits and a process group only). Install bubblewrap, or pass --require-sandbox "
                   "to refuse grading without it.")
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        print(message, file=sys.stderr)
    return ProcessGroupLauncher(limits)
