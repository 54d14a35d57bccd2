# Two entry points: `make run` (set up, then run the main job) and `make test` (set up, then test).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
RUN_ARGS ?=

.PHONY: run test check clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; run: make PYTHON=python3 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

# The main job: both orgs on the embedded sandbox, all 22 task types, single- and multi-turn, built-in models.
run: $(VENV)/.installed
	$(BIN)/crmsim run $(RUN_ARGS)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

check: $(VENV)/.installed-dev
	$(BIN)/ruff check crmsim tests benchmarks tools
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache runs
