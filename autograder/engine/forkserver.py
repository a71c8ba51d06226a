"""The grader's side of the fork server (`probe/zygote.py`): one per grader process and sandbox set-up.

A grading process spends most of its start-up importing torch (about 2 CPU
seconds). When the grader runs as root, one sandboxed interpreter does those
imports once. Each run is then a fork of it in a sandbox of its own: its own
namespaces, fresh tmpfs home and /tmp, the uid the grader leased for it, the
limits, no capabilities. It starts in milliseconds. The zygote never runs
student code and takes requests only from the grader process that started it.

A zygote that died is started again for the next run. One that does not answer costs that run a
GradingError (never a zero); it is not killed, since that would end the other runs it serves.
"""

import json
import os
import signal
import socket
import subprocess
import threading
import time

from .sandbox import SANDBOX_HOME

START_SECONDS = 120  # the zygote's imports (torch) on a loaded machine, before its first run starts
ZYGOTE = "import sys; sys.path.insert(0, sys.argv[2]); from {package}.probe.zygote import serve; serve()"


class ForkServerError(RuntimeError):
    pass


class ForkedRun:
    """A run forked by the zygote: its stdin, and kill() (the whole PID namespace, then wait)."""

    def __init__(self, job, stdin):
        self.job, self.stdin = job, stdin

    def kill(self):
        """Returns once the run's namespace is gone (its keeper says so, or the keeper itself is gone).

        Like waiting for a killed process, this has no time limit: the keeper only kills and reaps. Stopping
        the whole zygote instead would end other runs of this grader process too."""
        try:
            self.job.sendall(b'{"kill": true}')
            self.job.recv(4096)  # "gone", or end of file if the keeper (and with it the run) is gone
        except OSError:
            pass
        finally:
            self.job.close()
            try:
                self.stdin.close()
            except OSError:
                pass


class ForkServer:
    def __init__(self, command):
        """``command(argv, env)``: the sandbox command line that runs the zygote (see BwrapLauncher)."""
        self._command = command
        self._lock = threading.Lock()
        self._proc = self._socket = None
        self._pid = os.getpid()

    def _start(self, python, env, probe_parent, package):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [python, "-I", "-c", ZYGOTE.format(package=package), str(theirs.fileno()), probe_parent]
        cmd, cmd_env = self._command(argv, env)
        started = threading.Event()

        def hold():
            # bwrap dies with the thread that started it (--die-with-parent): a thread that lives as long.
            try:
                proc = self._proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=None if os.environ.get("AUTOGRADER_CHILD_STDERR") else subprocess.DEVNULL,
                    pass_fds=(theirs.fileno(),),
                    cwd="/",
                    env=cmd_env,
                    start_new_session=True,
                )
            finally:
                theirs.close()
                started.set()
            proc.wait()  # this zygote's, even after a later one replaced it in self._proc

        self._proc = None
        threading.Thread(target=hold, name="autograder-fork-server", daemon=True).start()
        started.wait()
        if self._proc is None:
            ours.close()
            raise ForkServerError("the fork server's sandbox could not be started")
        self._socket = ours

    def _stop(self):
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._socket is not None:
            self._socket.close()
        self._proc = self._socket = None

    def spawn(self, *, python, env, inside_env, probe_parent, package, uid, limits, disk_bytes, control, out):
        """Start one run: returns a ForkedRun once its sandbox is made and its process forked."""
        if self._pid != os.getpid():  # this grader process is a fork: the zygote is its parent's
            self._lock, self._proc, self._socket, self._pid = threading.Lock(), None, None, os.getpid()
        stdin_read, stdin_write = os.pipe()
        try:
            request = {
                "uid": uid,
                "limits": limits,
                "disk_bytes": disk_bytes,
                "home": SANDBOX_HOME,
                "env": inside_env,
            }
            for attempt in (1, 2):  # a zygote that died since the last run is started again, once
                ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    with self._lock:
                        if self._proc is None or self._proc.poll() is not None:
                            self._stop()
                            self._start(python, env, probe_parent, package)
                        fds = [theirs.fileno(), control, stdin_read, out]
                        try:
                            socket.send_fds(self._socket, [json.dumps(request).encode()], fds)
                        except OSError:
                            self._stop()
                            if attempt == 2:
                                raise ForkServerError("the fork server is not answering") from None
                            ours.close()
                            theirs.close()
                            continue
                    theirs.close()
                    answer = _answer(ours, time.monotonic() + START_SECONDS)
                    if answer.get("started"):
                        return ForkedRun(ours, os.fdopen(stdin_write, "wb"))
                    raise ForkServerError(f"the fork server could not start a run: {answer.get('error', 'no answer')}")
                except BaseException:
                    ours.close()
                    theirs.close()
                    raise
            raise ForkServerError("the fork server is not answering")
        except BaseException:
            os.close(stdin_write)
            raise
        finally:
            os.close(stdin_read)


def _answer(sock, deadline):
    sock.settimeout(max(0.0, deadline - time.monotonic()))
    try:
        data = sock.recv(4096)
    except OSError:
        data = b""
    finally:
        sock.settimeout(None)
    try:
        return json.loads(data) if data else {}
    except ValueError:
        return {}


_servers = {}
_servers_lock = threading.Lock()
_servers_pid = [os.getpid()]


def shared_fork_server(key, command):
    """One ForkServer per sandbox set-up (``key``) in this grader process, whoever asks for it."""
    with _servers_lock:
        if _servers_pid[0] != os.getpid():  # a forked grader process: the servers are its parent's
            _servers.clear()
            _servers_pid[0] = os.getpid()
        if key not in _servers:
            _servers[key] = ForkServer(command)
        return _servers[key]
