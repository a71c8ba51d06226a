"""`make bench-cluster`: the same class graded by `--workers 2` and by `--cluster` on 2 Dask workers.

Starts a real `dask scheduler` and two `dask worker` processes (one thread each) on this machine,
synthesizes a class per assignment (tests/bench_class.py's submissions: reference answers, correct
variants, typical mistakes, stubs) into two identical courses with the same secret, and prints, in one
run: submissions per minute for both (the whole command, start-up included); each path's cost per
submission in the steady state (worker-seconds: the time between records once every worker has warmed
up, x 2 workers, per submission) and the cluster path's overhead over `--workers`; each path's start-up;
the single writer's time per submission; and a projection of 2,000 students x 4 assignments on N workers
from those. The cluster's workers are warmed up first with a few submissions (a Dask worker lives across
runs; a `--workers` run is a new process, so its start-up stays in its subs/min). BENCH_N sets the class
size (default 40 per assignment), BENCH_ASSIGNMENTS the assignments (comma-separated).
"""

import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_class import place, synthesize  # noqa: E402
from daskcluster import LocalDaskCluster  # noqa: E402
from stock_course import make_course  # noqa: E402

from autograder.course import ASSIGNMENTS  # noqa: E402

AUTOGRADER = str(Path(sys.executable).parent / "autograder")
STUDENTS, PER_STUDENT = 2000, 4  # the projection: 2,000 students x 4 assignments
PROJECTED_WORKERS = (2, 8, 32, 128)
WORKERS = 2


def run(course, assignment, where, timings, *extra):
    """(wall seconds, the --timings data) of one `autograder autograde` command."""
    cmd = [AUTOGRADER, "autograde", assignment, *where, "--require-sandbox", "--timings", str(timings), *extra]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=course, capture_output=True, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return wall, json.loads(Path(timings).read_text())


def cost_per_submission(t, n):
    """Worker-seconds per submission in the steady state: the time between the records after the first
    2 x WORKERS (when every worker has warmed up, in either path) and the last, x WORKERS / submissions."""
    times = t["recorded_at"]
    skip = min(2 * WORKERS, len(times) - 2) if len(times) > 2 else 0
    if len(times) < 2:
        return (t["elapsed"] - t["startup"]) * WORKERS / max(1, n)
    return (times[-1] - times[skip]) * WORKERS / (len(times) - 1 - skip)


def duration(seconds):
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def main():
    n = int(os.environ.get("BENCH_N", "40"))
    names = [a.strip() for a in os.environ.get("BENCH_ASSIGNMENTS", ",".join(ASSIGNMENTS)).split(",") if a.strip()]
    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    courses = {}
    secret = secrets.token_hex(32)
    for label in ("workers", "cluster"):
        (work / label).mkdir()
        courses[label] = make_course(work / label, stock=False)
        (courses[label] / ".autograder_secret").write_text(secret)  # the same hidden inputs in both
    for assignment in names:
        rng = random.Random(0)
        for student, answers in synthesize(assignment, n, rng):
            for course in courses.values():
                place(course, assignment, student, answers)

    load_before = os.getloadavg()
    rows = {}
    with LocalDaskCluster(work / "dask", workers=WORKERS) as cluster:
        where = {"workers": ["--workers", str(WORKERS)], "cluster": ["--cluster", cluster.address]}
        # warm-up: a few submissions of each assignment graded by each path (a worker process imports torch,
        # the judges and the data set once in its life); then the timed runs grade the whole class (--force)
        for assignment in names:
            warm = f"*00[0-{min(n, 2 * WORKERS) - 1}]"  # the first students: reference000, variants001, ...
            for label in ("workers", "cluster"):
                run(courses[label], assignment, where[label], work / "warm.json", "--student", warm)
        for assignment in names:
            for label in ("workers", "cluster"):
                rows[assignment, label] = run(
                    courses[label], assignment, where[label], work / f"{label}-{assignment}.json", "--force"
                )
    load_after = os.getloadavg()

    print(
        f"\nclass: {n} submissions per assignment (reference, correct variants, mistakes, stubs); "
        f"{os.cpu_count()} cores; --workers {WORKERS} vs --cluster: 1 scheduler + {WORKERS} worker processes "
        "(1 thread each), warmed up"
    )
    print(
        "machine load (1, 5, 15 min): "
        f"before {' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in load_after)}\n"
    )
    print(f"{'assignment':<20}{'--workers 2':>13}{'--cluster':>13}{'cost/sub':>11}{'cost/sub':>11}{'cluster':>10}")
    print(f"{'':<20}{'subs/min':>13}{'subs/min':>13}{'workers':>11}{'cluster':>11}{'overhead':>10}")
    totals = {"workers": 0.0, "cluster": 0.0}
    for assignment in names:
        (wall_w, t_w), (wall_c, t_c) = rows[assignment, "workers"], rows[assignment, "cluster"]
        cost_w, cost_c = cost_per_submission(t_w, n), cost_per_submission(t_c, n)
        totals["workers"] += cost_w
        totals["cluster"] += cost_c
        print(
            f"{assignment:<20}{60 * n / wall_w:>13.1f}{60 * n / wall_c:>13.1f}"
            f"{cost_w:>10.2f}s{cost_c:>10.2f}s{100 * (cost_c / cost_w - 1):>+9.1f}%"
        )
    overhead = totals["cluster"] / totals["workers"] - 1
    print(
        f"\ncost/sub: worker-seconds per submission, steady state (time between records after the first "
        f"{2 * WORKERS}, x {WORKERS} workers). "
        f"Overhead of the cluster path per submission, all assignments: {100 * overhead:+.1f}% "
        f"(goal: within 10%: {'met' if overhead <= 0.10 else 'NOT met'})"
    )
    start_w = sum(rows[a, "workers"][1]["imports"] + rows[a, "workers"][1]["startup"] for a in names) / len(names)
    start_c = sum(rows[a, "cluster"][1]["imports"] + rows[a, "cluster"][1]["startup"] for a in names) / len(names)
    print(
        f"start-up per run (imports, gradebook, sources; the cluster's connection and worker check): "
        f"--workers {start_w:.2f} s, --cluster {start_c:.2f} s"
    )
    recorded = sum(rows[a, "cluster"][1]["graded"] for a in names)
    writer = sum(rows[a, "cluster"][1]["recording"] for a in names) / max(1, recorded)
    print(f"single writer (client): {1000 * writer:.1f} ms per submission recorded (gradebook, autograded notebook)")

    cost = totals["cluster"] / len(names)
    total = STUDENTS * PER_STUDENT
    print(
        f"\nprojection: {STUDENTS:,} students x {PER_STUDENT} assignments = {total:,} submissions, "
        f"{cost:.2f} worker-seconds each (the mean measured cost above, cluster path)"
    )
    print(f"{'workers':>8}{'wall time':>12}  bound by")
    for workers in PROJECTED_WORKERS:
        grading, writing = total * cost / workers, total * writer
        bound = "the single writer" if writing > grading else "the workers"
        print(f"{workers:>8}{duration(max(grading, writing) + PER_STUDENT * start_c):>12}  {bound}")
    print(
        f"(each worker one core like these, each assignment costing the mean of those measured; one run per "
        f"assignment, its start-up included; the single writer records one submission at a time, so no "
        f"class is done sooner than {total:,} x {1000 * writer:.1f} ms = {duration(total * writer)})"
    )
    print(f"(courses kept in {work})")


if __name__ == "__main__":
    main()
