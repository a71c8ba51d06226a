"""The process that runs nbgrader's slow formgrader and Validate actions for the server extension.

Started by ``autograder.lab.extension`` (``python -m autograder.lab.worker``) and
kept for the next request. One JSON request per line on stdin, one JSON answer
per line on the original stdout; everything else the work prints goes to
stderr (the Jupyter server's log). Each request is what the stock handler
would have done inside the server process:

- ``api``: ``NbGraderAPI(coursedir, authenticator, config)`` built from the
  formgrader's own config (pickled by the server, so the course's
  ``nbgrader_config.py`` is read exactly once, by the server), then
  ``getattr(api, method)(*args)``: autograde, generate_feedback, collect, ...
- ``validate``: nbgrader's ``ValidateAssignmentHandler.validate_notebook``.

Running here rather than in a server thread matters: nbgrader's converters
``os.chdir`` into the course and set ``NBGRADER_EXECUTION`` in ``os.environ``,
which would leak into the server's other requests and kernels.
"""

import base64
import json
import logging
import os
import pickle
import sys
import traceback


def run_api(req):
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    config = pickle.loads(base64.b64decode(req["config"]))
    os.chdir(req["cwd"])
    coursedir = CourseDirectory(config=config, root=req["root"])
    api = NbGraderAPI(coursedir, Authenticator(config=config), config=config)
    api.log.setLevel(req.get("log_level", logging.INFO))  # what the formgrader's log shows, as stock
    if req["method"] == "autograde":
        prepare_autograde(coursedir, *req["args"])
    return getattr(api, req["method"])(*req["args"])


def prepare_autograde(coursedir, assignment_id, student_id):
    """The submission's gradebook rows, created with retries before nbgrader's autograde runs.

    nbgrader would create them itself, first thing, but without retrying when
    `autograder autograde` (or another grader) creates the same rows at the same
    moment; then the formgrader reports a unique-constraint error. Only for a
    collected submission: nbgrader reports a missing one, and no row is left behind.
    """
    from pathlib import Path

    from nbgrader.api import Gradebook

    from ..classgrade.gradebook_writes import ensure_submission

    if not Path(coursedir.format_path(coursedir.submitted_directory, student_id, assignment_id)).is_dir():
        return
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        ensure_submission(gb, assignment_id, student_id)


def run_validate(req):
    """``ValidateAssignmentHandler.validate_notebook`` (nbgrader 0.9), out of the server's process."""
    from pathlib import Path

    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader
    from nbgrader.nbgraderformat import SchemaTooNewError, SchemaTooOldError
    from nbgrader.validator import Validator

    os.chdir(req["cwd"])
    root = Path(req["root_dir"]).resolve()
    target = (root / req["path"]).resolve()
    if not target.is_relative_to(root):
        return {"success": False, "value": "Access denied: path outside allowed directory"}
    fullpath = str(target)
    try:
        paths = jupyter_config_path()
        paths.insert(0, os.getcwd())
        app = NbGrader()
        app.config_file_paths.append(paths)
        app.load_config_file()
        result = Validator(config=app.config).validate(fullpath)
    except SchemaTooOldError:
        msg = (
            f"The notebook '{fullpath}' uses an old version of the nbgrader metadata format. Please **back up this "
            f"notebook** and then update the metadata using:\n\nnbgrader update {fullpath}\n"
        )
        return {"success": False, "value": msg}
    except SchemaTooNewError:
        msg = (
            f"The notebook '{fullpath}' uses a newer version of the nbgrader metadata format. Please update your "
            "version of nbgrader to the latest version to be able to use this notebook."
        )
        return {"success": False, "value": msg}
    except Exception:
        logging.getLogger("autograder.lab.worker").error(traceback.format_exc())
        return {"success": False, "value": traceback.format_exc()}
    return {"success": True, "value": result}


def main():
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever the work prints lands in the server's log, not in the answers
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="[autograder.lab worker %(levelname)s] %(message)s"
    )
    for line in sys.stdin:
        req = json.loads(line)
        try:
            result = (run_validate if req["kind"] == "validate" else run_api)(req)
        except BaseException:  # noqa: B036 (nbgrader apps call sys.exit on failure)
            result = {"success": False, "error": traceback.format_exc()}
        answers.write(json.dumps({"id": req["id"], "result": result}, default=str) + "\n")


if __name__ == "__main__":
    main()
