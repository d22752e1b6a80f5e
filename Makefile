# The course's vocabulary. `make lab` is all a learner needs; `make test` checks the whole course.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# nbgrader starts `alembic` as a subprocess, so the environment's bin comes first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
STAMP := $(VENV)/.installed
# The pip that installs the pins, itself pinned: the one a new .venv starts with (23.0 with
# Debian's Python 3.11) takes twice as long to install them.
PIP_VERSION := 26.3
PORT ?= 8888
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Test-only pins: in the course repository, not in the student release.
DEV_REQUIREMENTS := $(wildcard requirements-dev.txt)

.PHONY: lab lab-instructor install test release grade bench lint model student-release clean-venv

# The student release (`make student-release`) is this Makefile without autograder/, tests/
# and bench/: there the targets that need them stop before doing anything, saying why.
REPOSITORY_ONLY := test release grade bench lint model student-release
ifneq ($(filter $(REPOSITORY_ONLY),$(MAKECMDGOALS)),)
ifeq ($(wildcard autograder/__main__.py),)
$(error `make $(filter $(REPOSITORY_ONLY),$(MAKECMDGOALS))` needs the course repository (autograder/, tests/); this is the student release, where `make lab` is all there is)
endif
endif

# The learner's JupyterLab: the course's notebooks, without nbgrader's instructor tools.
lab: $(STAMP)
	JUPYTER_CONFIG_PATH=$(CURDIR)/$(VENV)/etc/jupyter-learner $(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root)

# The instructor's and the author's: the whole repository, with the formgrader and Create Assignment.
lab-instructor: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --ServerApp.port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root)

# What `make lab` does first, alone: .venv with the pinned packages and the course's settings.
install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m tests.setup_browser
	$(BIN)/python -m pytest -n 3 --dist loadgroup --no-loadscope-reorder --durations=25

release: $(STAMP)
	$(BIN)/python -m autograder release

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" -a -n "$(OUT)" || { echo "usage: make grade SUBMISSIONS=folder-or-zip OUT=folder"; exit 2; }
	$(BIN)/python -m autograder grade "$(SUBMISSIONS)" --out "$(OUT)" --jobs $(JOBS)

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .

# Chapter 12's trained model (attention_course/data/induction_heads.npz), trained again from its fixed seed.
model: $(STAMP)
	$(BIN)/python -m models.induction_heads

# The folder to give learners (README, "Release"). Standard library only: no .venv needed.
student-release:
	@test -n "$(DIR)" || { echo "usage: make student-release DIR=new-folder"; exit 2; }
	$(PYTHON) -m autograder.student_release "$(DIR)"

$(STAMP): requirements.txt $(DEV_REQUIREMENTS) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "The course needs Python 3.11 or newer; $(PYTHON) is %d.%d: run make with PYTHON=python3.11 (or newer)." % sys.version_info[:2])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt $(DEV_REQUIREMENTS:%=-r %)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m attention_course.lab_settings
	touch $@

clean-venv:
	rm -rf $(VENV)
