"""nbgrader integration: the engine's verdicts inside nbgrader's own autograde.

`configure(c)` (called from the course's nbgrader_config.py) replaces two steps
of `nbgrader autograde`:

- sanitize: `RestoreCells` rebuilds the submission from the instructor's source
  by grade_id (instead of nbgrader's OverwriteCells, which trusts the
  submission's metadata and aborts on duplicated or re-typed cells);
- autograde: `EngineGrade` runs the engine (one sandboxed process per exercise,
  judged outside it) instead of executing the notebook in a kernel, and writes
  each test cell's outputs so that nbgrader's SaveAutoGrades records the
  engine's partial credit and the feedback shows its pt-BR messages.

Everything after that (gradebook, formgrader, export, generate_feedback) is
stock nbgrader.
"""

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearOutput, LimitOutput, NbGraderPreprocessor,
    OverwriteKernelspec, SaveAutoGrades)
from traitlets import Bool, Float, Integer

from .course import get_assignment
from .grade.engine import GradeOptions, grade_restored, load_sources
from .grade.record import annotate
from .grade.restore import restore
from .grade.sandbox import Limits, make_launcher


def _course_root(preprocessor):
    return CourseDirectory(config=preprocessor.config).root


class RestoreCells(NbGraderPreprocessor):
    """Rebuild the submission around the instructor's cells (see autograder.grade.restore)."""

    def preprocess(self, nb, resources):
        assignment_id = resources["nbgrader"]["assignment"]
        _, source, release = load_sources(_course_root(self), assignment_id)
        restored = restore(nb, source, release)
        restored.metadata = nb.metadata  # kernelspec etc. are checked by OverwriteKernelspec
        return restored, resources


class EngineGrade(NbGraderPreprocessor):
    """Grade with the engine; put its verdict in each autograded test cell's outputs."""

    exercise_timeout = Float(60.0, help="Wall-clock seconds for one exercise's process.").tag(config=True)
    submission_timeout = Float(600.0, help="Wall-clock seconds for one whole notebook.").tag(config=True)
    memory_limit_mb = Integer(4096, help="Address-space limit of student code, MiB.").tag(config=True)
    cpu_limit_s = Integer(600, help="CPU-seconds limit of one student process.").tag(config=True)
    require_sandbox = Bool(False, help="Refuse to grade without bubblewrap.").tag(config=True)

    def preprocess(self, nb, resources):
        assignment = get_assignment(resources["nbgrader"]["assignment"])
        launcher = make_launcher(require=self.require_sandbox,
                                 limits=Limits(memory_mb=self.memory_limit_mb, cpu_seconds=self.cpu_limit_s))
        options = GradeOptions(course_root=_course_root(self), exercise_timeout=self.exercise_timeout,
                               submission_timeout=self.submission_timeout, launcher=launcher)
        grade = grade_restored(nb, assignment, options)
        annotate(nb, grade)
        self.log.info("engine: %s %g/%g in %.1f s", resources["nbgrader"]["student"], grade.score,
                      grade.max_score, grade.execution_time)
        return nb, resources


def configure(c):
    """Plug the engine into `nbgrader autograde`; call from nbgrader_config.py."""
    c.Autograde.sanitize_preprocessors = [ClearOutput, RestoreCells, OverwriteKernelspec, CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [EngineGrade, LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                           CheckCellMetadata]

    # Anything that executes a notebook through nbgrader's Execute (nbgrader validate, above all)
    # runs it in the sandboxed kernel of autograder.grade.kernel, never in a plain kernel. That
    # kernel has no network, so the client talks to it over unix sockets (the ipc transport); their
    # prefix goes in a per-process name in the Jupyter runtime folder, not the notebook's folder.
    import os
    import secrets
    import sys
    from jupyter_core.paths import jupyter_runtime_dir
    from .grade.kernel import KERNEL_NAME, ensure_kernelspec

    c.Execute.kernel_name = KERNEL_NAME
    c.KernelManager.transport = "ipc"
    prefix = os.path.join(jupyter_runtime_dir(), f"autograder-{os.getpid()}-{secrets.token_hex(4)}-ipc")
    if len(prefix) < 96:  # a unix socket's path has ~107 bytes; longer: jupyter_client's relative default
        c.KernelManager.ip = prefix
    error = ensure_kernelspec()  # installs the kernelspec in sys.prefix when missing or outdated
    if error:
        print(f"AUTOGRADER WARNING: could not install the {KERNEL_NAME} kernelspec ({error}); run "
              f"`{sys.executable} -I -m autograder.grade.kernel --install --user`", file=sys.stderr)
