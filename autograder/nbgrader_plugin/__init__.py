"""nbgrader integration: the engine's verdicts inside nbgrader's own autograde, and a sandboxed validate.

`configure(c)` (called from the course's nbgrader_config.py) replaces two steps
of `nbgrader autograde`:

- sanitize: `RestoreCells` rebuilds the submission from the instructor's source
  by grade_id (instead of nbgrader's OverwriteCells, which trusts the
  submission's metadata and aborts on duplicated or re-typed cells);
- autograde: `EngineGrade` runs the engine (one sandboxed process per notebook,
  judged outside it) instead of executing the notebook in a kernel, and writes
  each test cell's outputs so that nbgrader's SaveAutoGrades records the
  engine's partial credit and the feedback shows its pt-BR messages.

and points nbgrader's Execute (`nbgrader validate`) at the sandboxed kernel of
`kernel.py`. Everything else (gradebook, formgrader, export, generate_feedback)
is stock nbgrader. Loading the configuration installs nothing: the kernelspec
is installed by `make` or `autograder install-kernel`.
"""

import os
import secrets
import sys

from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    LimitOutput,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from .preprocessors import EngineGrade, RestoreCells


def configure(c):
    """Plug the engine into `nbgrader autograde` and `nbgrader validate`; call from nbgrader_config.py."""
    from jupyter_core.paths import jupyter_runtime_dir

    from .kernel import KERNEL_NAME, kernelspec_problem

    c.Autograde.sanitize_preprocessors = [ClearOutput, RestoreCells, OverwriteKernelspec, CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [
        EngineGrade,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]

    # Anything that executes a notebook through nbgrader's Execute (nbgrader validate, above all)
    # runs it in the sandboxed kernel, never in a plain kernel. That kernel has no network, so the
    # client talks to it over unix sockets (the ipc transport); their prefix goes in a per-process
    # name in the Jupyter runtime folder, not the notebook's folder.
    c.Execute.kernel_name = KERNEL_NAME
    c.KernelManager.transport = "ipc"
    prefix = os.path.join(jupyter_runtime_dir(), f"autograder-{os.getpid()}-{secrets.token_hex(4)}-ipc")
    if len(prefix) < 96:  # a unix socket's path has ~107 bytes; longer: jupyter_client's relative default
        c.KernelManager.ip = prefix
    problem = kernelspec_problem()
    if problem:
        print(
            f"AUTOGRADER WARNING: {problem}; `nbgrader validate` needs it: run `autograder install-kernel`",
            file=sys.stderr,
        )


__all__ = ["configure", "EngineGrade", "RestoreCells"]
