# The documented interface of the briefing kit: `make help` lists every target.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed

DATA_INPUTS    := $(wildcard data/*.txt data/*.json data/*.csv data/reference/*.csv)
PACKAGE_INPUTS := $(wildcard briefing/*.py briefing/*/*.py briefing/templates/*/* \
                    briefing/typefaces/*)
REPORT_INPUTS  := notebooks/briefing.ipynb $(PACKAGE_INPUTS) $(RUNTIME_STAMP)

.PHONY: help setup report params profiles batch check test test-fast lint clean

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

# `make report` renders the default briefing into reports/; `make report PARAMS=params/x.yaml`
# renders that named parameter set into reports/x/. Real file targets: nothing changed, nothing
# done. The executed notebook (briefing.ipynb) and the claims register are written next to the
# HTML and PDF.
# With PARAMS, the files of the data folder the set names (data_dir) are inputs too: a set that
# names none, or data_dir: data, is read with sed (no cost); any other is asked of the kit
# (python -m briefing params -f, a fraction of a second). A set it cannot answer for (bad
# data, no .venv yet, a path with spaces) renders every time, and render says what is wrong.
PARAMS ?=
REPORT_DATA := $(DATA_INPUTS)
ifeq ($(strip $(PARAMS)),)
REPORT_DIR  := reports
PARAMS_ARGS :=
else
ifneq ($(filter report,$(MAKECMDGOALS)),)
ifeq ($(wildcard $(PARAMS)),)
$(error PARAMS=$(PARAMS): file not found (parameter sets: $(wildcard params/*.yaml)))
endif
PARAMS_NAMES_DATA := $(shell grep -c data_dir $(PARAMS))
PARAMS_PLAIN_DATA := $(shell sed -nE "s@^data_dir:[[:space:]]*[\"']?(\./)?data/?[\"']?([[:space:]].*)?\$$@data@p" $(PARAMS))
ifneq ($(PARAMS_NAMES_DATA)$(PARAMS_PLAIN_DATA),0)
ifneq ($(PARAMS_NAMES_DATA)$(PARAMS_PLAIN_DATA),1data)
PARAMS_DATA_DIR := $(shell $(PY) -m briefing params -f $(PARAMS) 2>/dev/null | \
                     sed -n -e 's/ (given)$$//' -e 's/^  data_dir = //p')
ifeq ($(PARAMS_DATA_DIR),data)
else ifeq ($(words $(PARAMS_DATA_DIR)),1)
REPORT_DATA := $(wildcard $(addprefix $(PARAMS_DATA_DIR)/,*.txt *.json *.csv reference/*.csv))
else
REPORT_DATA := FORCE
endif
endif
endif
endif
REPORT_DIR  := reports/$(basename $(notdir $(PARAMS)))
PARAMS_ARGS := -f $(PARAMS)
endif

REPORT_FILES := $(addprefix $(REPORT_DIR)/,briefing.html briefing.pdf briefing.ipynb claims_register.csv)

report: $(REPORT_FILES) ## render the briefing (HTML, PDF, .ipynb, claims register) into reports/, or with PARAMS=params/x.yaml into reports/x/ (only if inputs changed)

# every file of the set is a target: a folder a killed render left incomplete is rendered
# again (and the render first restores the set the kill interrupted)
$(REPORT_FILES) &: $(REPORT_INPUTS) $(REPORT_DATA) $(PARAMS)
	$(PY) -m briefing render --out $(REPORT_DIR) $(PARAMS_ARGS)

.PHONY: FORCE
FORCE:

params: $(RUNTIME_STAMP) ## list the parameters of the briefing and of the country profile
	@$(PY) -m briefing params
	@echo
	@$(PY) -m briefing params --notebook country_profile

# One country profile per country in the data, in parallel (JOBS=n to choose the number of
# worker processes), with reports/profiles/index.html. The stamp is only touched when every
# profile succeeded, so a failed batch is retried by the next `make profiles`.
PROFILE_INPUTS := notebooks/country_profile.ipynb $(DATA_INPUTS) $(PACKAGE_INPUTS) $(RUNTIME_STAMP)
PROFILES_STAMP := reports/profiles/.complete

profiles: $(PROFILES_STAMP) ## render every country profile into reports/profiles/ with an index.html (JOBS=n; only if inputs changed)

batch: profiles ## same as make profiles

$(PROFILES_STAMP): $(PROFILE_INPUTS)
	$(PY) -m briefing batch --out reports/profiles $(if $(JOBS),--jobs $(JOBS))
	@touch $@

lint: $(DEV_STAMP) ## ruff over the package, tests and notebooks
	$(PY) -m ruff check briefing tests notebooks

test: $(DEV_STAMP) lint ## set up, lint and run the test suite
	$(PY) -m pytest -q

test-fast: $(DEV_STAMP) lint ## the inner loop: lint and the tests that render nothing (-m "not slow")
	$(PY) -m pytest -q -m "not slow"

clean: ## remove rendered reports (keeps .venv)
	rm -rf reports/*
	@touch reports/.gitkeep

# Speed (issue 7): the kit against the hand-run papermill + nbconvert + weasyprint chain,
# alternating, medians and ratios, machine and per-phase profile; writes reports/bench.json.
# BENCH_ARGS="--quick" to try it out, "--reps 9" for more repetitions (bench/bench.py --help).
.PHONY: bench
bench: $(DEV_STAMP) ## benchmark against the hand-run chain, print ratios, write reports/bench.json (BENCH_ARGS=--quick)
	$(PY) bench/bench.py $(BENCH_ARGS)
