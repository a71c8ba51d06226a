"""Start and stop a real JupyterHub (with configurable-http-proxy) on a deployed state folder."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CONFIG = Path(__file__).resolve().parent / "jupyterhub_config.py"


@dataclass
class Hub:
    proc: subprocess.Popen
    url: str  # http://127.0.0.1:PORT
    state: Path
    log_path: Path

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=30):
        if self.proc.poll() is not None:
            return
        import psutil

        # The hub stops the servers, services and proxy it started (each in its own session); if it
        # cannot in time, whatever of them is left is ended here, by pid.
        children = psutil.Process(self.proc.pid).children(recursive=True)
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        gone, alive = psutil.wait_procs(children, timeout=5)
        for p in alive:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass

    def log_tail(self, n=80):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def start_hub(state, timeout=180):
    """Run ``jupyterhub`` on ``state`` (see ``autograder.hub.deploy``); return when the hub and its
    services answer through the proxy."""
    state = Path(state).resolve()
    hub = json.loads((state / "hub" / "hub.json").read_text())
    log_path = state / "logs" / "jupyterhub.log"
    env = dict(
        os.environ,
        AUTOGRADER_HUB_STATE=str(state),
        PATH=f"{hub['bin']}:{os.path.dirname(hub['chp'])}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    )
    env.pop("JUPYTERHUB_API_TOKEN", None)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [os.path.join(hub["bin"], "jupyterhub"), "-f", str(CONFIG)],
            cwd=state / "hub",
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{hub['port']}"
    running = Hub(proc, url, state, log_path)
    deadline = time.monotonic() + timeout
    waiting = [
        f"{url}/hub/api/",
        f"{url}/services/{hub['service']}/api/me",
        f"{url}/services/{hub['course_id']}/api/status",
    ]
    while waiting:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyterhub exited with {proc.returncode}:\n{running.log_tail()}")
        try:
            with urllib.request.urlopen(waiting[0], timeout=5):
                pass
            waiting.pop(0)
            continue
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):  # answered (and refused us): it is up
                waiting.pop(0)
                continue
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            running.stop()
            raise RuntimeError(f"jupyterhub did not answer in {timeout} s ({waiting[0]}):\n{running.log_tail()}")
        time.sleep(0.5)
    return running


def main_loop(hub):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while hub.alive():
            time.sleep(1)
        print(f"jupyterhub saiu (código {hub.proc.returncode}); log: {hub.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        hub.stop()
