# The two commands of the README: `make demo` and `make test` (lint, docs, pytest).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint format release docs

$(STAMP): requirements.txt
	@# bubblewrap confines student code (as root, or with password-less sudo); without it grading takes the
	@# landlock tier, and refuses to grade where neither works (docs/deployment.md)
	command -v bwrap >/dev/null || { command -v apt-get >/dev/null && \
		{ [ "$$(id -u)" = 0 ] && SUDO= || { sudo -n true 2>/dev/null && SUDO=sudo; }; } && \
		{ $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq bubblewrap >/dev/null; }; } || \
		echo "note: bubblewrap is not installed; student code will be confined by the landlock tier"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

release: setup
	$(PY) -m autograder release

demo: setup
	$(PY) -m autograder demo

# the documentation site (docs/, mkdocs.yml) into build/site; --strict: a broken link or anchor fails
docs: setup
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet

test: setup lint docs
	$(PY) -m pytest $(PYTEST_ARGS)
