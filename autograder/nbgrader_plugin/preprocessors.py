"""The two steps of `nbgrader autograde` this course replaces: restore cells, then grade with the engine."""

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer, Unicode

from ..course import get_assignment
from ..engine import grade_plan, load_sources
from ..engine.plan import make_plan
from ..engine.report import gradescope
from ..engine.restore import restore
from ..engine.results import annotate
from ..settings import DEFAULTS, VISIBILITIES, resolve


def _course_root(preprocessor):
    return CourseDirectory(config=preprocessor.config).root


class RestoreCells(NbGraderPreprocessor):
    """Rebuild the submission around the instructor's cells (see autograder.engine.restore)."""

    def preprocess(self, nb, resources):
        assignment_id = resources["nbgrader"]["assignment"]
        _, source, release = load_sources(_course_root(self), assignment_id)
        restored = restore(nb, source, release)
        restored.metadata = nb.metadata  # kernelspec etc. are checked by OverwriteKernelspec
        return restored, resources


class EngineGrade(NbGraderPreprocessor):
    """Grade with the engine; put its verdict in each autograded test cell's outputs.

    The traits' defaults are the engine's (`autograder.settings.DEFAULTS`); a trait set in
    nbgrader_config.py wins over the matching AUTOGRADER_* variable.
    """

    exercise_timeout = Float(DEFAULTS.exercise_timeout, help="Wall-clock seconds for one exercise.").tag(config=True)
    submission_timeout = Float(DEFAULTS.submission_timeout, help="Wall-clock seconds for one whole notebook.").tag(
        config=True
    )
    memory_limit_mb = Integer(DEFAULTS.memory_mb, help="Address-space limit of student code, MiB.").tag(config=True)
    cpu_limit_s = Integer(DEFAULTS.cpu_seconds, help="CPU-seconds limit of one student process.").tag(config=True)
    require_sandbox = Bool(DEFAULTS.require_sandbox, help="Refuse to grade without bubblewrap.").tag(config=True)
    message_visibility = Unicode(
        DEFAULTS.message_visibility, help=f"Gradescope visibility of the messages: {', '.join(VISIBILITIES)}."
    ).tag(config=True)

    def _given(self, trait):
        """The trait's value if nbgrader_config.py set it, else None (the environment or the default decides)."""
        name = type(self).__name__
        section = self.config[name] if name in self.config else {}
        return getattr(self, trait) if trait in section else None

    def settings(self):
        return resolve(
            course_root=_course_root(self),
            exercise_timeout=self._given("exercise_timeout"),
            submission_timeout=self._given("submission_timeout"),
            memory_mb=self._given("memory_limit_mb"),
            cpu_seconds=self._given("cpu_limit_s"),
            require_sandbox=self._given("require_sandbox"),
            message_visibility=self._given("message_visibility"),
        )

    def preprocess(self, nb, resources):
        assignment = get_assignment(resources["nbgrader"]["assignment"])
        settings = self.settings()
        grade = grade_plan(make_plan(nb, assignment), settings)
        annotate(nb, grade, results=gradescope(grade, settings.message_visibility))
        self.log.info(
            "engine: %s %g/%g in %.1f s",
            resources["nbgrader"]["student"],
            grade.score,
            grade.max_score,
            grade.execution_time,
        )
        return nb, resources
