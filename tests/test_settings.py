"""One settings object: each default written once, resolved in one place (flags/traits > environment > defaults)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import AUTOGRADER, ROOT, reference_answers, write_submission
from traitlets.config import Config

from autograder.engine.report import gradescope
from autograder.engine.results import CheckResult, ExerciseResult, NotebookGrade
from autograder.nbgrader_plugin import EngineGrade
from autograder.settings import DEFAULTS, ENVIRONMENT, SettingsError, resolve

PACKAGE = ROOT / "autograder"


def test_defaults_without_environment():
    settings = resolve(environ={})
    assert settings == DEFAULTS.with_(course_root=settings.course_root)


def test_given_values_win_over_the_environment_which_wins_over_defaults():
    env = {"AUTOGRADER_EXERCISE_TIMEOUT": "5", "AUTOGRADER_MEMORY_MB": "1024", "AUTOGRADER_REQUIRE_SANDBOX": "yes"}
    settings = resolve(environ=env, exercise_timeout=7.0)
    assert settings.exercise_timeout == 7.0  # given
    assert settings.memory_mb == 1024  # environment
    assert settings.require_sandbox is True
    assert settings.submission_timeout == DEFAULTS.submission_timeout  # default


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"AUTOGRADER_EXERCISE_TIMEOUT": "soon"}, "AUTOGRADER_EXERCISE_TIMEOUT='soon' is not a valid float"),
        ({"AUTOGRADER_MEMORY_MB": "-1"}, "memory_mb must be positive"),
        ({"AUTOGRADER_MESSAGE_VISIBILITY": "sometimes"}, "use one of visible"),
    ],
)
def test_bad_values_are_one_line_errors(env, fragment):
    with pytest.raises(SettingsError) as error:
        resolve(environ=env)
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_every_variable_names_a_field():
    assert set(ENVIRONMENT) <= set(DEFAULTS.__dataclass_fields__)


def test_nbgrader_traits_default_to_the_engines_and_a_set_trait_wins(monkeypatch):
    monkeypatch.setenv("AUTOGRADER_EXERCISE_TIMEOUT", "5")
    plain = EngineGrade()
    assert plain.exercise_timeout == DEFAULTS.exercise_timeout and plain.memory_limit_mb == DEFAULTS.memory_mb
    assert plain.settings().exercise_timeout == 5.0  # not set in the config: the environment decides
    c = Config()
    c.EngineGrade.exercise_timeout = 12.0
    assert EngineGrade(config=c).settings().exercise_timeout == 12.0


def test_defaults_are_written_once():
    """The engine's default numbers appear as literals only in settings.py."""
    literals = {  # (the value, a word the line must also have to be about that setting)
        "exercise_timeout": (r"\b60(\.0)?\b", "timeout"),
        "submission_timeout": (r"\b600(\.0)?\b", "timeout"),
        "memory_mb": (r"\b4096\b", "memory"),
        "cpu_seconds": (r"\b600\b", "cpu"),
    }
    for path in PACKAGE.rglob("*.py"):
        if path.name == "settings.py":
            continue
        for line in path.read_text().splitlines():
            for name, (value, word) in literals.items():
                assert not (re.search(value, line) and word in line.lower()), (
                    f"{path.relative_to(ROOT)} repeats the default of {name}: {line.strip()}"
                )


def test_importing_the_cli_starts_no_clock_and_writes_nothing(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", "import autograder.cli, autograder.settings, autograder.nbgrader_plugin"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []
    source = (PACKAGE / "cli.py").read_text()
    assert not re.search(r"^\w+\s*=\s*time\.", source, re.M), "a clock started at import"


def _grade(visibility):
    exercise = ExerciseResult("fix_inplace", "Corrigindo", 4, 3.0, [CheckResult("check_z_fixed", 3.0, 3.0)])
    return gradescope(NotebookGrade("tensors_autograd", [exercise]), visibility)


def test_results_json_carries_the_spec_fields():
    results = _grade("visible")
    assert results["output_format"] == "text" and results["visibility"] == "visible"
    assert results["stdout_visibility"] == "hidden" and results["test_output_format"] == "text"
    test = results["tests"][0]
    assert test["status"] == "passed" and test["output_format"] == "text" and test["visibility"] == "visible"
    assert _grade("after_due_date")["tests"][0]["visibility"] == "after_due_date"


@pytest.mark.slow
def test_cli_visibility_flag_reaches_results_json(tmp_path):
    path = write_submission(tmp_path, "tensors_autograd", reference_answers("tensors_autograd"))
    proc = subprocess.run(
        [AUTOGRADER, "grade", str(path), "--json", "--visibility", "hidden"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {t["visibility"] for t in report["tests"]} == {"hidden"}
    assert {t["status"] for t in report["tests"]} == {"passed"}
    bad = subprocess.run([AUTOGRADER, "grade", str(path), "--timeout", "-3"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "must be positive" in bad.stderr


def test_settings_module_is_the_only_reader_of_autograder_variables():
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "settings.py":
            continue
        for name in ENVIRONMENT.values():
            if re.search(rf"environ(\.get)?\(?\[?[\"']{name}[\"']", path.read_text()):
                readers.append(f"{path.relative_to(ROOT)}: {name}")
    assert not readers, readers
    assert Path(PACKAGE / "settings.py").exists()


def test_fork_server_is_on_by_default_and_the_variable_turns_it_off():
    import os
    import shutil

    assert resolve(environ={}).fork_server is True
    assert resolve(environ={"AUTOGRADER_FORK_SERVER": "0"}).fork_server is False
    assert resolve(environ={"AUTOGRADER_FORK_SERVER": "1"}).fork_server is True
    if os.getuid() == 0 and shutil.which("bwrap"):  # only a root grader forks; the setting reaches its launcher
        assert resolve(environ={}).launcher.forks is True
        assert resolve(environ={"AUTOGRADER_FORK_SERVER": "0"}).launcher.forks is False
