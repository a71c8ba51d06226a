"""`autograder similarity ASSIGNMENT`: which submissions of a class are suspiciously alike.

Reads the collected submissions (``submitted/<student>/<assignment>/``), takes the
text of each solution cell (``extract``), compares every pair of students that
share a fingerprint with copydetect's winnowing (``engine``), saves the result
beside the class report (``reports/<assignment>.similarity.json``) and rebuilds
the report, whose "Envios parecidos" section shows the most alike pairs with
the shared code highlighted (``report``). A pair is flagged at or above the
threshold; that is a reason to look, not a verdict.
"""

import time
from pathlib import Path

from ..classgrade.autograde import CourseError, find_submissions, load_coursedir
from ..course import get_assignment
from ..engine import BadSubmission, load_sources
from .extract import given_text, submission_parts
from .store import save


def run_similarity(course_root, assignment_id, settings=None):
    """Compare the class; save the result; return it (a dict, as saved). Raises CourseError."""
    from .engine import Comparison, compare_class  # copydetect, and the matplotlib it imports: only here

    settings = settings or Comparison()
    start = time.monotonic()
    coursedir = load_coursedir(course_root)
    assignment = get_assignment(assignment_id)
    _, source, release = load_sources(coursedir.root, assignment.id)
    if release is None:
        raise CourseError(
            f"no release notebook for '{assignment.id}' (the stubs to subtract): run "
            f"`nbgrader generate_assignment {assignment.id}` first"
        )
    subs = find_submissions(coursedir, assignment.id)
    if len(subs) < 2:
        raise CourseError(
            f"{len(subs)} submission(s) of '{assignment.id}' under "
            f"{Path(coursedir.root) / coursedir.submitted_directory}: nothing to compare "
            "(run `nbgrader collect` first)"
        )
    parts, skipped, truncated = {}, [], []
    given = given_text(release)
    for sub in subs:
        try:
            parts[sub.student] = submission_parts(sub.path, source, release, given)
        except BadSubmission as exc:
            skipped.append([sub.student, str(exc).splitlines()[0]])
            continue
        if any(p.truncated for p in parts[sub.student].values()):
            truncated.append(sub.student)
    pairs, stats = compare_class(parts, given, settings)
    stats["seconds"] = round(time.monotonic() - start, 2)
    result = {
        "assignment": assignment.id,
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "settings": {
            "threshold": settings.threshold,
            "noise": settings.noise,
            "window": settings.window,
            "common": stats["common_limit"],
            "top": settings.top,
        },
        "stats": stats,
        "submissions": {sub.student: sub.sha256 for sub in subs},
        "skipped": skipped,
        "truncated": truncated,
        # every compared pair's scores; the details (texts, shared stretches) of those the report shows
        "scores": [[p.a, p.b, round(p.score, 4), round(p.score_a, 4), round(p.score_b, 4)] for p in pairs],
        "pairs": [pair_dict(p) for i, p in enumerate(pairs) if p.flagged or i < settings.top],
    }
    save(coursedir.root, result)
    return result


def pair_dict(p):
    return {
        "a": p.a,
        "b": p.b,
        "score": round(p.score, 4),
        "score_a": round(p.score_a, 4),
        "score_b": round(p.score_b, 4),
        "flagged": p.flagged,
        "cells": {cell: [round(sa, 4), round(sb, 4)] for cell, (sa, sb) in p.cells.items()},
        "matches": [
            {
                "cell": m.cell,
                "unit": m.unit,
                "kind": m.kind,
                "score_a": round(m.score_a, 4),
                "score_b": round(m.score_b, 4),
                "text_a": m.text_a,
                "text_b": m.text_b,
                "shared_a": m.shared_a,
                "shared_b": m.shared_b,
            }
            for m in p.matches
        ],
    }
