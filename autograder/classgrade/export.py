"""`autograder export`: the class's scores as CSV (one row per student) or Gradescope results.json files."""

import csv
import json
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from ..course import ASSIGNMENTS
from ..engine.results import read_record
from .autograde import load_coursedir


def scores_by_student(coursedir):
    """student -> {exercise id: score or None (not graded)}, from nbgrader's gradebook."""
    table = {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        for student in gb.students:
            row = table.setdefault(student.id, {})
            for assignment in ASSIGNMENTS.values():
                for exercise in assignment.exercises:
                    try:
                        grade = gb.find_grade(exercise.test_cell, assignment.id, assignment.id, student.id)
                    except MissingEntry:
                        row[exercise.id] = None
                        continue
                    row[exercise.id] = grade.score
    return table


def export_csv(course_root, path):
    coursedir = load_coursedir(course_root)
    exercises = [e for a in ASSIGNMENTS.values() for e in a.exercises]
    table = scores_by_student(coursedir)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", *[e.id for e in exercises], "total"])
        for student in sorted(table):
            row = table[student]
            values = [row.get(e.id) for e in exercises]
            writer.writerow(
                [
                    student,
                    *["" if v is None else f"{v:g}" for v in values],
                    f"{sum(v for v in values if v is not None):g}",
                ]
            )
    return len(table)


def export_gradescope(course_root, directory):
    """One results.json per graded submission: DIR/<student>/<assignment>/results.json."""
    coursedir = load_coursedir(course_root)
    count = 0
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    for assignment in ASSIGNMENTS:
        for path in sorted(autograded.glob(f"*/{assignment}/{assignment}.ipynb")):
            record = read_record(nbformat.read(path, as_version=4))
            results = record.results if record else None
            if not results:
                continue
            target = Path(directory) / path.parent.parent.name / assignment / "results.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(results, ensure_ascii=False, indent=2))
            count += 1
    return count
