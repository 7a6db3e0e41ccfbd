# claimflow: `make run` sets up and runs the nightly DAG on the seeds; `make test` sets up and runs the
# whole suite; `make test-fast` leaves out the `integration` tests (servers, whole days) for everyday work;
# `make lint` runs ruff and the import-linter layering contracts (CI runs it before `make test`).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DAY ?= $(shell date -u -d yesterday +%F)
PORT ?= 8080

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN ?= sqlite:///$(AIRFLOW_HOME)/airflow.db

.PHONY: install run airflow test test-fast lint bench clean

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	# the editable build leaves claimflow.egg-info in plugins/, which Airflow puts on sys.path: a second
	# claimflow distribution whose entry points would register the plugin twice (an import error)
	rm -rf plugins/claimflow.egg-info
	touch $@

$(AIRFLOW_HOME)/.migrated: $(BIN)/.installed
	mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/migrate.log 2>&1 || (tail -20 $(AIRFLOW_HOME)/migrate.log; exit 1)
	touch $@

install: $(BIN)/.installed $(AIRFLOW_HOME)/.migrated

# `airflow dags test`, with the run's start date the time it started (scripts/dags_test.py says why)
run: install
	$(BIN)/python scripts/dags_test.py claimflow_nightly $(DAY) > $(AIRFLOW_HOME)/last-run.log 2>&1 \
		|| (tail -40 $(AIRFLOW_HOME)/last-run.log; exit 1)
	$(BIN)/claimflow summary --day $(DAY)

# the Airflow UI on http://127.0.0.1:$(PORT)/ over the same home, database and lake as `make run`,
# until Ctrl-C (api-server, scheduler, dag-processor; it prints how to log in)
airflow: install
	$(BIN)/python scripts/airflow_local.py --port $(PORT)

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not integration"

# ruff, and the layering contracts of pyproject.toml (entry points above stages above steps above storage)
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_long.py
	$(BIN)/python bench/bench_storage.py
	$(BIN)/python bench/bench_publish.py

clean:
	rm -rf $(AIRFLOW_HOME) lake
