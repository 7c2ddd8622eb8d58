"""The one place that reads the environment and resolves paths.

`Settings.from_env()` is called once, by the CLI or the code location; from then on the settings
are passed: the Dagster resources are built from them (resources.py) and the dbt invocation gets
them as `--vars` (profiles.yml reads its connection from those, and is the one place dbt reads the
environment, for people who run dbt by hand). Nothing writes the environment back. Paths are
resolved here once, so a run behaves the same from any current directory (dbt-duckdb would
otherwise resolve a relative database path against the working directory).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from orchestration.rawzone import spark_tables
from orchestration.spark_warehouse import ops_tables

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEMO_LANDING_DIR = PROJECT_ROOT / "seeds" / "demo"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

ENV_LANDING = "CX360_LANDING_DIR"
ENV_WAREHOUSE = "CX360_WAREHOUSE_DIR"
ENV_AS_OF = "CX360_AS_OF"
ENV_REJECTED = "CX360_REJECTED_BATCHES"  # block (default) or warn
ENV_ALLOW_VOLUME_DROP = "CX360_ALLOW_VOLUME_DROP"
ENV_FRESHNESS_HOURS = "CX360_FRESHNESS_HOURS"
ENV_FULL_REFRESH = "CX360_FULL_REFRESH"
ENV_MEMORY_LIMIT = "CX360_DUCKDB_MEMORY_LIMIT"
ENV_DBT_THREADS = "CX360_DBT_THREADS"
ENV_FUTURE_TOLERANCE_HOURS = "CX360_FUTURE_TOLERANCE_HOURS"
ENV_TIMESTAMP_FLOOR = "CX360_TIMESTAMP_FLOOR"
ENV_ENGINE = "CX360_ENGINE"
ENV_SPARK_MASTER = "CX360_SPARK_MASTER"
ENV_SPARK_THRIFT = "CX360_SPARK_THRIFT"
ENGINES = ("duckdb", "spark")
DUCKDB_FILE_NAME = "cx.duckdb"  # its stem is the database name in dbt's relation names ("cx"."marts"...)


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_dir: Path
    as_of: dt.date | None = None
    # quality.md: a batch with more than this share of rows in error is rejected whole
    max_row_error_share: float = 0.05
    # quality.md: a rejected batch of a required entity blocks publishing unless this is False
    rejected_required_batch_blocks: bool = True
    # quality.md volume guard: a published table may not lose more than this share of its rows
    # against the last published version unless the run is told to allow it
    volume_drop_limit: float = 0.5
    allow_volume_drop: bool = False
    # a source entity with no delivery for this long is flagged (a warning, not a gate): the four
    # systems deliver nightly, so a day and a half means a missed night
    freshness_hours: float = 36
    reporting_currency: str = "EUR"
    # rebuild the incremental models (staging, the journey) from the whole raw zone instead of
    # merging what changed since the last build
    full_refresh: bool = False
    # DuckDB's memory per step (dbt's, ingestion's, a GX check's, the publish's sessions together);
    # beyond it DuckDB spills to disk. A size as DuckDB reads it: 4GB, 2GiB, 50% (of the machine). Its
    # own default, 80% of the machine's memory, let one run take 20 GiB at a million customers.
    duckdb_memory_limit: str = "4GB"
    # models dbt builds at once; None: the engine's (dbt_build_threads)
    dbt_threads: int | None = None
    # where dbt builds the models: duckdb (embedded, in cx.duckdb) or spark (profiles.yml)
    engine: str = "duckdb"
    # Spark's master in session mode: local[N] in dbt's own process, or a cluster (spark://host:7077)
    spark_master: str = "local[2]"
    # host:port of a Spark Thrift server (`cx360 spark-server`) dbt connects to instead of starting
    # Spark in its own process; its tables must land in this warehouse's spark/ folder
    spark_thrift: str | None = None
    # model.md: no default region, so only numbers written with + or 00 parse
    default_phone_region: str | None = None
    # quality.md: timestamps after the delivery by more than this, or before the floor, are row errors
    # (a clock a day off is common; a year 9999 or 1900 is a broken value, not a customer's history)
    future_tolerance_hours: float = 24
    timestamp_floor: dt.date = dt.date(1970, 1, 1)
    # a step that finds the working database locked by another process (a notebook, a second run)
    # waits this long, then twice as long each time, four times: most holders let go within a minute
    busy_first_wait_seconds: float = 5
    # a publication starts from the previous one's files (only what changed is written); an erasure
    # turns this off, so no byte of the old publication lives on in the new one
    reuse_publication: bool = True

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        overrides = {k: v for k, v in overrides.items() if v is not None}
        landing = overrides.pop("landing_dir", None) or os.environ.get(ENV_LANDING) or DEMO_LANDING_DIR
        warehouse = overrides.pop("warehouse_dir", None) or os.environ.get(ENV_WAREHOUSE) or "warehouse"
        as_of = overrides.pop("as_of", None) or os.environ.get(ENV_AS_OF) or None
        if isinstance(as_of, str):
            as_of = parse_as_of(as_of)
        rejected = os.environ.get(ENV_REJECTED, "block").strip().lower()
        if rejected not in ("block", "warn"):
            raise ValueError(f"{ENV_REJECTED} must be 'block' or 'warn', not {rejected!r}")
        overrides.setdefault("rejected_required_batch_blocks", rejected == "block")
        if os.environ.get(ENV_FRESHNESS_HOURS):
            overrides.setdefault("freshness_hours", float(os.environ[ENV_FRESHNESS_HOURS]))
        overrides.setdefault("allow_volume_drop", os.environ.get(ENV_ALLOW_VOLUME_DROP, "") in ("1", "true", "yes"))
        overrides.setdefault("full_refresh", os.environ.get(ENV_FULL_REFRESH, "") in ("1", "true", "yes"))
        if os.environ.get(ENV_MEMORY_LIMIT):
            memory_bytes(os.environ[ENV_MEMORY_LIMIT], ENV_MEMORY_LIMIT)
            overrides.setdefault("duckdb_memory_limit", os.environ[ENV_MEMORY_LIMIT])
        if os.environ.get(ENV_FUTURE_TOLERANCE_HOURS):
            overrides.setdefault("future_tolerance_hours", float(os.environ[ENV_FUTURE_TOLERANCE_HOURS]))
        if os.environ.get(ENV_TIMESTAMP_FLOOR):
            overrides.setdefault("timestamp_floor", parse_as_of(os.environ[ENV_TIMESTAMP_FLOOR]))
        if os.environ.get(ENV_ENGINE):
            overrides.setdefault("engine", os.environ[ENV_ENGINE].strip().lower())
        if os.environ.get(ENV_SPARK_MASTER):
            overrides.setdefault("spark_master", os.environ[ENV_SPARK_MASTER].strip())
        if os.environ.get(ENV_SPARK_THRIFT):
            overrides.setdefault("spark_thrift", os.environ[ENV_SPARK_THRIFT].strip())
        if os.environ.get(ENV_DBT_THREADS):
            threads = os.environ[ENV_DBT_THREADS].strip()
            if not threads.isdigit() or int(threads) < 1:
                raise ValueError(f"{ENV_DBT_THREADS} must be a whole number of at least 1, not {threads!r}")
            overrides.setdefault("dbt_threads", int(threads))
        return cls(
            landing_dir=Path(landing).expanduser().resolve(),
            warehouse_dir=Path(warehouse).expanduser().resolve(),
            as_of=as_of,
            **overrides,
        )

    def __post_init__(self) -> None:
        memory_bytes(self.duckdb_memory_limit)  # a wrong size fails here, not in the middle of a run
        if self.engine not in ENGINES:
            raise ValueError(f"{ENV_ENGINE} must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.spark_thrift is not None:
            thrift_address(self.spark_thrift)  # a wrong address fails here, not when dbt connects

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    @property
    def dbt_build_threads(self) -> int:
        """Models dbt builds at once. On DuckDB one: the models share one database and its memory
        limit, so each query has all of it and every core (at 3M customers the journey and the
        identifiers' pivot side by side ran out of memory; at 1M one thread was as fast as two).
        Spark runs two queries side by side in its own memory."""
        if self.dbt_threads is not None:
            return self.dbt_threads
        return 2 if self.engine == "spark" else 1

    # derived locations -------------------------------------------------------------------------
    @property
    def duckdb_path(self) -> Path:
        return self.warehouse_dir / DUCKDB_FILE_NAME

    @property
    def raw_dir(self) -> Path:
        return self.warehouse_dir / "raw"

    @property
    def rejected_dir(self) -> Path:
        """Copies of rejected files, byte for byte, so nothing delivered is lost."""
        return self.warehouse_dir / "rejected"

    @property
    def serving_dir(self) -> Path:
        return self.warehouse_dir / "serving"

    @property
    def marts_db_path(self) -> Path:
        """The BI database of the current publication (a stable link through serving/current)."""
        return self.serving_dir / "cx_marts.duckdb"

    @property
    def restricted_db_path(self) -> Path:
        return self.serving_dir / "cx_restricted.duckdb"

    @property
    def parquet_dir(self) -> Path:
        """The current publication's BI tables as Parquet, a folder per table."""
        return self.serving_dir / "current" / "parquet"

    @property
    def privacy_dir(self) -> Path:
        """The salt of identifier hashes, erasure receipts and a pending erasure's work order."""
        return self.warehouse_dir / "privacy"

    @property
    def dagster_dir(self) -> Path:
        return self.warehouse_dir / "dagster"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artifacts and logs of the last run on this warehouse (and its partial parse)."""
        return self.warehouse_dir / "dbt_target"

    def dbt_vars(self) -> dict:
        """What the dbt invocation is told: profiles.yml reads the connection from these vars, the
        models read the rest. Constant for one warehouse (as long as the as-of date is), so dbt's
        partial parsing keeps the last run's parse."""
        out: dict = {
            "cx360_duckdb_memory_limit": self.duckdb_memory_limit,
            "reporting_currency": self.reporting_currency,
        }
        if self.as_of:
            out["as_of"] = self.as_of.isoformat()
        if self.default_phone_region:
            out["default_phone_region"] = self.default_phone_region
        if self.engine == "spark":
            out |= {
                "cx360_engine": "spark",
                "cx360_spark_master": self.spark_master,
                # the tables dbt declares over files at the start of each invocation
                "cx360_external_tables": {f"raw.{t}": spec for t, spec in spark_tables(self.raw_dir).items()}
                | ops_tables(self.warehouse_dir),
            }
        if self.engine == "spark" and self.spark_thrift:
            host, port = thrift_address(self.spark_thrift)
            out |= {"cx360_target": "spark_thrift", "cx360_spark_host": host, "cx360_spark_port": port}
        return out


def thrift_address(value: str) -> tuple[str, int]:
    """(host, port) of a Spark Thrift server given as host:port."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"{ENV_SPARK_THRIFT} must be host:port, such as 127.0.0.1:10000, not {value!r}")
    return host, int(port)


_SIZE = re.compile(r"\s*(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[a-zA-Z%]+)\s*")
_UNITS = {"b": 1, "bytes": 1} | {
    f"{prefix}{suffix}": base**power
    for power, prefix in enumerate("kmgt", start=1)
    for suffix, base in (("", 1000), ("b", 1000), ("ib", 1024))
}


def memory_bytes(text: str, name: str = "the DuckDB memory limit") -> int:
    """A memory size as DuckDB reads it: '4GB' = 4e9 bytes, '4GiB' = 4 * 2**30, '50%' of the
    machine's memory."""
    size = _SIZE.fullmatch(text or "")
    unit = size["unit"].lower() if size else ""
    if unit == "%":
        return int(float(size["number"]) / 100 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    if unit not in _UNITS:
        raise ValueError(f"{name} must be a size such as 4GB, 512MB, 2GiB or 50%, not {text!r}")
    return int(float(size["number"]) * _UNITS[unit])


def parse_as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"as-of date {text!r} is not a date of the form YYYY-MM-DD") from None
