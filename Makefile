# The two commands: `make run` and `make test` (ruff, then the suite). Both create .venv on first use.
# `make test-fast` runs the suite without the tests that start cicero processes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test test-fast install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_TEST): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)
install-test: $(STAMP_TEST)

run: $(STAMP)
	$(BIN)/cicero run

test: $(STAMP_TEST)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: $(STAMP_TEST)
	$(BIN)/python -m pytest -m "not slow"

clean:
	rm -rf $(VENV) .pytest_cache
