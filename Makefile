# The documented interface of the briefing kit: `make help` lists every target.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed

DATA_INPUTS    := $(wildcard data/*.txt data/*.json data/*.csv data/reference/*.csv)
PACKAGE_INPUTS := $(wildcard briefing/*.py briefing/templates/briefing/*)
REPORT_INPUTS  := notebooks/briefing.ipynb $(DATA_INPUTS) $(PACKAGE_INPUTS) $(RUNTIME_STAMP)

.PHONY: help setup report check test lint clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(RUNTIME_STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt $(RUNTIME_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

setup: $(DEV_STAMP) ## create .venv with the pinned runtime and test packages

check: $(RUNTIME_STAMP) ## validate the data directory (python -m briefing check)
	$(PY) -m briefing check

report: reports/briefing.html reports/briefing.pdf ## render reports/briefing.html and .pdf (only if inputs changed)

reports/briefing.html reports/briefing.pdf &: $(REPORT_INPUTS)
	$(PY) -m briefing render --out reports

lint: $(DEV_STAMP) ## ruff over the package, tests and notebooks
	$(PY) -m ruff check briefing tests notebooks

test: $(DEV_STAMP) lint ## set up, lint and run the test suite
	$(PY) -m pytest -q

clean: ## remove rendered reports (keeps .venv)
	rm -rf reports/*
	@touch reports/.gitkeep
