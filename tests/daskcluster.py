"""A real Dask cluster on this machine, for the tests and `make bench-cluster`.

`dask scheduler` and ``workers`` × `dask worker --nthreads 1` (each with its
nanny, as Dask deploys them) as subprocesses, on a free port, with their logs
and local directories in a folder of the caller's.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from autograder.lab.server import free_port

DASK = str(Path(sys.executable).parent / "dask")


class LocalDaskCluster:
    def __init__(self, folder, workers=2, env=None):
        self.folder, self.workers, self.env = Path(folder), workers, dict(env or os.environ)
        self.scheduler = None
        self.nannies = []
        self.address = None

    def start(self, timeout=120):
        self.folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        self.scheduler = self._spawn(
            "scheduler", [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
        )
        for i in range(self.workers):
            self.nannies.append(
                self._spawn(
                    f"worker{i}",
                    [
                        DASK,
                        "worker",
                        self.address,
                        "--name",
                        f"w{i}",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--local-directory",
                        str(self.folder / f"worker{i}-space"),
                    ],
                )
            )
        self.wait_for_workers(self.workers, timeout)
        return self

    def _spawn(self, name, cmd):
        log = open(self.folder / f"{name}.log", "ab")
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env)

    def wait_for_workers(self, n, timeout=120):
        from distributed import Client

        deadline = time.monotonic() + timeout
        while True:
            for proc in [self.scheduler, *self.nannies]:
                if proc.poll() is not None:
                    raise RuntimeError(f"a Dask process exited ({proc.args[:2]}); logs in {self.folder}")
            try:
                with Client(self.address, timeout=10, set_as_default=False) as client:
                    client.wait_for_workers(n, timeout=max(1, deadline - time.monotonic()))
                    return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the Dask cluster did not start within {timeout} s; logs in {self.folder}")
                time.sleep(0.5)

    def worker_processes(self):
        """The worker processes (the nannies' children that grade), as psutil.Process objects."""
        out = []
        for nanny in self.nannies:
            try:
                children = psutil.Process(nanny.pid).children()
            except psutil.NoSuchProcess:
                continue
            out += [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]
        return out

    def log(self, name):
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self):
        workers = self.worker_processes()
        procs = [*self.nannies, self.scheduler]
        for proc in procs:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            if proc is None:
                continue
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for worker in workers:  # a worker whose nanny died first
            try:
                worker.kill()
            except psutil.NoSuchProcess:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
