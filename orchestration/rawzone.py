"""The raw zone: append-only Parquet, one file per loaded batch, and the views dbt reads.

Layout: ``<warehouse>/raw/<source>/<entity>/<batch_id>.parquet``, holding the contract's columns
typed (see contracts.SQL_TYPES) plus the lineage columns. dbt's sources are the views
``raw.<source>__<entity>`` in the working database; an entity never delivered gets an empty view
of the right shape, so a company without a support desk still builds.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.contracts import ENTITIES, LINEAGE_COLUMNS, Entity
from orchestration.sql import ident as _ident
from orchestration.sql import literal as _quote


def entity_dir(raw_dir: Path, entity: Entity) -> Path:
    return raw_dir / entity.source / entity.name


def column_list(entity: Entity) -> list[tuple[str, str]]:
    return [(c.name, c.sql_type) for c in entity.columns] + list(LINEAGE_COLUMNS)


def view_sql(raw_dir: Path, entity: Entity) -> str:
    """SQL of the raw view: every batch file of the entity, or an empty relation of its shape."""
    cols = column_list(entity)
    if any(entity_dir(raw_dir, entity).glob("*.parquet")):
        pattern = str(entity_dir(raw_dir, entity) / "*.parquet")
        select = ", ".join(f"cast({_ident(n)} as {t}) as {_ident(n)}" for n, t in cols)
        return f"select {select} from read_parquet({_quote(pattern)}, union_by_name = true)"
    select = ", ".join(f"cast(null as {t}) as {_ident(n)}" for n, t in cols)
    return f"select {select} where false"


# the contract's DuckDB types as Spark names them
_SPARK_TYPES = {"varchar": "string"}


def spark_tables(raw_dir: Path, entities=ENTITIES) -> dict[str, dict[str, str]]:
    """The raw zone's tables on Spark: {table: {columns, location}}, which dbt declares at the start
    of each invocation (dbt_project/macros/spark/external_tables.sql)."""
    return {
        e.raw_table: {
            "columns": ", ".join(f"`{n}` {_SPARK_TYPES.get(t, t)}" for n, t in column_list(e)),
            "location": str(entity_dir(raw_dir, e)),
        }
        for e in entities
    }


def refresh_views(con: duckdb.DuckDBPyConnection, raw_dir: Path, entities=ENTITIES) -> None:
    con.execute("create schema if not exists raw")
    for e in entities:
        con.execute(f"create or replace view raw.{_ident(e.raw_table)} as {view_sql(raw_dir, e)}")


def sweep_orphans(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> list[Path]:
    """Delete raw files without a load record: a run killed between writing a batch's file and
    committing its record leaves one, which the raw views would read as a batch (counted twice
    once its landing file loads again). Nothing is lost: the landing file has no record either,
    so the next run loads it. Runs under the writer lock, so no load is in progress."""
    recorded = {r[0] for r in con.execute("select batch_id from ops.load_batches where status = 'loaded'").fetchall()}
    removed = [p for p in raw_dir.glob("*/*/*.parquet") if p.stem not in recorded]
    removed += list(raw_dir.glob("*/*/.*.tmp"))
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
