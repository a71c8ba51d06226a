# make demo: the whole nbgrader cycle on three simulated students.
# make test: the project's test suite, all of it (as CI runs it), two tests at a time.
# make check: the fast tier (no browser, hub, bench or slow tests) and the linters: minutes, for every change.
# make lab: JupyterLab for the course (formgrader, Assignment List, a local exchange, demo data).
# make hub: a real JupyterHub for the course (root: real Unix accounts), closed exchange, feedback on submit.
# All create .venv at the repository root when it is missing.

VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test check lint venv system-deps security-report bench bench-cluster similarity-figures lab hub hub-remove proxy clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	# torch first and pinned: a loose requirement would pull a multi-GB CUDA build
	$(PIP) install -q -c constraints.txt torch==2.13.0
	$(PIP) install -q -c constraints.txt -e '.[test]'
	# the sandboxed kernel `nbgrader validate` runs (the course's nbgrader_config.py points at it)
	$(VENV)/bin/autograder install-kernel
	touch $@

demo: $(STAMP) system-deps
	$(VENV)/bin/autograder demo

# JupyterLab for the course on localhost: formgrader etc., a local exchange, demo data seeded in .lab/
# on first start. LAB_ARGS: e.g. --reset, --port 8890, --no-student, --stock.
lab: $(STAMP) system-deps
	$(PY) -m autograder.lab $(LAB_ARGS)

# JupyterHub for the course on localhost (root): accounts professora, monitor, ana, bruno, carla; prints
# their passwords and the address. HUB_ARGS: e.g. --port 8001, --reset, --precheck-limit 5.
hub: $(STAMP) system-deps proxy
	$(PY) -m autograder.hub $(HUB_ARGS)

# Delete make hub's Unix accounts and its state (.hub/).
hub-remove: $(STAMP)
	$(PY) -m autograder.hub --remove

# configurable-http-proxy (JupyterHub's proxy), pinned in package-lock.json, under node_modules/.
CHP := node_modules/.bin/configurable-http-proxy
proxy: $(CHP)

$(CHP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

system-deps:
	./scripts/system-deps.sh

test: $(STAMP) system-deps proxy lint
	$(PY) -m pytest -q -n 2 --dist loadgroup --durations=15

check: $(STAMP) lint
	$(PY) -m pytest -q -n 2 --dist loadgroup --durations=10 -m "not slow and not browser and not hub and not bench"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The adversarial submissions through stock nbgrader and through the engine, side by side.
security-report: $(STAMP) system-deps
	$(PY) tests/security_report.py

# Grading a synthesized class: stock nbgrader vs the engine (2 workers, sandbox) vs the floor. BENCH_N=60 per
# assignment; BENCH_ASSIGNMENTS=tensors_autograd,mlp_regression (default: all four).
bench: $(STAMP) system-deps
	$(PY) tests/bench_class.py

# The same class graded by --workers 2 and by --cluster on a real Dask scheduler with 2 worker processes:
# subs/min for both, the cluster path's overhead per submission, a projection to 2,000 students x 4
# assignments. BENCH_N=40 per assignment; BENCH_ASSIGNMENTS=tensors_autograd,linear_regression.
bench-cluster: $(STAMP) system-deps
	$(PY) tests/bench_cluster.py

# Precision and recall of `autograder similarity` on synthesized classes with planted copies (README).
similarity-figures: $(STAMP)
	$(PY) tests/similarity_class.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache node_modules
