"""A Jupyter kernel for this course that runs inside the autograder's sandbox.

`nbgrader validate` (and anything else that executes a notebook through
nbgrader's Execute preprocessor / nbclient) would otherwise run student code in
an ordinary, unsandboxed kernel. The course config (autograder.nbgrader_plugin)
points Execute at the kernelspec `autograder-sandbox`, whose argv is this
module::

    python -I -m autograder.nbgrader_plugin.kernel -f {connection_file}

(`-I`: the launcher runs on the host, as the grader, with the notebook's folder
as its working directory; without `-I`, `python -m` would put that folder, which
a student may fill, first on sys.path.)

The launcher starts `python -m ipykernel_launcher` inside bubblewrap with the
same isolation as the engine's BwrapLauncher (it *is* a BwrapLauncher): new
network, PID, IPC and UTS namespaces; read-only /usr, /etc and the Python
installation; the autograder package, the course, /root, /home, /tmp of the
host not visible; a private tmpfs HOME, with only the socket folder (below)
on the host; a leased sandbox uid when run as root; memory, CPU, file-size, open-files and process
limits (`autograder.settings.kernel_limits`: AUTOGRADER_KERNEL_MEMORY_MB, _CPU_S,
_FILE_SIZE_MB, _PROCESSES); a fresh environment (no NBGRADER_*, AUTOGRADER_*,
JUPYTER_*, JPY_*).

Working directory: the kernel's cwd is its private folder, never the
notebook's. nbgrader validate does not pass a cwd to the kernel (the launcher
just inherits the folder the Validator chdir'ed into), and the engine that
grades the submission shows no course file either; so a notebook that reads a
file beside it fails under validate exactly as it would when graded. The
notebooks of this course read none (datasets come from SCIKIT_LEARN_DATA,
mounted read-only).

Transport: with no network namespace, TCP cannot reach the kernel, so the
client must use ipc (`c.KernelManager.transport = "ipc"`). The connection
file's `ip` is then a path prefix and the sockets are `{ip}-{port}`. The
launcher gives the kernel a copy of the connection file, in
`<socket folder>/` (HOME/.kernel inside), with `ip` rewritten to that folder as the sandbox sees it
(/home/aluno/.kernel/kernel); the kernel binds its unix sockets there, and the
launcher links each host path `{ip}-{port}` to the matching socket in the
private folder (connect() on a unix socket follows symlinks). A relative `ip`
(jupyter_client's default, "kernel-ipc") is resolved against the client's
working directory (the parent process's), as the client does.

Lifetime: bwrap runs with --die-with-parent and its own PID namespace, so the
whole sandbox dies with the launcher, whether jupyter_client asks the kernel to
shut down, sends SIGTERM, or SIGKILLs the launcher's process group. The
private folder and the links are removed by the launcher on exit and, if the
launcher is killed, by a small janitor process (outside the launcher's session)
that waits for the launcher to die. Interrupts travel as messages (the
kernelspec's interrupt_mode is "message"): the kernel interrupts itself.

Without bubblewrap, the launcher warns loudly and runs a plain ipykernel;
with AUTOGRADER_REQUIRE_SANDBOX=1 it refuses (exit 1, one line on stderr).
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..engine.run import child_env
from ..engine.sandbox import SANDBOX_HOME, SandboxUnavailable, make_launcher, remove_tree
from ..settings import kernel_limits, resolve

KERNEL_NAME = "autograder-sandbox"
DISPLAY_NAME = "Python 3 (sandbox do autograder)"
PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
SOCKET_DIR = ".kernel"  # in the private folder: the kernel's connection file and its sockets


def kernel_argv(python=None):
    return [python or sys.executable, "-I", "-m", "autograder.nbgrader_plugin.kernel", "-f", "{connection_file}"]


def kernelspec():
    return {
        "argv": kernel_argv(),
        "display_name": DISPLAY_NAME,
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {"debugger": False},
    }


def install_kernelspec(prefix=None, user=False):
    """Install (or refresh) the `autograder-sandbox` kernelspec; return the folder it lives in.

    Default location: sys.prefix (the venv: the argv names its Python); `user=True`: the
    user's Jupyter data folder; `prefix`: <prefix>/share/jupyter/kernels.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / KERNEL_NAME
        source.mkdir(mode=0o755)
        (source / "kernel.json").write_text(json.dumps(kernelspec(), indent=1) + "\n")
        source.chmod(0o755)  # readable by every user of a shared install, whatever the umask
        (source / "kernel.json").chmod(0o644)
        if user:
            return KernelSpecManager().install_kernel_spec(str(source), KERNEL_NAME, user=True)
        return KernelSpecManager().install_kernel_spec(str(source), KERNEL_NAME, prefix=prefix or sys.prefix)


def _spec_matches(spec):
    """Ours, for this Python (bin/python and bin/python3 of one venv count as the same)."""
    want = kernelspec()["argv"]
    if not spec.argv or spec.argv[1:] != want[1:] or spec.interrupt_mode != "message":
        return False
    have = spec.argv[0]
    return have == want[0] or (
        os.path.dirname(have) == os.path.dirname(want[0]) and os.path.realpath(have) == os.path.realpath(want[0])
    )


def kernelspec_problem():
    """Why `nbgrader validate` cannot use our kernel here (one line), or None. Reads, installs nothing."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        try:
            spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        except NoSuchKernel:
            return f"the {KERNEL_NAME} kernelspec is not installed"
        if not _spec_matches(spec):
            return f"the {KERNEL_NAME} kernelspec in {spec.resource_dir} is for another Python or outdated"
        return None
    except Exception as e:  # noqa: BLE001 - a broken Jupyter path: say so, do not fail configuration
        return f"cannot read the {KERNEL_NAME} kernelspec ({type(e).__name__})"


def kernel_env():
    """The kernel's whole environment: the engine's (nothing of the grader's), inline plots allowed."""
    env = child_env(SANDBOX_HOME)
    env.pop("MPLBACKEND", None)
    return env


def client_path(ip):
    """The ipc prefix as the client resolves it: relative to the client's (our parent's) cwd."""
    if os.path.isabs(ip):
        return ip
    try:
        return os.path.join(os.readlink(f"/proc/{os.getppid()}/cwd"), ip)
    except OSError:
        return os.path.abspath(ip)


def _replace_link(target, path):
    """Make `path` a symlink to `target`; only ever replaces a symlink (a stale one, say)."""
    if os.path.lexists(path) and not os.path.islink(path):
        raise FileExistsError(f"{path} exists and is not a link: another kernel's socket?")
    tmp = f"{path}.{os.getpid()}.tmp"
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _cleanup(workdir, links):
    for path, target in links:
        try:
            if os.readlink(path) == target:
                os.unlink(path)
        except OSError:
            pass
    remove_tree(workdir)


def _gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def _start_janitor(workdir, links):
    """A process outside our session that cleans up if we die without doing it (SIGKILL).

    We write the sandbox's pid, then "done" once we have cleaned up ourselves; on EOF
    without "done", it waits for the sandbox to go and removes the folder and links.
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid:
        os.close(r)
        return pid, w
    try:
        os.close(w)
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, r)
        os.closerange(r + 1, 65536)
        data = b""
        while chunk := os.read(r, 4096):
            data += chunk
        if b"done" not in data.split():
            words = data.split()
            sandbox_pid = int(words[1]) if len(words) > 1 and words[0] == b"pid" else None
            deadline = time.monotonic() + 10
            while sandbox_pid and not _gone(sandbox_pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            _cleanup(workdir, links)
    finally:
        os._exit(0)


def _plain_kernel(connection_file, extra):
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, *extra]
    os.execv(sys.executable, argv)


def _listen(ip, port):
    sock = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((ip, port))
    sock.listen(8)
    return sock


def _splice(src, dst):
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        src.close()


def _forward(listener, path):
    """Splice each TCP connection on `listener` to the kernel's unix socket `path`.

    ZMTP is the same byte stream over tcp and ipc, so a client on the tcp transport (JupyterLab's
    default) reaches the sandboxed kernel, which itself only has unix sockets.
    """

    def accept_loop():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            unix = socket.socket(socket.AF_UNIX)
            try:
                unix.connect(path)
            except OSError:  # the kernel has not bound yet: the client's zmq reconnects
                conn.close()
                unix.close()
                continue
            threading.Thread(target=_splice, args=(conn, unix), daemon=True).start()
            threading.Thread(target=_splice, args=(unix, conn), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()


def run(connection_file, extra=(), launcher=None):
    """Run the sandboxed kernel for `connection_file` until it exits; return its exit status."""
    launcher = launcher or make_launcher(require=True, limits=kernel_limits())
    with open(connection_file) as f:
        info = json.load(f)
    transport = info.get("transport", "tcp")
    if transport not in ("ipc", "tcp"):
        print(f"{KERNEL_NAME}: unknown transport {transport!r}", file=sys.stderr)
        return 2
    listeners = []
    if transport == "tcp":  # bridged below; ipc: links to the sockets
        try:
            listeners = [_listen(info["ip"], info[name]) for name in PORT_NAMES]
        except OSError as e:
            print(f"{KERNEL_NAME}: cannot listen on {info['ip']}: {e}", file=sys.stderr)
            return 2
        links = []
    else:
        host_prefix = client_path(info["ip"])
        os.makedirs(os.path.dirname(host_prefix), mode=0o700, exist_ok=True)

    # Only the socket folder lives on the host (the client must reach the sockets); the kernel's home
    # is the sandbox's private tmpfs.
    workdir = tempfile.mkdtemp(prefix="autograder-kernel-")
    sockets = os.path.join(workdir, SOCKET_DIR)
    inside = f"{SANDBOX_HOME}/{SOCKET_DIR}"
    if transport == "ipc":
        links = [(f"{host_prefix}-{info[name]}", os.path.join(sockets, f"kernel-{info[name]}")) for name in PORT_NAMES]
    janitor, pipe = _start_janitor(workdir, links)
    proc = None
    try:
        os.mkdir(sockets, 0o700)
        fd = os.open(os.path.join(sockets, "connection.json"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(dict(info, transport="ipc", ip=f"{inside}/kernel"), f)
        for path, target in links:
            _replace_link(target, path)
        with launcher.session(binds=[(sockets, SOCKET_DIR)]) as session:
            if session.uid is not None:  # as root: the kernel's uid owns the folder we just made, nothing else
                for path in (sockets, os.path.join(sockets, "connection.json")):
                    os.chown(path, session.uid, session.uid, follow_symlinks=False)
            # parent_handle=1: the kernel's parent is the sandbox's init (pid 1); no parent poller, and
            # no "Ctrl-C will not work" banner on the client's terminal
            argv = [
                session.python,
                "-m",
                "ipykernel_launcher",
                "-f",
                f"{inside}/connection.json",
                "--IPKernelApp.parent_handle=1",
            ]
            if not any(a.startswith("--HistoryManager.hist_file") for a in extra):
                argv.append("--HistoryManager.hist_file=:memory:")
            cmd, env = session.command(argv + list(extra), kernel_env())
            proc = subprocess.Popen(
                cmd, env=env, cwd=session.cwd, stdin=subprocess.DEVNULL, preexec_fn=launcher.preexec
            )
            return _serve(proc, pipe, listeners, sockets, info)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        for listener in listeners:
            listener.close()
        _cleanup(workdir, links)
        try:
            os.write(pipe, b"done\n")
        finally:
            os.close(pipe)
            os.waitpid(janitor, 0)


def _serve(proc, pipe, listeners, sockets, info):
    """Until the kernel exits: the janitor knows its pid, TCP clients are bridged, signals handled."""
    os.write(pipe, f"pid {proc.pid}\n".encode())
    for listener, name in zip(listeners, PORT_NAMES):  # threads only now: Popen's preexec_fn is done
        _forward(listener, os.path.join(sockets, f"kernel-{info[name]}"))

    def stop(signum, frame):  # SIGTERM/SIGHUP from the client: the sandbox goes at once
        proc.kill()

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    # Interrupts come as messages (interrupt_mode "message"); a stray SIGINT must not kill us.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    while True:
        try:
            return proc.wait()
        except InterruptedError:  # pragma: no cover (PEP 475 retries; kept for clarity)
            continue


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m autograder.nbgrader_plugin.kernel", description="An ipykernel inside the autograder's sandbox."
    )
    parser.add_argument("-f", dest="connection_file", help="the kernel's connection file (as Jupyter starts it)")
    parser.add_argument("--install", action="store_true", help=f"install the {KERNEL_NAME} kernelspec and exit")
    parser.add_argument("--user", action="store_true", help="with --install: in the user's Jupyter folder")
    parser.add_argument("--prefix", help="with --install: under PREFIX/share/jupyter/kernels (default: sys.prefix)")
    args, extra = parser.parse_known_args(argv)
    if args.install:
        print(install_kernelspec(prefix=args.prefix, user=args.user))
        return 0
    if not args.connection_file:
        parser.error("-f CONNECTION_FILE is required")
    try:
        launcher = make_launcher(require=resolve().require_sandbox, limits=kernel_limits())
    except SandboxUnavailable as e:
        print(f"{KERNEL_NAME}: {e}", file=sys.stderr)
        return 1
    if not launcher.sandboxed:
        print(
            f"{KERNEL_NAME}: running a PLAIN, UNSANDBOXED ipykernel; set AUTOGRADER_REQUIRE_SANDBOX=1 to "
            "refuse instead",
            file=sys.stderr,
        )
        _plain_kernel(args.connection_file, extra)  # make_launcher has warned, loudly
    return run(args.connection_file, extra, launcher)


if __name__ == "__main__":
    sys.exit(main())
