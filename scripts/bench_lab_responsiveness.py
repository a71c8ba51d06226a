#!/usr/bin/env python
"""How responsive is the Jupyter server while the formgrader autogrades a class? Stock vs ours.

For each mode (``stock``: nbgrader's formgrader handlers; ``ours``: with the
``autograder.lab`` server extension), in a fresh temporary course seeded like
`make lab` (released assignments, N simulated students' submissions collected):

1. start a real ``jupyter lab`` on a free port;
2. autograde every submission through the formgrader's REST API, one request
   after another, as the Autograde buttons do
   (``POST /formgrader/api/submission/<assignment>/<student>/autograde``);
3. meanwhile, every 100 ms, time ``GET /api/status`` (any other request: the
   file browser, a kernel, another user of the server would wait the same).

Prints, per mode, the latencies (max, p95, median, how many over 1 s) and the
grading time, and checks that both modes put the same scores in the gradebook.

    .venv/bin/python scripts/bench_lab_responsiveness.py [--students 4] [--assignments tensors_autograd linear_regression]
"""

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.course import ASSIGNMENTS  # noqa: E402
from autograder.lab.seed import seed  # noqa: E402
from autograder.lab.server import start_lab  # noqa: E402

PERSONAS = [("referência", "reference"), ("erros típicos", "mistakes"), ("stubs", "stubs")]


def poll_status(server, stop, latencies, interval=0.1):
    """GET /api/status every ``interval`` s (after the previous answer); record each latency."""
    while not stop.is_set():
        t = time.monotonic()
        try:
            server.request("GET", "api/status", timeout=600)
        except (urllib.error.URLError, OSError):
            pass
        latencies.append(time.monotonic() - t)
        stop.wait(interval)


def run(mode, students, assignments, work):
    state = work / mode
    roster = {f"aluno{i + 1:02d}": PERSONAS[i % len(PERSONAS)] for i in range(students)}
    seed(ROOT, state, students=roster, interactive=(), say=lambda m: None)
    server = start_lab(state / "course", state / "jupyter", state / "jupyter.log", ours=(mode == "ours"))
    try:
        server.request("GET", "formgrader/api/assignments")  # formgrader up (and its gradebook open)
        latencies, stop = [], threading.Event()
        poller = threading.Thread(target=poll_status, args=(server, stop, latencies))
        poller.start()
        time.sleep(1.0)  # a few idle samples
        start = time.monotonic()
        per_submission, failures = [], []
        for a in assignments:
            for student in roster:
                t = time.monotonic()
                result = server.request("POST", f"formgrader/api/submission/{a}/{student}/autograde")
                per_submission.append(time.monotonic() - t)
                if not result.get("success"):
                    failures.append(f"{a}/{student}: {result.get('error', '')[-500:]}")
        grading = time.monotonic() - start
        time.sleep(0.5)
        stop.set()
        poller.join()
        scores = {}
        for a in assignments:
            for sub in server.request("GET", f"formgrader/api/submissions/{a}"):
                scores[(a, sub["student"])] = sub["score"]
    finally:
        server.stop()
    return {
        "mode": mode,
        "latencies": latencies,
        "grading_s": grading,
        "per_submission": per_submission,
        "failures": failures,
        "scores": scores,
    }


def summary(r):
    lat = sorted(r["latencies"])
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    return (
        f"{r['mode']:<6} {len(lat):>8} {max(lat):>9.3f} {p95:>9.3f} {statistics.median(lat):>9.3f} "
        f"{sum(x > 1.0 for x in lat):>8} {r['grading_s']:>11.1f} {statistics.mean(r['per_submission']):>10.1f}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--assignments", nargs="+", default=list(ASSIGNMENTS), choices=list(ASSIGNMENTS))
    parser.add_argument("--modes", nargs="+", default=["stock", "ours"], choices=["stock", "ours"])
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args(argv)
    n = args.students * len(args.assignments)
    print(
        f"{n} submissions ({args.students} students x {', '.join(args.assignments)}), "
        "autograded one after another through the formgrader API; GET /api/status every 100 ms\n",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-lab-") as tmp:
        for mode in args.modes:
            results.append(run(mode, args.students, args.assignments, Path(tmp)))
            print(f"  {mode}: done", flush=True)
    print(
        f"\n{'mode':<6} {'requests':>8} {'max (s)':>9} {'p95 (s)':>9} {'median':>9} {'> 1 s':>8} "
        f"{'grading (s)':>11} {'per sub (s)':>10}"
    )
    for r in results:
        print(summary(r))
    ok = True
    for r in results:
        for f in r["failures"]:
            print(f"FAILED ({r['mode']}): {f}")
            ok = False
    if len(results) == 2 and results[0]["scores"] != results[1]["scores"]:
        print("scores differ between modes:", results[0]["scores"], results[1]["scores"])
        ok = False
    elif len(results) == 2:
        print(
            "\nsame gradebook scores in both modes:",
            ", ".join(f"{a}/{s}={v:g}" for (a, s), v in sorted(results[0]["scores"].items())),
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                [{**r, "scores": {f"{a}/{s}": v for (a, s), v in r["scores"].items()}} for r in results], indent=1
            )
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
