# The two commands of the quickstart, and a few more for engineers.
#   make demo   set up .venv, bring the sandbox up, run the main job through Dagster
#   make test   set up .venv, lint, run the whole test suite (what CI runs)
#   make ui     the sandbox, the Dagster UI and its daemon (http://127.0.0.1:3000)
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# This machine's pip prints one warning per package for an unused local index; hide them.
QUIET_PIP := grep -v '^WARNING: Location' || true

.PHONY: setup demo test lint ui sandbox-down browser

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]' 2>&1 | { $(QUIET_PIP); }
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/integration-pipeline demo

lint: $(STAMP)
	$(BIN)/ruff check integration_pipeline integration_pipeline_tests bench
	$(BIN)/ruff format --check integration_pipeline integration_pipeline_tests bench

# The UI test drives Debian's Chromium; a fresh machine has none (apt-get needs root).
browser:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the UI test"; \
	  apt-get install -y -q chromium >/dev/null 2>&1 \
	  || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
	  || echo "could not install chromium: the UI test skips (and fails under CI=true)"; }

test: lint browser
	$(BIN)/pytest

ui: $(STAMP)
	$(BIN)/integration-pipeline ui

sandbox-down: $(STAMP)
	$(BIN)/integration-pipeline sandbox down
