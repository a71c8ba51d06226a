"""How a notebook's grade is shown: a terminal table, or Gradescope's results.json."""

from ..settings import DEFAULTS


def gradescope(grade, visibility=DEFAULTS.message_visibility):
    """A Gradescope `results.json` object for one graded notebook (the autograder results spec).

    One test per exercise, with its score and its pt-BR messages; ``visibility``
    (visible, after_due_date, after_published, hidden) applies to those tests,
    so an instructor can keep the messages until the due date; the total is
    always visible, and the grader's own stdout never is.
    """
    return {
        "score": grade.score,
        "max_score": grade.max_score,
        "execution_time": round(grade.execution_time, 2),
        "output": f"{grade.assignment}: {grade.score:g}/{grade.max_score:g} pontos",
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": e.title,
                "number": str(e.number),
                "tags": [e.id],
                "score": e.score,
                "max_score": e.max_score,
                "status": "passed" if e.score == e.max_score else "failed",
                "output": "\n".join(e.messages) if e.messages else "Tudo certo.",
                "output_format": "text",
                "visibility": visibility,
            }
            for e in grade.exercises
        ],
    }


def table(grade):
    """A plain-text table: one row per exercise, its messages below it."""
    names = [f"{e.title} ({e.id})" for e in grade.exercises]
    width = max(len(n) for n in names)
    rule = "-" * (width + 18)
    lines = [grade.assignment, rule]
    for e, name in zip(grade.exercises, names):
        lines.append(f"{e.number:>2}  {name:<{width}}  {e.score:>5g} / {e.max_score:g}")
        lines.extend(f"      ✗ {m}" for m in e.messages)
    lines += [rule, f"    {'total':<{width}}  {grade.score:>5g} / {grade.max_score:g}   ({grade.execution_time:.1f} s)"]
    return "\n".join(lines)
