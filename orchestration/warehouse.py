"""Opening the working database: one writer at a time, times in UTC."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb

from orchestration.ingest import ledger
from orchestration.settings import Settings


@contextlib.contextmanager
def connect(settings: Settings, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    if not read_only:
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.duckdb_path), read_only=read_only)
    try:
        con.execute("set TimeZone = 'UTC'")
        if not read_only:
            ledger.ensure(con)
        yield con
    finally:
        con.close()


def remove_orphan_batches(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """Delete raw-zone files that no load record vouches for (a run stopped between write and record)."""
    loaded = {r[0] for r in con.execute("select batch_id from ops.load_batches where status = 'loaded'").fetchall()}
    removed = []
    if settings.raw_dir.is_dir():
        for path in settings.raw_dir.glob("*/*/*"):
            batch = path.name.removeprefix(".").split(".parquet")[0]
            if path.name.endswith(".tmp") or batch not in loaded:
                path.unlink()
                removed.append(str(path))
    return removed
