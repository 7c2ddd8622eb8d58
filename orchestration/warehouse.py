"""Opening the working database: one writer at a time, times in UTC."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb

from orchestration.ingest import ledger
from orchestration.settings import Settings, memory_bytes
from orchestration.sql import ident


class BusyWarehouse(Exception):
    """The working database is locked by another process; the step is retried with back-off."""


class NoWorkingDatabase(Exception):
    """The warehouse holds no working database: nothing was ever loaded into it."""


def require_working_database(settings: Settings) -> None:
    """Raise NoWorkingDatabase, naming the file and what to do, when the warehouse has none."""
    if not settings.duckdb_path.exists():
        raise NoWorkingDatabase(f"no working database at {settings.duckdb_path}: run `cx360 run` first")


# the working databases held open in this process (held_open): None until the first connect()
_held: dict[Path, duckdb.DuckDBPyConnection | None] = {}


@contextlib.contextmanager
def connect(settings: Settings, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = settings.duckdb_path
    if path in _held:  # a cursor of the open database, read-only or not: its reads are the same
        if _held[path] is None:
            _held[path] = _open(settings, read_only=False)
        con = _held[path].cursor()
    else:
        con = _open(settings, read_only)
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set memory_limit = ?", [settings.duckdb_memory_limit])
        if not read_only:
            ledger.ensure(con)
        yield con
    finally:
        con.close()


def _open(settings: Settings, read_only: bool) -> duckdb.DuckDBPyConnection:
    if not read_only:
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(settings.duckdb_path), read_only=read_only)
    except duckdb.IOException as e:
        if "lock" not in str(e).lower():
            raise
        # another process holds the file (a BI tool on the working file, a second run): transient
        raise BusyWarehouse(f"{settings.duckdb_path} is in use by another process: {e}") from e


@contextlib.contextmanager
def held_open(settings: Settings) -> Iterator[None]:
    """Keep the working database open in this process until release() or the block's end.

    Every connect() meanwhile is a cursor of it (~0.3 ms) instead of an open of the file (~40 ms:
    the catalog of its ~600 tables and views read again, a checkpoint at each close): a run's ~25
    ingest and check steps connect once or twice each. The database is opened by the first
    connect() inside the block, so a busy file is met where it is today. Anything that opens the
    file otherwise (dbt, a process of its own; a session that attaches it) needs it released first.
    """
    _held[settings.duckdb_path] = None
    try:
        yield
    finally:
        release(settings)


def release(settings: Settings) -> None:
    """Close the working database held_open holds, if any; connect() opens the file again from here."""
    con = _held.pop(settings.duckdb_path, None)
    if con is not None:
        con.close()


def in_memory(settings: Settings, share: float = 1.0) -> duckdb.DuckDBPyConnection:
    """An in-memory session held to `share` of the run's DuckDB memory limit, so that the sessions
    a step opens side by side stay within the one limit together (DuckDB's own default, 80% of the
    machine, is per session). What does not fit spills where the working database's own sessions
    spill, not into the current folder; DuckDB (2.0 on) names its spill files by process and
    instance, so sessions side by side do not overwrite each other's."""
    con = duckdb.connect(config={"temp_directory": f"{settings.duckdb_path}.tmp"})
    con.execute("set memory_limit = ?", [f"{int(memory_bytes(settings.duckdb_memory_limit) * share)}B"])
    return con


BUSY_RETRIES = 4


def busy_wait_seconds(settings: Settings, retry_number: int) -> float:
    """Back-off before retry n+1: 5, 10, 20, 40 seconds by default (settings.busy_first_wait_seconds)."""
    return settings.busy_first_wait_seconds * 2**retry_number


@contextlib.contextmanager
def retry_when_busy(context, settings: Settings) -> Iterator[None]:
    """Turn a locked working database into a Dagster retry, with a doubling wait (busy_wait_seconds)."""
    try:
        yield
    except BusyWarehouse as busy:
        import dagster as dg

        wait = busy_wait_seconds(settings, context.retry_number)
        context.log.warning(f"{busy}; retrying in {wait} s")
        raise dg.RetryRequested(max_retries=BUSY_RETRIES, seconds_to_wait=wait) from busy


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str, catalog: str | None = None) -> bool:
    """Whether `schema.table` is in `catalog` (default: this database): a warehouse an earlier cx360
    built may lack a bookkeeping table a later one added."""
    return (
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = coalesce(?, current_database()) and table_schema = ? and table_name = ?",
            [catalog, schema, table],
        ).fetchone()[0]
        > 0
    )


def model_schema(con: duckdb.DuckDBPyConnection, model: str, catalog: str | None = None) -> str:
    """The schema dbt built `model` in (staging, intermediate, marts...), in `catalog` (default: this database)."""
    rows = con.execute(
        "select table_schema from information_schema.tables "
        "where table_catalog = coalesce(?, current_database()) and table_name = ? order by 1",
        [catalog, model],
    ).fetchall()
    if len(rows) != 1:
        found = ", ".join(r[0] for r in rows) or "nowhere"
        raise LookupError(f"expected {model} in one schema of the warehouse, found {found}")
    return rows[0][0]


def outdated_tables(con: duckdb.DuckDBPyConnection, expected: dict[str, list[str]]) -> dict[str, list[str]]:
    """The tables of `expected` (model -> columns) in this database that lack some of those columns,
    with the missing ones: built by an earlier cx360, they must be rebuilt before they can be updated."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_catalog = current_database()"
    ).fetchall():
        present.setdefault(table, set()).add(column)
    return {
        model: missing
        for model, columns in sorted(expected.items())
        if model in present and (missing := [c for c in columns if c not in present[model]])
    }


def drop_dbt_scratch(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop what dbt left behind: an incremental Python model (the phone numbers) leaves its batch of
    new rows as `main.<model>__dbt_tmp<time>` after each incremental build. Nothing reads it, it grows
    by one table a run, and it holds people's phone numbers where no erasure would look for them."""
    left = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
        "and contains(table_name, '__dbt_tmp')"
    ).fetchall()
    for schema, table in left:
        con.execute(f"drop table {ident(schema)}.{ident(table)}")
    return [f"{s}.{t}" for s, t in left]
