# The course's vocabulary. `make lab` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# nbgrader starts `alembic` as a subprocess, so the environment's bin comes first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
STAMP := $(VENV)/.installed
PORT ?= 8888
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: lab lab-instructor test release grade bench lint clean-venv

# The learner's JupyterLab: the course's notebooks, without nbgrader's instructor tools.
lab: $(STAMP)
	JUPYTER_CONFIG_PATH=$(CURDIR)/$(VENV)/etc/jupyter-learner $(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root)

# The instructor's and the author's: the whole repository, with the formgrader and Create Assignment.
lab-instructor: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --ServerApp.port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(STAMP)
	$(BIN)/python -m tests.setup_browser
	$(BIN)/python -m pytest -n 3 --dist loadscope --durations=25

release: $(STAMP)
	$(BIN)/python -m autograder release

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" -a -n "$(OUT)" || { echo "usage: make grade SUBMISSIONS=folder-or-zip OUT=folder"; exit 2; }
	$(BIN)/python -m autograder grade "$(SUBMISSIONS)" --out "$(OUT)" --jobs $(JOBS)

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m attention_course.lab_settings
	touch $@

clean-venv:
	rm -rf $(VENV)
