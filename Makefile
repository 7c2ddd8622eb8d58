# cx360: `make run` sets everything up and runs the main job on the demo data; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SIZE   ?= 1000000
BENCH_ARGS ?=
ENGINE ?= duckdb
CHROMIUM ?= /usr/bin/chromium
JAVA ?= java
SPARK_STAMP := $(VENV)/.spark-stamp

.DEFAULT_GOAL := help
.PHONY: help install browser spark run test test-spark lint format ui docs demo clean bench screenshots

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# uv installs the pinned packages and compiles their bytecode on every core: ~20 s where pip takes
# ~55 s, the same packages; pip does it wherever uv cannot (no wheel of uv for the platform, say)
# named, as a comma in a $(call)'s argument would split it in two
WITH_SPARK := -e '.[dev,spark]'
define pinned_install
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -c constraints.txt $(1) \
		|| $(BIN)/pip install --quiet -c constraints.txt $(1)
endef

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	-$(BIN)/pip install --quiet -c constraints.txt uv
	$(call pinned_install,-e '.[dev]')
	# the oldest DuckDB the serving databases promise to open, for the test that opens them with it
	$(BIN)/pip install --quiet --no-deps --target $(VENV)/duckdb-1.1 duckdb==1.1.3
	$(BIN)/python -m orchestration.dbt_manifest  # parse the dbt project once (runs reuse the manifest)
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install cx360 with its pinned dependencies

# the dashboard's tests drive Debian's Chromium (Playwright's own browser download needs the network)
browser: ## Install Debian's chromium for the browser tests (apt-get, as root) unless it is there
	@if [ -x $(CHROMIUM) ]; then echo "browser: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		&& echo "browser: installed $(CHROMIUM)"; \
	else echo "the browser tests need Debian's chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; fi

$(SPARK_STAMP): $(STAMP)
	$(call pinned_install,$(WITH_SPARK))
	@touch $(SPARK_STAMP)

# Spark 4 runs on Java 17 or later (Debian's OpenJDK 17 will do)
spark: $(SPARK_STAMP) ## Install the Spark engine (pyspark, dbt-spark) and find Java 17+ (apt-get as root if missing)
	@if $(JAVA) -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then echo "java: $$(command -v $(JAVA))"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null \
		&& echo "java: installed openjdk-17-jre-headless"; \
	else echo "Spark needs Java 17 or later: sudo apt-get install openjdk-17-jre-headless"; exit 1; fi

run: install ## Load, build, check and publish the demo landing zone into ./warehouse
	$(BIN)/cx360 run

test: install browser ## Run the whole test suite (but the Spark tests)
	$(BIN)/pytest

test-spark: spark ## Run the Spark tests: cx360 run on a Spark cluster, on a local Spark and over Thrift publishes what DuckDB publishes
	$(BIN)/pytest -m spark

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

bench: install $(if $(filter spark,$(ENGINE)),spark) ## Benchmark full and incremental runs at SIZE customers on ENGINE (duckdb, spark; BENCH_ARGS=--keep to reuse data)
	$(BIN)/python benchmarks/run.py --size $(SIZE) --engine $(ENGINE) $(BENCH_ARGS)

screenshots: install browser ## Screenshots of every dashboard page into docs/screenshots/ (after make run)
	$(BIN)/python -m tests.screenshots

clean: ## Remove the local warehouse (not the venv)
	rm -rf warehouse
