# make demo: the whole nbgrader cycle on three simulated students.
# make test: the project's test suite.
# make lab: JupyterLab for the course (formgrader, Assignment List, a local exchange, demo data).
# All create .venv at the repository root when it is missing.

VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test venv system-deps security-report bench similarity-figures lab clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	# torch first and pinned: a loose requirement would pull a multi-GB CUDA build
	$(PIP) install -q -c constraints.txt torch==2.13.0
	$(PIP) install -q -c constraints.txt -e '.[test]'
	touch $@

demo: $(STAMP) system-deps
	$(VENV)/bin/autograder demo

# JupyterLab for the course on localhost: formgrader etc., a local exchange, demo data seeded in .lab/
# on first start. LAB_ARGS: e.g. --reset, --port 8890, --no-student, --stock.
lab: $(STAMP) system-deps
	$(PY) -m autograder.lab $(LAB_ARGS)

system-deps:
	./scripts/system-deps.sh

test: $(STAMP) system-deps
	$(PY) -m pytest -q

# The adversarial submissions through stock nbgrader and through the engine, side by side.
security-report: $(STAMP) system-deps
	$(PY) tests/security_report.py

# Grading a synthesized class: stock nbgrader vs the engine (2 workers, sandbox) vs the floor. BENCH_N=60.
bench: $(STAMP) system-deps
	$(PY) tests/bench_class.py

# Precision and recall of `autograder similarity` on synthesized classes with planted copies (README).
similarity-figures: $(STAMP)
	$(PY) tests/similarity_class.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
