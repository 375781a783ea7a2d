# gtm-warehouse developer entry points. Everything runs with the project's own venv.
#   make demo    build and publish the sample company's warehouse with gtm run (SCALE=tiny|small|medium|large)
#   make test    lint, then the pytest suites
#   make lint    ruff + sqlfluff
#   make clean   remove build outputs, generated data and the warehouse (keeps .venv)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp

SCALE ?= medium
PYTEST_ARGS ?=
# no progress bars in CI logs
GTM_FLAGS ?= $(if $(CI),--quiet,)

# The warehouse file gtm load / gtm build / dbt use (profiles.yml reads the same variable).
GTM_DUCKDB_PATH ?= $(CURDIR)/warehouse/gtm.duckdb
export GTM_DUCKDB_PATH
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

# Folders sqlfluff lints (only those that exist). The dbt templater compiles against a
# scratch database in target/, never the real warehouse (which a build may hold open); the
# seeds are loaded into it first, because macros read rules from seeds when models compile.
SQL_DIRS := $(wildcard models macros analyses tests/dbt)

.PHONY: help venv install demo demo-spark lint format test clean distclean constraints

help:
	@echo "make demo     install, then gtm run: generate the sample company (SCALE=$(SCALE)), load, dbt build, check, report, publish"
	@echo "make demo-spark  the same warehouse on Apache Spark (tiny sample, local PySpark, Java 17)"
	@echo "make test     install, lint, run pytest"
	@echo "make lint     ruff check, ruff format --check, sqlfluff lint"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make install  create $(VENV) and install the project with constraints.txt"
	@echo "make clean    remove target/, logs/, caches, data/ and warehouse/ (keeps $(VENV))"
	@echo "make distclean  clean, and remove $(VENV)"
	@echo "make constraints  re-pin constraints.txt from the current $(VENV)"

venv install: $(STAMP)

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "no python3.11 or python3 on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the dependency files change.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,spark]'
	touch $@

# The same warehouse on Apache Spark (local PySpark, Java 17): tiny sample, raw tables and dbt
# build in warehouse/spark/ (GTM_SPARK_DIR). README: "Running on Apache Spark".
GTM_SPARK_DIR ?= $(CURDIR)/warehouse/spark
export GTM_SPARK_DIR

demo-spark: install
	$(BIN)/gtm $(GTM_FLAGS) generate --scale tiny --out data/raw-tiny
	$(BIN)/gtm $(GTM_FLAGS) load --target spark --data data/raw-tiny
	$(BIN)/gtm $(GTM_FLAGS) build --target spark

demo: install
	@mkdir -p "$(dir $(GTM_DUCKDB_PATH))"
	$(BIN)/gtm $(GTM_FLAGS) run --scale $(SCALE)
	@echo
	@echo "Warehouse (published by gtm run; BI tools open it read-only): $(GTM_DUCKDB_PATH)"
	@echo "Weekly GTM review: $(basename $(GTM_DUCKDB_PATH))-report.html"
	@echo "Query it from Python:"
	@echo "  $(BIN)/python -c \"import duckdb; duckdb.connect('$(GTM_DUCKDB_PATH)', read_only=True).sql('show all tables').show()\""
	@echo "or through dbt:"
	@echo "  $(BIN)/dbt show --inline 'select * from {{ source(\"salesforce\", \"opportunity\") }}' --limit 10"

lint: install
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	@if [ -n "$(SQL_DIRS)" ] && [ -n "$$(find $(SQL_DIRS) -name '*.sql' -print -quit)" ]; then \
		mkdir -p target; \
		echo "$(BIN)/sqlfluff lint $(SQL_DIRS)"; \
		GTM_DUCKDB_PATH=$(CURDIR)/target/sqlfluff.duckdb GTM_TEMP_DIR=$(CURDIR)/target/tmp \
			$(BIN)/dbt seed --quiet --project-dir . --profiles-dir . --target-path target/sqlfluff; \
		GTM_DUCKDB_PATH=$(CURDIR)/target/sqlfluff.duckdb GTM_TEMP_DIR=$(CURDIR)/target/tmp \
			$(BIN)/sqlfluff lint $(SQL_DIRS); \
	else \
		echo "sqlfluff: no SQL files yet in models/ macros/ analyses/ tests/dbt/, skipped"; \
	fi

format: install
	$(BIN)/ruff format scripts tests
	$(BIN)/ruff check --fix scripts tests

# pytest exits 5 when it collects no tests: that is a failure here, and says so.
test: install lint
	@rc=0; $(BIN)/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest ran no tests (exit 5): that counts as a failure" >&2; fi; \
	exit $$rc

constraints: install
	{ sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -iv '^gtm-warehouse'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf target logs dbt_packages .pytest_cache .ruff_cache data warehouse reports
	find $(wildcard scripts tests) -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
