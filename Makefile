# The newcomer's interface. Two commands matter:
#   make run    set everything up, then run the demo pipeline end to end (DuckDB, embedded)
#   make test   set everything up, then run every test (pytest: also dbt, sqlfluff, ruff, Evidence)
# Everything else is a step of those two, or a convenience.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
# Most tests wait on one subprocess at a time (Dagster, dbt, npm, Chromium): two workers keep
# both of a CI machine's cores busy. tests/conftest.py keeps together what must share a worker.
TEST_WORKERS ?= 2
export SDSF_HOME ?= $(CURDIR)/data
export SDSF_WAREHOUSE := $(SDSF_HOME)/warehouse.duckdb
export DAGSTER_HOME := $(SDSF_HOME)/dagster
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: help setup run demo test dev lint lock site serve docs clean-data portal
.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

run: setup ## set up, then generate the demo submissions and run every asset (main job)
	$(BIN)/sdsf demo

test: setup ## set up, then run all the tests (what .ci/run calls), on TEST_WORKERS processes
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

setup: $(VENV)/.installed reports/node_modules/.installed sources/territories/node_modules/.installed .system-packages dbt_project/target/manifest.json ## install everything pinned (idempotent, quick when done)
	@# Bytecode for the project's own modules too: where PYTHONDONTWRITEBYTECODE is set (CI
	@# sandboxes), every process would otherwise compile them, and the packages, from source.
	@$(BIN)/python -m compileall -q orchestration models

dev: setup ## the Dagster UI on http://127.0.0.1:3000
	@$(BIN)/python -c 'from orchestration.settings import prepare_environment as p; p()'
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

portal: setup ## the partner upload portal on http://127.0.0.1:8080 (accounts: sdsf portal-account)
	$(BIN)/sdsf portal --host 127.0.0.1 --port 8080

docs: setup ## dbt docs (models, columns, tests, lineage) on http://127.0.0.1:8081
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir . && \
	  ../$(BIN)/dbt docs serve --profiles-dir . --host 127.0.0.1 --port 8081 --no-browser

lint: setup ## ruff and sqlfluff only
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

# EDITION=<name> builds the site of a named edition (sdsf publish) instead of the rolling one.
EDITION ?= courante
site: setup ## rebuild only the Evidence site, from editions/$(EDITION) (default: courante)
	$(BIN)/python -c "from orchestration import site_slices as e, editions as d, settings as s; \
	print(e.build(d.site_database(s.sdsf_home() / 'editions' / '$(EDITION)'), s.site_dir()).out_dir)"

serve: ## serve the built site ($(SDSF_HOME)/site) on http://127.0.0.1:8000
	@test -f "$(SDSF_HOME)/site/index.html" || { echo "no site in $(SDSF_HOME)/site: run make run first"; exit 2; }
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory "$(SDSF_HOME)/site" 8000

lock: ## recompile requirements.lock from pyproject.toml (needs the registry)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --no-header -o requirements.lock

clean-data: ## delete the data directory ($(SDSF_HOME))
	rm -rf "$(SDSF_HOME)"

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip install --python $(BIN)/python --quiet --require-hashes --compile-bytecode \
	  -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	touch $@

# `npm install` from the committed lock, not `npm ci`: the registry here lacks some optional
# builds for other platforms, so no lock written here passes `npm ci`'s completeness check.
# With the lock present, `npm install` installs exactly the locked versions.
reports/node_modules/.installed: reports/package.json reports/package-lock.json $(VENV)/.installed
	$(BIN)/python -c "from orchestration.evidence_site import ensure_site_dependencies as e; e()"
	touch $@

sources/territories/node_modules/.installed: sources/territories/package.json sources/territories/package-lock.json
	cd sources/territories && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

.system-packages: scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh
	touch $@

# Dagster loads dbt assets from the manifest, so it must exist before any run.
dbt_project/target/manifest.json: $(VENV)/.installed $(shell find dbt_project/models dbt_project/macros dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet
	touch $@
