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

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearOutput, LimitOutput, NbGraderPreprocessor,
    OverwriteKernelspec, SaveAutoGrades)
from traitlets import Bool, Float, Integer

from .course import get_assignment
from .grade.engine import GradeOptions, grade_restored, load_sources
from .grade.restore import grade_id, nbgrader_meta, restore
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
        verdicts = {f"test_{e.id}": e for e in grade.exercises}
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            result = verdicts.get(grade_id(cell))
            if result is not None and nbgrader_meta(cell).get("grade"):
                cell.outputs = verdict_outputs(result)
        self.log.info("engine: %s %g/%g in %.1f s", resources["nbgrader"]["student"], grade.score,
                      grade.max_score, grade.execution_time)
        return nb, resources


def verdict_outputs(result):
    """A stdout report plus the score as the cell's result: nbgrader reads it as partial credit."""
    lines = [f"Exercício {result.number} — {result.title}: {result.score:g}/{result.max_score:g} pontos"]
    lines += [f"✗ {m}" for m in result.messages] or ["✓ todas as verificações passaram"]
    return [
        nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(result.score))},
                               execution_count=None),
    ]


def configure(c):
    """Plug the engine into `nbgrader autograde`; call from nbgrader_config.py."""
    c.Autograde.sanitize_preprocessors = [ClearOutput, RestoreCells, OverwriteKernelspec, CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [EngineGrade, LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                           CheckCellMetadata]
