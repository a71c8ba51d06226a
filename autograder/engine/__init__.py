"""One notebook's grading pipeline, in order: restore -> plan -> run (sandbox, channel) -> judge -> results.

`grade_notebook(path, assignment, settings)` runs it all for a file;
`grade_plan(plan, settings)` from a restored notebook's plan. (Exported lazily:
importing one stage, `engine.restore` say, does not import the whole pipeline.)
"""

_EXPORTS = ("BadSubmission", "GradingError", "grade_notebook", "grade_plan", "load_sources")


def __getattr__(name):
    if name in _EXPORTS:
        from . import grade

        return getattr(grade, name)
    raise AttributeError(name)


__all__ = list(_EXPORTS)
