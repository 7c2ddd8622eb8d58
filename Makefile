# cx360: `make run` sets everything up and runs the main job on the demo data; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SIZE   ?= 1000000
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test lint format ui docs demo clean bench

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	# the oldest DuckDB the serving databases promise to open, for the test that opens them with it
	$(BIN)/pip install --quiet --no-deps --target $(VENV)/duckdb-1.1 duckdb==1.1.3
	$(BIN)/python -m orchestration.dbt_manifest  # parse the dbt project once (runs reuse the manifest)
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install cx360 with its pinned dependencies

run: install ## Load, build, check and publish the demo landing zone into ./warehouse
	$(BIN)/cx360 run

test: install ## Run the whole test suite
	$(BIN)/pytest

lint: install ## Lint Python (ruff) and SQL (sqlfluff)
	$(BIN)/ruff check orchestration tests
	$(BIN)/ruff format --check orchestration tests
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros

format: install ## Format Python and fix SQL style
	$(BIN)/ruff format orchestration tests
	$(BIN)/ruff check --fix orchestration tests
	$(BIN)/sqlfluff fix dbt_project/models dbt_project/macros

ui: install ## Open the Dagster UI (assets, lineage, checks) on http://127.0.0.1:3000
	$(BIN)/cx360 ui

docs: install ## Build dbt's docs site (and the demo warehouse first if there is none) and serve it on 127.0.0.1:8361
	@test -f warehouse/cx.duckdb || $(BIN)/cx360 run
	$(BIN)/cx360 docs --serve

demo: install ## Regenerate the committed demo landing zone in seeds/demo/
	$(BIN)/python -m orchestration.generate

bench: install ## Benchmark full and incremental runs at SIZE customers (BENCH_ARGS=--keep to reuse data)
	$(BIN)/python benchmarks/run.py --size $(SIZE) $(BENCH_ARGS)

clean: ## Remove the local warehouse (not the venv)
	rm -rf warehouse
