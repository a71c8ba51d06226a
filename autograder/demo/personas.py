"""Simulated students for the demo: what each one writes in each solution cell.

`reference` copies the instructor's solutions; `stubs` submits the release
untouched; `mistakes` makes the error each exercise's judge names as typical
(`MISTAKE` in `autograder/exercises/<id>/judge.py`), so the demo shows partial
credit and the pt-BR messages.
"""

import re

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", re.M)


def mistakes():
    """grade_id -> the typical mistake each exercise's judge names (its MISTAKE)."""
    from ..course import EXERCISES
    from ..exercises import judge

    return {exercise_id: judge(exercise_id).MISTAKE for exercise_id in EXERCISES}


def reference_answers(source_nb):
    """grade_id -> the instructor's solution, without the SOLUTION markers."""
    answers = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = SOLUTION_MARKERS.sub("", cell.source)
    return answers


def fill(notebook, answers):
    """Write ``answers`` (grade_id -> source) into a notebook's solution cells, in place."""
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]].strip("\n") + "\n"
    return notebook
