"""Start and stop a real `jupyter lab` for the course: used by `make lab`, the browser tests and the benchmark."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

#: nbgrader's JupyterLab plugins that only make sense for the instructor
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
#: pop-ups that would ask to fetch news from the internet
REQUEST_SECONDS = 600  # a formgrader action (autograde of a whole class, say) can take minutes
QUIET_PLUGINS = ("@jupyterlab/apputils-extension:announcements",)
#: Chromium, and the arguments that let it run headless in a container
CHROMIUM = os.environ.get("AUTOGRADER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    proc: subprocess.Popen
    port: int
    base_url: str  # "/" or "/user/name/", with both slashes
    token: str
    root_dir: Path
    log_path: Path
    extra: dict = field(default_factory=dict)

    @property
    def url(self):
        """The server's address, base_url included, ending in a slash."""
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    def lab_url(self, path="lab"):
        return f"{self.url}{path}{'&' if '?' in path else '?'}token={self.token}"

    def request(self, method, path, data=None, timeout=REQUEST_SECONDS):
        """One HTTP request to the server (token header), the JSON answer decoded."""
        body = None if data is None else json.dumps(data).encode()
        req = urllib.request.Request(
            self.url + path.lstrip("/"), data=body, method=method, headers={"Authorization": f"token {self.token}"}
        )
        if method != "GET" and body is None:
            req.data = b""
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def log_tail(self, n=60):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def jupyter_env(config_dir, ours=True, instructor=True, env=None):
    """A private Jupyter config folder: our server extension on or off, student-only plugins.

    Everything per server (config, lab settings, workspaces) lives in ``config_dir``,
    so a user's ~/.jupyter cannot change what the course shows, and each start
    begins with a fresh layout.
    """
    config_dir = Path(config_dir)
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    extensions = {"autograder.lab": bool(ours)}
    if not instructor:  # as in a student's image: no formgrader behind the student's token
        extensions["nbgrader.server_extensions.formgrader"] = False
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {"jpserver_extensions": extensions},
            },
            indent=1,
        )
    )
    disabled = {p: True for p in QUIET_PLUGINS + (() if instructor else INSTRUCTOR_PLUGINS)}
    (config_dir / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
    full = dict(os.environ if env is None else env)
    bin_dir = str(Path(sys.executable).parent)  # nbgrader calls alembic from PATH
    full["PATH"] = bin_dir + os.pathsep + full.get("PATH", "")
    full["JUPYTER_CONFIG_DIR"] = str(config_dir)
    full["JUPYTERLAB_SETTINGS_DIR"] = str(config_dir / "lab-settings")
    full["JUPYTERLAB_WORKSPACES_DIR"] = str(config_dir / "lab-workspaces")
    full.pop("JUPYTER_TOKEN", None)
    return full


def start_lab(
    root_dir,
    config_dir,
    log_path,
    *,
    port=None,
    token=None,
    base_url="/",
    ours=True,
    instructor=True,
    ip="127.0.0.1",
    extra_args=(),
    env=None,
    timeout=120,
):
    """Start `jupyter lab` serving ``root_dir`` (also its working folder, where nbgrader finds
    ``nbgrader_config.py``); return once its REST API answers."""
    root_dir = Path(root_dir).resolve()
    port = port or free_port()
    token = token or secrets.token_hex(16)
    base_url = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ip={ip}",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.base_url={base_url}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        *extra_args,
    ]
    if os.geteuid() == 0:  # containers, CI
        cmd.append("--allow-root")
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        cmd,
        cwd=root_dir,
        env=jupyter_env(config_dir, ours, instructor, env),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    server = LabServer(proc, port, base_url, token, root_dir, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            server.request("GET", "api/status", timeout=5)
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"jupyter lab did not answer in {timeout} s:\n{server.log_tail()}")
            time.sleep(0.25)
