"""`make bench`: grading a whole class, three ways, in one run.

Synthesizes a class (default 60 submissions per assignment: reference answers,
correct variants, typical mistakes, stubs) and times
  (a) stock `nbgrader autograde`, serial (kernel per notebook, plain hidden asserts);
  (b) `autograder autograde --workers 2`, sandbox on;
  (c) the floor: each submission's code executed once in a plain Python process, serially.
Prints submissions per minute for each, the ratios b/a and b/c, and the peak
memory of a grading worker's student process; then a profile of (b): where a
submission's time goes (the grader's own timestamps of each phase, the judge,
the single writer, the grader's start-up) next to the floor and to a bare
`import torch`, and peak memory of the grader and of the student processes
against the floor running the same submissions. BENCH_N sets the class size, BENCH_ASSIGNMENTS the
assignments (comma-separated; default all four).
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import cases  # noqa: E402
from stock_course import make_course  # noqa: E402
from support import reference_answers  # noqa: E402

from autograder.course import ASSIGNMENTS  # noqa: E402
from autograder.demo import personas  # noqa: E402
from autograder.engine.restore import nbgrader_meta  # noqa: E402

PY = sys.executable
AUTOGRADER = str(Path(PY).parent / "autograder")


def synthesize(assignment, n, rng):
    """n answer sets: reference, correct variants, mistakes, stubs, in turn."""
    reference = reference_answers(assignment)
    exercises = [e.id for e in ASSIGNMENTS[assignment].exercises]
    for i in range(n):
        kind = ("reference", "variants", "mistakes", "stubs")[i % 4]
        if kind == "reference":
            answers = dict(reference)
        elif kind == "variants":
            answers = {**reference, **{e: rng.choice(cases(e).CORRECT)[1] for e in exercises}}
        elif kind == "mistakes":
            answers = {**reference, **{e: rng.choice(cases(e).WRONG)[1] for e in exercises}}
        else:
            answers = {}
        yield f"{kind}{i:03d}", answers


def place(course, assignment, student, answers):
    nb = nbformat.read(course / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    personas.fill(nb, answers)
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-27 10:00:00.000000 UTC")
    return folder / f"{assignment}.ipynb"


def floor_script(notebook):
    """The submission's code cells (not the test cells), each guarded, as one plain Python program."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code" or nbgrader_meta(cell).get("grade"):
            continue
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        parts.append(f"try:\n    exec({code!r})\nexcept Exception:\n    pass\n")
    return "\n".join(parts)


def bench_assignments():
    """The assignments BENCH_ASSIGNMENTS names (comma-separated; default: all of them), in course order."""
    names = [a.strip() for a in os.environ.get("BENCH_ASSIGNMENTS", ",".join(ASSIGNMENTS)).split(",") if a.strip()]
    unknown = sorted(set(names) - set(ASSIGNMENTS))
    known = f"known: {', '.join(ASSIGNMENTS)}"
    if unknown:
        sys.exit(f"BENCH_ASSIGNMENTS: unknown assignment {', '.join(unknown)}; {known}")
    if not names:
        sys.exit(f"BENCH_ASSIGNMENTS names no assignment; {known}")
    return [a for a in ASSIGNMENTS if a in names]


def timed(cmd, cwd):
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.monotonic() - start, proc


def main():
    n = int(os.environ.get("BENCH_N", "60"))
    assignments = bench_assignments()
    rng = random.Random(0)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    stock, ours = make_course(work, stock=True), make_course(work, stock=False)
    rows, profiles = {}, {}
    for assignment in assignments:
        subs = list(synthesize(assignment, n, rng))
        paths = [place(ours, assignment, s, a) for s, a in subs]
        for s, a in subs:
            place(stock, assignment, s, a)

        t_a, proc_a = timed([str(Path(PY).parent / "nbgrader"), "autograde", assignment], stock)
        timings = work / f"timings-{assignment}.json"
        t_b, proc_b = timed(
            [AUTOGRADER, "autograde", assignment, "--workers", "2", "--require-sandbox", "--timings", str(timings)],
            ours,
        )
        for label, proc in (("(a) stock nbgrader autograde", proc_a), ("(b) autograder autograde", proc_b)):
            if proc.returncode != 0:
                print(f"{label} exited with {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        floors, floor_rss = [], {}
        for (student, _), path in zip(subs, paths):
            seconds, floor_rss[student] = run_floor(floor_script(path), path.parent)
            floors.append(seconds)
        t_c = sum(floors)
        meta = _autograded_meta(ours, assignment)
        rss = max([m.get("max_rss_kb", 0) for m in meta.values()] or [0])
        rows[assignment] = (t_a, t_b, t_c, rss, proc_a.returncode, proc_b.returncode)
        profiles[assignment] = (meta, floor_rss, t_c / n, json.loads(timings.read_text()))

    print(
        f"\nclass: {n} submissions per assignment (reference, correct variants, mistakes, stubs); "
        f"{os.cpu_count()} cores\n"
    )
    print(f"{'assignment':<20}{'(a) stock':>12}{'(b) ours':>12}{'(c) floor':>12}{'b/a':>8}{'b/c':>8}{'peak MiB':>10}")
    print(f"{'':<20}{'subs/min':>12}{'subs/min':>12}{'subs/min':>12}{'thru':>8}{'/sub':>8}{'/worker':>10}")
    for assignment, (t_a, t_b, t_c, rss, rc_a, rc_b) in rows.items():
        per_min = lambda t: 60 * n / t  # noqa: E731
        # b/c per submission: (b)'s wall time per submission with 2 workers times 2 (its cost on one core
        # would be that, at best) over the floor's serial time per submission
        per_sub_ratio = (t_b * 2 / n) / (t_c / n)
        print(
            f"{assignment:<20}{per_min(t_a):>12.1f}{per_min(t_b):>12.1f}{per_min(t_c):>12.1f}"
            f"{t_a / t_b:>7.2f}x{per_sub_ratio:>7.2f}x{rss / 1024:>10.0f}"
        )
    print(
        "\nb/a: throughput of (b) over (a), goal >= 2. b/c: (b)'s cost per submission (wall per submission x 2 "
        "workers) over (c)'s, goal <= 1.5. peak: largest student process of (b), goal <= 1024 MiB."
    )
    print_profile(profiles, n)
    print(f"(courses kept in {work})")


def run_floor(script, cwd):
    """(wall seconds, peak resident KiB) of one plain-Python run of a submission's code."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [PY, "-c", script],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg"),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return time.monotonic() - start, usage.ru_maxrss


def bare_import_torch(times=5):
    """Mean wall seconds of `python -c "import torch"`: the part of every submission no grader can skip."""
    start = time.monotonic()
    for _ in range(times):
        subprocess.run([PY, "-c", "import torch"], check=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    return (time.monotonic() - start) / times


def print_profile(profiles, n):
    """Where (b)'s time and memory go, per submission, next to the floor's."""
    names = list(profiles)
    torch_import = bare_import_torch()
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    rows = [
        ("(c) floor: the submission's code, plain Python", [profiles[a][2] for a in names]),
        ("    of which a bare `import torch`", [torch_import for _ in names]),
    ]
    for phase, label in (
        ("startup", "start-up: sandbox, interpreter, torch, IPython, guard"),
        ("cells", "the notebook's cells, once"),
        ("probes", "probes: hidden inputs, in forks"),
        ("judge", "judge (grader process)"),
    ):
        rows.append(
            (
                f"(b) {label}",
                [mean([m.get("phases", {}).get(phase, 0.0) for m in profiles[a][0].values()]) for a in names],
            )
        )
    rows.append(
        (
            "(b) recording (single writer: gradebook, notebook)",
            [profiles[a][3]["recording"] / max(1, profiles[a][3]["graded"]) for a in names],
        )
    )
    print(f"\nprofile of (b), mean seconds per submission{'':<12}" + "".join(f"{a:>20}" for a in names))
    for label, values in rows:
        print(f"{label:<56}" + "".join(f"{v:>20.3f}" for v in values))
    print(
        f"{'(b) grader start-up, once per run: imports + set-up':<56}"
        + "".join(f"{profiles[a][3]['imports'] + profiles[a][3]['startup']:>20.2f}" for a in names)
    )

    print(f"\npeak memory, MiB{'':<40}" + "".join(f"{a:>20}" for a in names))
    mib = lambda kb: f"{kb / 1024:>20.0f}"  # noqa: E731
    print(
        f"{'(b) grader process (all workers share it)':<56}" + "".join(mib(profiles[a][3]["maxrss_kb"]) for a in names)
    )
    for label, kinds in (
        ("reference and correct variants", ("reference", "variants")),
        ("all submissions", ("reference", "variants", "mistakes", "stubs")),
    ):
        ours, floor = [], []
        for a in names:
            meta, floor_rss = profiles[a][0], profiles[a][1]
            picked = {s: m.get("max_rss_kb", 0) for s, m in meta.items() if s.startswith(kinds)}
            top = max(picked, key=picked.get)
            ours.append(mib(picked[top]))
            floor.append(mib(floor_rss.get(top, 0)))
        print(f"{'(b) largest student process, ' + label:<56}" + "".join(ours))
        print(f"{'    (c) the same submission run by the floor':<56}" + "".join(floor))


def _autograded_meta(course, assignment):
    """student -> the engine's metadata in their autograded notebook."""
    out = {}
    for path in (course / "autograded").glob(f"*/{assignment}/{assignment}.ipynb"):
        out[path.parent.parent.name] = nbformat.read(path, as_version=4).metadata.get("autograder", {})
    return out


if __name__ == "__main__":
    main()
