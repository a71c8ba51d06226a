"""Seeds for the hidden inputs: a course secret and the submission's content.

Re-grading the same submission draws the same inputs, so it gets the same
score; a student cannot know the inputs without the secret.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = ".autograder_secret"


def course_secret(course_root):
    """The course's secret file (created on first use); AUTOGRADER_SECRET, if set, is `Settings.secret`."""
    path = Path(course_root) / SECRET_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        value = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as f:
            f.write(value)
        return value


def submission_digest(notebook):
    h = hashlib.sha256()
    for cell in notebook.cells:
        h.update(cell.cell_type.encode() + b"\0" + cell.source.encode() + b"\0")
    return h.hexdigest()


def exercise_seed(secret, assignment_id, exercise_id, digest):
    mac = hmac.new(secret, f"{assignment_id}/{exercise_id}/{digest}".encode(), hashlib.sha256)
    return int.from_bytes(mac.digest()[:8], "big")
