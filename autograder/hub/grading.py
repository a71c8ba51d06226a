"""The one place where the hub calls the engine (kept small: the engine's package may be renamed).

``precheck(notebook_path, assignment_id, course_root)`` grades one submitted
notebook in the sandbox and returns plain data for the student: per exercise
its number, pt-BR title, points and the engine's pt-BR messages (which checks
failed and why; the engine never quotes hidden expected values).
"""

from ..grade.engine import BadSubmission, GradeOptions, GradingError, grade_notebook
from ..grade.sandbox import Limits, make_launcher

__all__ = ["BadSubmission", "GradingError", "precheck"]


def precheck(notebook_path, assignment_id, course_root, *, exercise_timeout=60.0, submission_timeout=300.0,
             memory_mb=4096, require_sandbox=True):
    launcher = make_launcher(require=require_sandbox, limits=Limits(memory_mb=memory_mb))
    options = GradeOptions(course_root=course_root, exercise_timeout=exercise_timeout,
                           submission_timeout=submission_timeout, launcher=launcher)
    grade = grade_notebook(notebook_path, assignment_id, options)
    return {
        "assignment": grade.assignment,
        "score": grade.score,
        "max_score": grade.max_score,
        "seconds": round(grade.execution_time, 1),
        "exercises": [{"number": e.number, "id": e.id, "title": e.title, "score": e.score,
                       "max_score": e.max_score, "messages": list(e.messages)} for e in grade.exercises],
    }
