"""A warehouse whose models Spark builds: the working DuckDB database reads them where Spark wrote them.

On Spark (CX360_ENGINE=spark) dbt writes each table as Parquet under
``<warehouse>/spark/warehouse/<schema>.db/<table>/`` (profiles.yml). After each build the working
database gets a view of the same name over those files, so everything after dbt (the audit's
counts, the publish and its gates, the dashboard, subject access) reads Spark's tables as it reads
DuckDB's, with no second code path. The other way round, the run's records that a model reads
(mart_data_trust: load records, check results, table counts) are written from the working database
to Parquet before each Spark build, and declared to Spark as tables of schema `ops`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.sql import ident, literal

# the working database's run records that models read (models/marts/trust/_trust__sources.yml)
OPS_TABLES = ("load_batches", "batch_profiles", "check_results", "table_counts")


def tables_dir(warehouse_dir: Path) -> Path:
    """Where Spark keeps its tables (profiles.yml: spark.sql.warehouse.dir, relative to dbt's folder)."""
    return warehouse_dir / "spark" / "warehouse"


def ops_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / "spark" / "ops"


def ops_tables(warehouse_dir: Path) -> dict[str, dict[str, str]]:
    """The run records as Spark declares them: {table: {location}}, their columns read from the files."""
    return {f"ops.{t}": {"location": str(ops_dir(warehouse_dir) / t)} for t in OPS_TABLES}


def export_ops(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> None:
    """Write the run records as one Parquet file per table, each replaced whole by a rename."""
    for table in OPS_TABLES:
        folder = ops_dir(warehouse_dir) / table
        folder.mkdir(parents=True, exist_ok=True)
        # Spark skips files whose names start with a dot while they are written
        partial = folder / ".records.parquet.tmp"
        con.execute(f"copy (select * from ops.{ident(table)}) to {literal(str(partial))} (format parquet)")
        os.replace(partial, folder / "records.parquet")


def expose_build(con: duckdb.DuckDBPyConnection, warehouse_dir: Path, tables: list[tuple[str, str]]) -> list[str]:
    """A view per table Spark built, replacing a table of the same name DuckDB built before the
    warehouse moved to Spark. Returns the tables not found (not built yet: a failed first build)."""
    existing = {
        (schema, name): kind
        for schema, name, kind in con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
    }
    missing = []
    for schema, table in tables:
        folder = tables_dir(warehouse_dir) / f"{schema}.db" / table
        if not any(folder.glob("*.parquet")):
            missing.append(f"{schema}.{table}")
            continue
        relation = f"{ident(schema)}.{ident(table)}"
        con.execute(f"create schema if not exists {ident(schema)}")
        if existing.get((schema, table)) == "BASE TABLE":
            con.execute(f"drop table {relation}")
        files = literal(str(folder / "*.parquet"))
        con.execute(f"create or replace view {relation} as select * from read_parquet({files})")
    return missing
