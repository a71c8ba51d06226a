"""One settings object for grading, resolved in one place, each default written once.

Where a value comes from, strongest first: an explicit argument (a CLI flag,
a trait set in `nbgrader_config.py`), an `AUTOGRADER_*` environment variable,
the default below. Reading settings installs, writes or starts nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")


@dataclass(frozen=True)
class Settings:
    course_root: Path = Path(".")
    exercise_timeout: float = 60.0  # wall-clock seconds for one exercise (its cells and its probe)
    submission_timeout: float = 600.0  # wall-clock seconds for the whole notebook, retries included
    memory_mb: int = 4096  # address space of a student process
    cpu_seconds: int = 600  # CPU seconds of a student process
    disk_mb: int = 256  # each of a sandbox's private home and /tmp
    sandbox: bool = True  # False: student code runs unsandboxed (limits and a process group)
    require_sandbox: bool = False  # True: refuse to grade without bubblewrap
    fork_server: bool = True  # as root: grading processes are forks of one pre-imported interpreter
    secret: bytes | None = field(default=None, repr=False)  # the course secret; None: .autograder_secret
    message_visibility: str = "visible"  # Gradescope visibility of the per-check messages
    workers: int = 2  # submissions graded at once by `autograder autograde`
    launcher_override: object = field(default=None, compare=False, repr=False)  # tests: a ready launcher

    def with_(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @cached_property
    def launcher(self):
        """How student processes are started: the sandbox (made once per Settings)."""
        if self.launcher_override is not None:
            return self.launcher_override
        from .engine.sandbox import make_launcher

        return make_launcher(
            sandbox=self.sandbox, require=self.require_sandbox, limits=self.limits, fork_server=self.fork_server
        )

    @property
    def limits(self):
        from .engine.sandbox import Limits

        return Limits(memory_mb=self.memory_mb, cpu_seconds=self.cpu_seconds, disk_mb=self.disk_mb)


DEFAULTS = Settings()

# AUTOGRADER_* variables, by field. Booleans accept 1/true/yes.
ENVIRONMENT = {
    "course_root": "AUTOGRADER_COURSE",
    "exercise_timeout": "AUTOGRADER_EXERCISE_TIMEOUT",
    "submission_timeout": "AUTOGRADER_SUBMISSION_TIMEOUT",
    "memory_mb": "AUTOGRADER_MEMORY_MB",
    "cpu_seconds": "AUTOGRADER_CPU_S",
    "disk_mb": "AUTOGRADER_DISK_MB",
    "require_sandbox": "AUTOGRADER_REQUIRE_SANDBOX",
    "fork_server": "AUTOGRADER_FORK_SERVER",
    "secret": "AUTOGRADER_SECRET",
    "message_visibility": "AUTOGRADER_MESSAGE_VISIBILITY",
    "workers": "AUTOGRADER_WORKERS",
}


class SettingsError(ValueError):
    """A setting has a value it cannot take (one line, for the user)."""


def _convert(name, text):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if name == "course_root":
        return Path(text)
    if name == "secret":
        return text.encode()
    if kind == "bool":
        return text.strip().lower() in ("1", "true", "yes")
    try:
        return {"float": float, "int": int, "str": str}[kind](text)
    except ValueError:
        raise SettingsError(f"{ENVIRONMENT[name]}={text!r} is not a valid {kind}") from None


def resolve(environ=None, **given) -> Settings:
    """Settings from ``given`` (None means "not given"), then the environment, then the defaults."""
    environ = os.environ if environ is None else environ
    values = {}
    for name, variable in ENVIRONMENT.items():
        if environ.get(variable):
            values[name] = _convert(name, environ[variable])
    values.update({k: v for k, v in given.items() if v is not None})
    settings = replace(DEFAULTS, **values)
    if settings.message_visibility not in VISIBILITIES:
        raise SettingsError(f"message visibility {settings.message_visibility!r}: use one of {', '.join(VISIBILITIES)}")
    for name in ("exercise_timeout", "submission_timeout", "memory_mb", "cpu_seconds", "disk_mb", "workers"):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{name} must be positive (got {getattr(settings, name)})")
    return settings


# The validate kernel's limits (its own variables: it runs a student's whole session, not a grading).
KERNEL_ENVIRONMENT = {
    "memory_mb": "AUTOGRADER_KERNEL_MEMORY_MB",
    "cpu_seconds": "AUTOGRADER_KERNEL_CPU_S",
    "file_size_mb": "AUTOGRADER_KERNEL_FILE_SIZE_MB",
    "processes": "AUTOGRADER_KERNEL_PROCESSES",
}


def kernel_limits(environ=None):
    from .engine.sandbox import Limits

    environ = os.environ if environ is None else environ
    limits = Limits()
    for name, variable in KERNEL_ENVIRONMENT.items():
        if environ.get(variable):
            setattr(limits, name, int(environ[variable]))
    return limits
