"""Gradebook writes that survive another writer of the same gradebook.

`autograder autograde` is the single writer of its run, but an instructor may
autograde a student from the formgrader meanwhile (another process, another
database session). nbgrader's ``update_or_create_student`` and
``update_or_create_submission`` look a row up and insert it when missing: when
both processes do that for the same student at the same moment, the second
insert breaks the unique constraint (``InvalidEntry``/``IntegrityError``), and
PostgreSQL may also abort one of two transactions that update the same grades
in a different order (deadlock). Both are safe to retry: the other process's
row is there now, and every write here sets absolute values.
"""

import time

from nbgrader.api import InvalidEntry, MissingEntry
from sqlalchemy.exc import IntegrityError, OperationalError

#: what a concurrent writer can cause; nbgrader turns its own IntegrityErrors into InvalidEntry
CONFLICTS = (IntegrityError, OperationalError, InvalidEntry)


def with_retries(gb, action, attempts=5, pause=0.1):
    """``action()``; on a write conflict, roll ``gb``'s session back and try again (the last error propagates)."""
    for attempt in range(attempts):
        try:
            return action()
        except CONFLICTS:
            gb.db.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(pause * (attempt + 1))


def ensure_submission(gb, assignment_id, student_id):
    """Create the student's and submission's rows unless they exist, retrying a concurrent creation.

    nbgrader's autograde creates them first thing anyway (``Autograde.init_assignment``),
    racing with any other writer; once they exist, it only updates them.
    """

    def create():
        gb.update_or_create_student(student_id)
        gb.update_or_create_submission(assignment_id, student_id)

    try:
        with_retries(gb, create)
    except MissingEntry:
        pass  # no such assignment in the gradebook: nbgrader's own autograde says so, in its words
