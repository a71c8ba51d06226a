"""The `autograder` command line: one subcommand per verb; flags resolve into one Settings object."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .course import ASSIGNMENTS
from .settings import DEFAULTS, VISIBILITIES, SettingsError, resolve

SIMILARITY_THRESHOLD = 0.7  # autograder.similarity.engine.THRESHOLD, without importing copydetect at start-up


def find_course_root(explicit=None):
    """--course, else AUTOGRADER_COURSE, else the nearest folder up with nbgrader_config.py and solutions/."""
    if explicit:
        return Path(explicit).resolve()
    from_environment = resolve().course_root
    if from_environment != DEFAULTS.course_root:
        return from_environment.resolve()
    for base in [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parent.parent]:
        if (base / "nbgrader_config.py").exists() and (base / "solutions").is_dir():
            return base
    return Path.cwd()


def settings_from(args):
    """The run's Settings: these flags, then AUTOGRADER_* variables, then the defaults."""
    return resolve(
        course_root=find_course_root(getattr(args, "course", None)),
        exercise_timeout=getattr(args, "timeout", None),
        memory_mb=getattr(args, "memory_mb", None),
        sandbox=False if getattr(args, "no_sandbox", False) else None,
        require_sandbox=True if getattr(args, "require_sandbox", False) else None,
        message_visibility=getattr(args, "visibility", None),
    )


def fail(message):
    print(f"autograder: error: {message}", file=sys.stderr)
    return 2


def cmd_grade(args):
    from .engine import BadSubmission, GradingError, grade_notebook
    from .engine.report import gradescope, table
    from .engine.sandbox import SandboxUnavailable

    try:
        settings = settings_from(args)
        grade = grade_notebook(args.notebook, args.assignment, settings)
    except (BadSubmission, SandboxUnavailable, GradingError, SettingsError) as exc:
        return fail(exc)
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback, whatever the notebook holds
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        return fail(
            f"could not grade {args.notebook} ({exc.__class__.__name__}: {detail}); the grader failed, not the student"
        )
    if args.json:
        json.dump(gradescope(grade, settings.message_visibility), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(table(grade))
    return 0


def cmd_autograde(args):
    import resource

    from .classgrade.autograde import CourseError, autograde
    from .engine.sandbox import SandboxUnavailable

    try:
        settings = settings_from(args)
        called = time.monotonic()
        executor = None
        if args.cluster:
            from .classgrade.cluster import DaskCluster

            executor = DaskCluster(args.cluster)
        summary = autograde(
            settings,
            args.assignment,
            student=args.student or "*",
            force=args.force,
            executor=executor,
        )
    except (CourseError, SandboxUnavailable, SettingsError) as exc:
        return fail(exc)
    print(
        f"{len(summary.graded)} corrigidas, {len(summary.skipped)} já corrigidas antes, "
        f"{len(summary.failed)} com falha, em {summary.elapsed:.0f} s"
    )
    for sub, reason in summary.failed:
        print(f"  falhou: {sub.label}: {reason}")
    if args.timings:  # for `make bench`: where the grader process's own time went
        try:
            Path(args.timings).write_text(
                json.dumps(
                    {
                        "imports": round(called - args.started, 3),
                        "startup": round(summary.startup, 3),
                        "recording": round(summary.recording, 3),
                        "elapsed": round(summary.elapsed, 3),
                        "graded": len(summary.graded),
                        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                    }
                )
            )
        except OSError as exc:
            return fail(
                f"cannot write --timings {args.timings}: {exc.strerror} (the grades are recorded; give a writable file)"
            )
    return 1 if summary.failed else 0


def cmd_export(args):
    from .classgrade.export import export_csv, export_gradescope

    if not (args.csv or args.gradescope):
        return fail("give --csv FILE and/or --gradescope DIR")
    root = find_course_root(args.course)
    if args.csv:
        print(f"{export_csv(root, args.csv)} aluno(s) em {args.csv}")
    if args.gradescope:
        print(f"{export_gradescope(root, args.gradescope)} results.json em {args.gradescope}")
    return 0


def cmd_report(args):
    from .classgrade.report import build_report

    path = build_report(find_course_root(args.course), args.assignment, args.output)
    print(f"relatório: {path}")
    return 0


def cmd_similarity(args):
    if not 0 <= args.threshold <= 1:
        print("autograder: error: --threshold is a share between 0 and 1 (e.g. 0.7)", file=sys.stderr)
        return 2
    if os.environ.get("PYTHONHASHSEED", "random") == "random":
        # copydetect hashes its k-grams with Python's hash(), salted per process unless PYTHONHASHSEED is
        # set: the same class must give the same report, so start again (before the slow imports) unsalted
        again = (
            "import sys; del sys.path[0]; from autograder.cli import main; sys.exit(main())"  # not the cwd's modules
        )
        os.execve(sys.executable, [sys.executable, "-c", again, *sys.argv[1:]], dict(os.environ, PYTHONHASHSEED="0"))
    from .classgrade.autograde import CourseError
    from .classgrade.report import build_report
    from .similarity import run_similarity
    from .similarity.engine import Comparison
    from .similarity.report import summary_lines

    root = find_course_root(args.course)
    settings = Comparison(threshold=args.threshold, top=args.top, common=args.common)
    try:
        result = run_similarity(root, args.assignment, settings)
    except CourseError as exc:
        print(f"autograder: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(result)))
    print(f"relatório: {build_report(root, args.assignment, args.output)}")
    return 0


def cmd_demo(args):
    from .demo import run_demo

    return run_demo(find_course_root(args.course), keep=args.keep)


def cmd_install_kernel(args):
    from .nbgrader_plugin.kernel import KERNEL_NAME, install_kernelspec

    try:
        where = install_kernelspec(prefix=args.prefix, user=args.user)
    except Exception as exc:  # noqa: BLE001 - a read-only prefix, say
        return fail(f"cannot install the {KERNEL_NAME} kernelspec ({exc.__class__.__name__}: {exc}); try --user")
    print(f"{KERNEL_NAME}: {where}")
    return 0


def add_sandbox_options(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--require-sandbox",
        action="store_true",
        help="refuse to grade without the bubblewrap sandbox (also: AUTOGRADER_REQUIRE_SANDBOX=1)",
    )
    group.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student code without bubblewrap (limits and a process group only)",
    )
    parser.add_argument(
        "--memory-mb", type=int, help=f"address-space limit of student code, MiB (default {DEFAULTS.memory_mb})"
    )
    parser.add_argument("--timeout", type=float, help=f"seconds per exercise (default {DEFAULTS.exercise_timeout:g})")
    parser.add_argument(
        "--visibility",
        choices=VISIBILITIES,
        help=f"Gradescope visibility of the messages (default {DEFAULTS.message_visibility})",
    )


def build_parser():
    parser = argparse.ArgumentParser(prog="autograder", description="Auto-graded PyTorch exercises (pt-BR).")
    parser.add_argument("--course", help="course root (default: found from the current folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="grade one filled-in notebook, outside any course database")
    grade.add_argument("notebook", help="the .ipynb file to grade")
    grade.add_argument("--assignment", choices=sorted(ASSIGNMENTS), help="default: from the notebook's name")
    grade.add_argument("--json", action="store_true", help="print a Gradescope results.json object")
    add_sandbox_options(grade)
    grade.set_defaults(func=cmd_grade)

    autograde = sub.add_parser("autograde", help="grade every collected submission of an assignment, in parallel")
    autograde.add_argument("assignment", choices=sorted(ASSIGNMENTS))
    where = autograde.add_mutually_exclusive_group()
    where.add_argument(  # default None: argparse sees `--workers 2 --cluster ...` only if 2 is not the default
        "--workers", type=int, help=f"submissions graded at once, on this machine (default {DEFAULTS.workers})"
    )
    where.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="grade on a Dask cluster's workers (the scheduler's address, e.g. tcp://10.0.0.5:8786); "
        "this process records the grades",
    )
    autograde.add_argument("--student", help="only these students (a glob)")
    autograde.add_argument("--force", action="store_true", help="grade again submissions already graded")
    autograde.add_argument("--timings", metavar="FILE", help="write where the grader's time went (JSON)")
    add_sandbox_options(autograde)
    autograde.set_defaults(func=cmd_autograde)

    export = sub.add_parser("export", help="scores from the gradebook: CSV and/or Gradescope results.json")
    export.add_argument("--csv", metavar="FILE", help="one row per student, a column per exercise plus total")
    export.add_argument("--gradescope", metavar="DIR", help="one results.json per graded submission")
    export.set_defaults(func=cmd_export)

    report = sub.add_parser("report", help="HTML class report: score plots, frequent failures, not yet graded")
    report.add_argument("assignment", choices=sorted(ASSIGNMENTS))
    report.add_argument("--output", metavar="FILE", help="default: reports/<assignment>.html in the course")
    report.set_defaults(func=cmd_report)

    similarity = sub.add_parser(
        "similarity", help="the most alike pairs of submissions (copydetect), into the class report"
    )
    similarity.add_argument("assignment", choices=sorted(ASSIGNMENTS))
    similarity.add_argument(
        "--threshold",
        type=float,
        default=SIMILARITY_THRESHOLD,
        help=f"flag pairs at or above this similarity, 0..1 (default {SIMILARITY_THRESHOLD})",
    )
    similarity.add_argument("--top", type=int, default=30, help="pairs shown besides the flagged ones (default 30)")
    similarity.add_argument(
        "--common",
        type=int,
        metavar="N",
        help="ignore code that more than N submissions share (default: 10 or 5%% of the class)",
    )
    similarity.add_argument("--output", metavar="FILE", help="the report (default: reports/<assignment>.html)")
    similarity.set_defaults(func=cmd_similarity)

    demo = sub.add_parser("demo", help="the whole nbgrader cycle on three simulated students")
    demo.add_argument("--keep", action="store_true", help="keep the temporary course folder")
    demo.set_defaults(func=cmd_demo)

    kernel = sub.add_parser("install-kernel", help="install the sandboxed kernel `nbgrader validate` uses")
    kernel.add_argument("--user", action="store_true", help="in the user's Jupyter folder")
    kernel.add_argument("--prefix", help="under PREFIX/share/jupyter/kernels (default: this Python's prefix)")
    kernel.set_defaults(func=cmd_install_kernel)
    return parser


def main(argv=None):
    started = time.monotonic()  # for --timings: the grader's own start-up
    args = build_parser().parse_args(argv)
    args.started = started
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
