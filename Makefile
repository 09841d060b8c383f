# The two commands of the quickstart, and a few more for engineers.
#   make demo   set up .venv, bring the sandbox up, run the main job through Dagster
#   make test   set up .venv, lint, run the whole test suite (what CI runs)
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# This machine's pip prints one warning per package for an unused local index; hide them.
QUIET_PIP := grep -v '^WARNING: Location' || true

.PHONY: setup demo test lint ui sandbox-down

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

test: lint
	$(BIN)/pytest

ui: $(STAMP)
	mkdir -p .dagster && ln -sf ../dagster.yaml .dagster/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster $(BIN)/dagster dev -w workspace.yaml

sandbox-down: $(STAMP)
	$(BIN)/integration-pipeline sandbox down
