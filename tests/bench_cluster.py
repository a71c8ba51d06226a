"""`make bench-cluster`: the same class graded by `--workers 2` and by `--cluster` on 2 Dask workers.

Starts a real `dask scheduler` and two `dask worker` processes (one thread each) on this machine,
synthesizes a class per assignment (tests/bench_class.py's submissions: reference answers, correct
variants, typical mistakes, stubs) into two identical courses with the same secret, grades it both ways
and prints, in one run: submissions per minute for both (the whole command, start-up included); each
path's cost per submission (worker-seconds: the grading phase's wall time x 2 workers / submissions),
split into the engine's own grading time and the rest, and the cluster path's overhead (what it adds
outside the grading); each path's start-up; the single writer's time per submission; and a projection
of 2,000 students x 4 assignments on N workers. The cluster's workers are warmed up first with a few
submissions (a Dask worker lives across runs; a `--workers` run is a new process, so its start-up stays
in its figures). BENCH_N sets the class size (default 40 per assignment), BENCH_ASSIGNMENTS the
assignments (comma-separated); BENCH_REPORT=FOLDER prints the figures of a kept run again.
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

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_class import bench_assignments, place, synthesize  # noqa: E402
from daskcluster import LocalDaskCluster  # noqa: E402
from stock_course import make_course  # noqa: E402

AUTOGRADER = str(Path(sys.executable).parent / "autograder")
STUDENTS, PER_STUDENT = 2000, 4  # the projection: 2,000 students x 4 assignments
PROJECTED_WORKERS = (2, 8, 32, 128)
WORKERS = 2
PATHS = ("workers", "cluster")


def run(course, assignment, where, timings, *extra):
    """Wall seconds of one `autograder autograde` command (its --timings go to ``timings``)."""
    cmd = [AUTOGRADER, "autograde", assignment, *where, "--require-sandbox", "--timings", str(timings), *extra]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=course, capture_output=True, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return wall


def duration(seconds):
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def measure(n, names):
    """Grade the class both ways; returns the folder that keeps the courses, the timings and run.json."""
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
    walls = {}
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
                timings = work / f"{label}-{assignment}.json"
                walls[f"{label}-{assignment}"] = run(courses[label], assignment, where[label], timings, "--force")
    run_info = {"n": n, "assignments": names, "cores": os.cpu_count(), "walls": walls}
    run_info.update(load_before=load_before, load_after=os.getloadavg())
    (work / "run.json").write_text(json.dumps(run_info))
    return work


def grading_seconds(course, assignment):
    """The engine's own time per submission (sandbox, cells, probes, judge), mean over the class."""
    times = [
        nbformat.read(path, as_version=4).metadata["autograder"]["results"]["execution_time"]
        for path in (course / "autograded").glob(f"*/{assignment}/{assignment}.ipynb")
    ]
    return sum(times) / max(1, len(times))


def report(work):
    info = json.loads((work / "run.json").read_text())
    n, names = info["n"], info["assignments"]
    timings = {(a, label): json.loads((work / f"{label}-{a}.json").read_text()) for a in names for label in PATHS}
    load = lambda xs: " ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    print(
        f"\nclass: {n} submissions per assignment (reference, correct variants, mistakes, stubs); "
        f"{info['cores']} cores; --workers {WORKERS} vs --cluster: 1 scheduler + {WORKERS} worker processes "
        "(1 thread each), warmed up"
    )
    print(f"machine load (1, 5, 15 min): before {load(info['load_before'])}, after {load(info['load_after'])}\n")

    # a submission's cost: the grading phase's wall time x workers / submissions (worker-seconds), split into
    # the engine's own time (what the sandboxed grading took, as the engine timed it) and the rest (restore,
    # results, transport, queueing, the single writer), which is where the two paths differ
    cost, grading = {}, {}
    for (a, label), t in timings.items():
        cost[a, label] = (t["elapsed"] - t["startup"]) * WORKERS / n
        grading[a, label] = grading_seconds(work / label / "ours", a)
    print(f"{'assignment':<20}{'--workers 2':>13}{'--cluster':>11}{'cost/sub':>10}{'cost/sub':>10}{'ratio':>9}")
    print(f"{'':<20}{'subs/min':>13}{'subs/min':>11}{'workers':>10}{'cluster':>10}{'c/w':>9}")
    for a in names:
        per_min = [60 * n / info["walls"][f"{label}-{a}"] for label in PATHS]
        ratio = cost[a, "cluster"] / cost[a, "workers"]
        print(
            f"{a:<20}{per_min[0]:>13.1f}{per_min[1]:>11.1f}"
            f"{cost[a, 'workers']:>9.2f}s{cost[a, 'cluster']:>9.2f}s{ratio:>8.2f}x"
        )
    print(
        f"\ncost/sub: worker-seconds per submission (grading phase x {WORKERS} workers / submissions); it moves "
        "with the machine's load, which the two runs do not share exactly. Where it goes:\n"
    )
    print(f"{'assignment':<20}{'grading':>10}{'grading':>10}{'outside':>10}{'outside':>10}{'cluster':>10}")
    print(f"{'':<20}{'workers':>10}{'cluster':>10}{'workers':>10}{'cluster':>10}{'adds':>10}")
    added, base = 0.0, 0.0
    for a in names:
        outside = {label: cost[a, label] - grading[a, label] for label in PATHS}
        added += outside["cluster"] - outside["workers"]
        base += cost[a, "workers"]
        print(
            f"{a:<20}{grading[a, 'workers']:>9.2f}s{grading[a, 'cluster']:>9.2f}s"
            f"{outside['workers']:>9.2f}s{outside['cluster']:>9.2f}s"
            f"{100 * (outside['cluster'] - outside['workers']) / cost[a, 'workers']:>+9.1f}%"
        )
    overhead = added / base
    print(
        "\ngrading: the engine's own time per submission (sandbox, cells, probes, judge); outside: the rest of "
        "a worker's time per submission (restore, results, transport, queueing, waiting for the writer).\n"
        f"Overhead of the cluster path per submission (what it adds outside the grading, over --workers' cost), "
        f"all assignments: {100 * overhead:+.1f}% (goal: within 10%: {'met' if overhead <= 0.10 else 'NOT met'})"
    )
    start = {
        label: sum(timings[a, label]["imports"] + timings[a, label]["startup"] for a in names) / len(names)
        for label in PATHS
    }
    print(
        f"start-up per run (imports, gradebook, sources; the cluster's connection and worker check): "
        f"--workers {start['workers']:.2f} s, --cluster {start['cluster']:.2f} s"
    )
    recorded = sum(timings[a, "cluster"]["graded"] for a in names)
    writer = sum(timings[a, "cluster"]["recording"] for a in names) / max(1, recorded)
    print(f"single writer (client): {1000 * writer:.1f} ms per submission recorded (gradebook, autograded notebook)")

    per_sub = sum(cost[a, "cluster"] for a in names) / len(names)
    total = STUDENTS * PER_STUDENT
    print(
        f"\nprojection: {STUDENTS:,} students x {PER_STUDENT} assignments = {total:,} submissions, "
        f"{per_sub:.2f} worker-seconds each (the mean measured cost above, cluster path)"
    )
    print(f"{'workers':>8}{'wall time':>12}  bound by")
    for workers in PROJECTED_WORKERS:
        grading_time, writing = total * per_sub / workers, total * writer
        bound = "the single writer" if writing > grading_time else "the workers"
        print(f"{workers:>8}{duration(max(grading_time, writing) + PER_STUDENT * start['cluster']):>12}  {bound}")
    print(
        f"(each worker one core like these, each assignment costing the mean of those measured; one run per "
        f"assignment, its start-up included; the single writer records one submission at a time, so no "
        f"class is done sooner than {total:,} x {1000 * writer:.1f} ms = {duration(total * writer)})"
    )
    print(f"(courses kept in {work})")


def main():
    if os.environ.get("BENCH_REPORT"):  # the figures of a kept run again, without grading anything
        report(Path(os.environ["BENCH_REPORT"]))
        return
    n = int(os.environ.get("BENCH_N", "40"))
    report(measure(n, bench_assignments()))


if __name__ == "__main__":
    main()
