# The two commands of the README: `make demo` and `make test` (lint, docs, pytest).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint format release docs

$(STAMP): requirements.txt
	@# bubblewrap confines student code; without root the grader falls back to a plain subprocess and says so
	command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; }; } || \
		echo "warning: bubblewrap is not installed; student code will run without a sandbox"
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
