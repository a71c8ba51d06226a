"""Where a comparison is kept: ``reports/<assignment>.similarity.json``, beside the class report."""

import json
from pathlib import Path

from ..classgrade.autograde import find_submissions, load_coursedir


def result_path(course_root, assignment_id):
    coursedir = load_coursedir(course_root)
    return Path(coursedir.root) / "reports" / f"{assignment_id}.similarity.json"


def save(course_root, result):
    path = result_path(course_root, result["assignment"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def load(course_root, assignment_id):
    """The saved comparison, or None if there is none (or it cannot be read)."""
    try:
        return json.loads(result_path(course_root, assignment_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def submissions_changed(course_root, result):
    """Students whose submission was added, changed or removed since ``result`` was computed."""
    coursedir = load_coursedir(course_root)
    now = {sub.student: sub.sha256 for sub in find_submissions(coursedir, result["assignment"])}
    before = result.get("submissions", {})
    return sorted(s for s in set(now) | set(before) if now.get(s) != before.get(s))
