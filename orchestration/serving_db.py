"""A serving database: the published tables inside one DuckDB file that any DuckDB from 1.1 on reads.

The tables live in the file (no view reads a path, so the file works wherever it is copied) and the
file is written in DuckDB 1.0's storage format (`STORAGE_VERSION`): BI drivers and notebooks that
embed an older DuckDB than ours can open it read-only. Comments carry the dbt descriptions.

A publication starts from a copy of the previous publication's file and changes only the tables
whose snapshot files changed; a table cut by month replaces only the months that changed. What a
table of the previous file holds is read from the previous manifest (its snapshot files), so the
file itself needs no bookkeeping table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.snapshots import Snapshot, part_condition
from orchestration.sql import ident, literal

STORAGE_VERSION = "v1.0.0"
# a table with more than this share of its parts changed is rewritten rather than patched
_REWRITE_SHARE = 0.5

# model -> (its description, {column: description}): the dbt YAML's
Docs = dict[str, tuple[str, dict[str, str]]]


def write(
    target: Path,
    tables: dict[str, Snapshot],
    months: dict[str, str],
    docs: Docs,
    previous: tuple[Path, dict[str, list[str]]] | None = None,
) -> None:
    """Write `target` holding `tables`. `previous`: the previous
    publication's file and, per table, the file names it was built from."""
    before: dict[str, list[str]] = {}
    if previous and previous[0].exists():
        shutil.copyfile(previous[0], target)
        before = previous[1]
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(str(target))} as pub (storage_version {literal(STORAGE_VERSION)})")
        present = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'pub'").fetchall()
        }
        for name in present - set(tables):
            con.execute(f"drop table pub.main.{ident(name)}")
        for name, snap in tables.items():
            _sync_table(con, name, snap, months.get(name), before.get(name) if name in present else None)
            _comment(con, name, *docs.get(name, ("", {})))
        con.execute("checkpoint pub")
    finally:
        con.close()


def _sync_table(con, name: str, snap: Snapshot, month_column: str | None, old: list[str] | None) -> None:
    new = [f.name for f in snap.files]
    table = f"pub.main.{ident(name)}"
    if old is not None and sorted(old) == sorted(new):
        return  # the same files: the same rows
    gone, added = set(old or []) - set(new), [f for f in snap.files if f.name not in set(old or [])]
    patchable = old is not None and month_column and len(added) <= _REWRITE_SHARE * max(len(new), 1)
    # the column list is part of a file's name: one shape across old and new, or a rewrite
    if patchable and {_shape(f) for f in [*gone, *new]} != {_shape(new[0])}:
        patchable = False
    if not patchable:
        files = ", ".join(literal(str(f)) for f in snap.files)
        con.execute(f"create or replace table {table} as select * from read_parquet([{files}])")
        return
    for part in sorted({_part(f) for f in gone} | {_part(f.name) for f in added}):
        con.execute(f"delete from {table} where {part_condition(month_column, part)}")
    for f in added:
        con.execute(f"insert into {table} select * from read_parquet({literal(str(f))})")


def _part(file_name: str) -> str:
    """A snapshot file is named <part>-<rows>-<hash>-<shape>.parquet (snapshots.py); a month has a dash."""
    return file_name.removesuffix(".parquet").rsplit("-", 3)[0]


def _shape(file_name: str) -> str:
    return file_name.removesuffix(".parquet").rsplit("-", 1)[-1]


def _comment(con, table: str, description: str, columns: dict[str, str]) -> None:
    """The model's and its columns' dbt descriptions as comments: what a BI tool shows beside a name."""
    if description:
        con.execute(f"comment on table pub.main.{ident(table)} is {literal(description)}")
    present = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where database_name = 'pub' and table_name = ?", [table]
        ).fetchall()
    }
    for column, text in columns.items():
        if text and column in present:
            con.execute(f"comment on column pub.main.{ident(table)}.{ident(column)} is {literal(text)}")
