"""The one place where the hub calls the engine (kept small: the engine's package may be renamed).

``precheck(notebook_path, assignment_id, course_root)`` grades one submitted
notebook in the sandbox and returns plain data for the student: per exercise
its number, pt-BR title, points and the engine's pt-BR messages (which checks
failed and why; the engine never quotes hidden expected values).
"""

from ..engine import BadSubmission, GradingError, grade_notebook
from ..settings import resolve

__all__ = ["BadSubmission", "GradingError", "precheck"]

PRECHECK_SUBMISSION_TIMEOUT = 300.0  # a pre-check is feedback, not the final grade: shorter than autograde's


def precheck(
    notebook_path,
    assignment_id,
    course_root,
    *,
    exercise_timeout=None,
    submission_timeout=PRECHECK_SUBMISSION_TIMEOUT,
    memory_mb=None,
    require_sandbox=True,
):
    settings = resolve(
        course_root=course_root,
        exercise_timeout=exercise_timeout,
        submission_timeout=submission_timeout,
        memory_mb=memory_mb,
        require_sandbox=require_sandbox,
    )
    grade = grade_notebook(notebook_path, assignment_id, settings)
    return {
        "assignment": grade.assignment,
        "score": grade.score,
        "max_score": grade.max_score,
        "seconds": round(grade.execution_time, 1),
        "exercises": [
            {
                "number": e.number,
                "id": e.id,
                "title": e.title,
                "score": e.score,
                "max_score": e.max_score,
                "messages": list(e.messages),
            }
            for e in grade.exercises
        ],
    }
