"""Grading time per submission, this checkout against another one (a baseline), side by side.

    python tests/bench_ab.py /path/to/baseline-checkout [--rounds 5]

Writes the same submissions (reference answers and the typical mistakes of
both first assignments), then grades each one with `autograder grade --json`
from this checkout and from the baseline, alternating A, B, B, A... so that
load on the machine falls on both alike, and prints, per assignment, the mean
and median of the engine's own time (results.json's execution_time) and of
the whole command, and the ratios this/baseline. Both use this checkout's
virtual environment; the baseline's package is put first on PYTHONPATH.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from support import ROOT, reference_answers, write_submission  # noqa: E402

from autograder.demo import personas  # noqa: E402

ASSIGNMENTS = ("tensors_autograd", "linear_regression")


def grade(checkout, notebook, secret):
    env = dict(os.environ, AUTOGRADER_SECRET=secret, PYTHONPATH=str(checkout), AUTOGRADER_COURSE=str(checkout))
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", str(notebook), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=checkout,
    )
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{checkout}: autograder grade failed:\n{proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    return report["execution_time"], wall, report["score"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, help="another checkout of this project (e.g. a git worktree)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--this", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    args = parser.parse_args()
    checkouts = {"this": args.this.resolve(), "baseline": args.baseline.resolve()}
    work = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    mistakes = personas.mistakes()
    print(f"{'assignment':<20}{'':<10}{'engine s (mean / median)':>28}{'command s (mean / median)':>30}")
    for assignment in ASSIGNMENTS:
        reference = reference_answers(assignment)
        own = {e: mistakes[e] for e in reference if e in mistakes}
        notebooks = []
        for kind, answers in (("reference", reference), ("mistakes", {**reference, **own})):
            (work / f"{assignment}-{kind}").mkdir(parents=True)
            notebooks.append(write_submission(work / f"{assignment}-{kind}", assignment, answers))
        times = {name: ([], []) for name in checkouts}
        scores = {name: set() for name in checkouts}
        order = ["this", "baseline"]
        for _ in range(args.rounds):
            for notebook in notebooks:
                for name in order:
                    engine, wall, score = grade(checkouts[name], notebook, "bench-ab-secret")
                    times[name][0].append(engine)
                    times[name][1].append(wall)
                    scores[name].add((notebook.parent.name, score))
                order.reverse()
        for name in checkouts:
            engine, wall = times[name]
            print(
                f"{assignment:<20}{name:<10}{statistics.mean(engine):>14.2f} / {statistics.median(engine):<11.2f}"
                f"{statistics.mean(wall):>16.2f} / {statistics.median(wall):<11.2f}"
            )
        ratio = statistics.mean(times["this"][0]) / statistics.mean(times["baseline"][0])
        ratio_wall = statistics.mean(times["this"][1]) / statistics.mean(times["baseline"][1])
        print(f"{'':<20}{'this/base':<10}{ratio:>14.2f}x{'':<13}{ratio_wall:>16.2f}x")
        print(f"{'':<20}scores this {sorted(scores['this'])}, baseline {sorted(scores['baseline'])}")
    print(f"({args.rounds} rounds, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
