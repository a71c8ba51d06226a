"""The student-side half of the hidden checks.

This package is the only grader code that runs inside the student's process.
It calls the student's functions on inputs sent by the judge and reports what
it observed as plain data (JSON). It never holds reference answers, expected
values or scoring logic, and it imports nothing from the rest of `autograder`,
so the engine can copy it alone next to the submission.
"""
