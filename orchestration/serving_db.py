"""A serving database: the published tables inside one DuckDB file that any DuckDB from 1.1 on reads.

The tables live in the file (no view reads a path, so the file works wherever it is copied) and the
file is written in DuckDB 1.0's storage format (`STORAGE_VERSION`): BI drivers and notebooks that
embed an older DuckDB than ours can open it read-only. Comments carry the dbt descriptions.

A publication starts from a copy of the previous publication's file and changes only the tables
whose snapshot files changed. A large table that a build rewrites by row (`RowPatch`: the journey,
the identity assignments) is patched by row: the rows the builds since the previous publication
wrote replace the rows they supersede, and the patched table must then hash to its snapshot's
digest, or it is rewritten whole. That digest is worked out from the rows patched, not by hashing
the table again: the previous table's digest (its files' names) less the rows taken out plus
the rows put in. Patching by row keeps a day's cost near what the day changed: a
rewritten table of 20M rows is most of a publication. A table cut by month replaces only the
months that changed. What a table of the previous file holds is read from the previous manifest
(its snapshot files), so the file itself needs no bookkeeping table.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.snapshots import (
    DIGEST_MODULUS,
    Snapshot,
    digest_sql,
    parse_file_name,
    parts_condition,
    row_hash_sql,
)
from orchestration.sql import ident, literal

STORAGE_VERSION = "v1.0.0"
# a table with more than this share of its parts (or rows) changed is rewritten rather than patched
_REWRITE_SHARE = 0.5

log = logging.getLogger(__name__)

# how a publication wrote a table of its serving database (its manifest says, per table)
UNCHANGED, BY_ROW, BY_MONTH, REWRITTEN = "unchanged", "patched by row", "patched by month", "rewritten"


@dataclass(frozen=True)
class Written:
    """How a table of the serving database was written (UNCHANGED...), in how many seconds, and
    for a table meant to be patched by row but written otherwise, why (else "")."""

    how: str
    seconds: float
    why: str = ""


@dataclass(frozen=True)
class RowPatch:
    """The rows of a table written since the previous publication, and what they supersede.

    `changed`: SQL selecting those rows, in the published columns (it may read the working
    database, attached as `wh`), None when the previous publication did not record what it holds
    (the table is then written whole, ready to be patched next time); `key`: the table's unique
    key; `group`: a column whose every row a build rewrites together (a customer's journey), so an
    old row of a group that has changed rows, or that has no row left at all, goes even when no new
    row has its key. The rows with no group are rewritten by every build.
    """

    changed: str | None
    key: str
    group: str | None = None


# model -> (its description, {column: description}): the dbt YAML's
Docs = dict[str, tuple[str, dict[str, str]]]


def write(
    target: Path,
    tables: dict[str, Snapshot],
    months: dict[str, str],
    docs: Docs,
    working_db: Path,
    previous: tuple[Path, dict[str, list[str]]] | None = None,
    patches: dict[str, RowPatch] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> dict[str, Written]:
    """Write `target` holding `tables`, read from their sources in `working_db` (attached read-only
    as `wh`): the serving tables need the snapshots' hashes, not their files, so they are written
    while the files are. `previous`: the previous publication's file and, per table, the parts it
    held (snapshot file names); `patches`: the tables to patch by row when the previous file holds
    them; `con`: a new in-memory connection to write with, which the caller closes (so that another
    thread can interrupt it), else one of its own. Returns how each table was written (unchanged,
    patched by row, patched by month or rewritten) and how long it took."""
    before: dict[str, list[str]] = {}
    if previous and previous[0].exists():
        shutil.copyfile(previous[0], target)
        before = previous[1]
    patches, written = patches or {}, {}
    with contextlib.closing(duckdb.connect()) if con is None else contextlib.nullcontext(con) as con:
        con.execute(f"attach {literal(str(target))} as pub (storage_version {literal(STORAGE_VERSION)})")
        # the tables are written from the working database (the snapshots' sources)
        con.execute(f"attach {literal(str(working_db))} as wh (read_only)")
        present = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'pub'").fetchall()
        }
        for name in present - set(tables):
            _drop(con, name)
        for name, snap in tables.items():
            started = time.perf_counter()
            old = before.get(name) if name in present else None
            patch, why = patches.get(name), ""
            if patch:
                why = _unpatchable(patch, old) or _patch_rows(con, name, snap, old, patch)
            if patch and not why:
                how = UNCHANGED if sorted(old) == sorted(snap.parts) else BY_ROW
            else:
                how = _sync_table(con, name, snap, months.get(name), old, name in present, compact=patch is not None)
                if why and old is not None:  # a first publication has nothing to patch
                    log.warning("%s: not patched by row (%s): %s", name, why, how)
            _comment(con, name, *docs.get(name, ("", {})))
            written[name] = Written(how, round(time.perf_counter() - started, 3), why)
        con.execute("checkpoint pub")
        con.execute("detach pub")  # the file is complete and closed for its readers (the dashboard)
    return written


def _unpatchable(patch: RowPatch, old: list[str] | None) -> str:
    """Why a table cannot even be tried as a row patch ("" when it can)."""
    if old is None:
        return "no previous publication's file holds it"
    if patch.changed is None:
        return "the previous publication did not record the rows it holds"
    return ""


def _patch_rows(con, name: str, snap: Snapshot, old: list[str], patch: RowPatch) -> str:
    """Patch the previous publication's table by row: "" when done, else why it could not be (and
    nothing changed): another shape, most rows changed, a result that does not hash to the
    snapshot's digest, or a patch larger than the memory it may hold."""
    new = list(snap.parts)
    if sorted(old) == sorted(new):
        return ""  # the same files: the same rows
    if {_shape(f) for f in [*old, *new]} != {_shape(new[0])}:
        return "its columns changed"
    table, key = f"pub.main.{ident(name)}", ident(patch.key)
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    con.execute("begin")
    try:
        con.execute(f"create temp table changed_rows as {patch.changed}")
        changed = con.execute("select count(*) from changed_rows").fetchone()[0]
        if changed > _REWRITE_SHARE * snap.rows:
            con.execute("rollback")
            return f"{changed:,} of its {snap.rows:,} rows were rewritten, more than {_REWRITE_SHARE:.0%}"
        superseded = f"{key} in (select {key} from changed_rows)"
        if patch.group:
            group = ident(patch.group)
            # a group the builds left without any row (a prospect whose every touch moved to the CRM
            # customer it turned out to be) is named by no changed row, yet its rows are gone: a row of
            # it that no new row replaces by key (a ticket's solved touch, gone as the ticket reopened)
            # would stay. ~1 s for the 14M-row journey at 1M; the patch used to fail on it, and the
            # table was written whole (~70-110 s) on two days of eleven
            con.execute(
                f"create temp table gone_groups as select {group} from {table} where {group} is not null "
                f"except select {group} from ({snap.source}) as built where {group} is not null"
            )
            superseded += (
                f" or {group} in (select {group} from changed_rows where {group} is not null)"
                f" or {group} in (select {group} from gone_groups) or {group} is null"
            )
        # the published rows the changed ones supersede, with their row hashes: the patch's one read
        # of every column of the table, from which the unchanged rows and what goes are worked out.
        # Joining the table to find the unchanged rows, then counting and hashing what goes, read it
        # twice: a 1M day's publish, replayed, patched the journey in 17-22 s against 33 s and the
        # assignments in 4-5 s against 16-17 s
        con.execute(
            f"create temp table superseded_rows as select t.rowid as _rowid, t.{key} as _key, "
            f"{row_hash_sql('t')} as _row_hash from {table} as t where {superseded}"
        )
        # a build rewrites every row of a customer it re-derives, and most come out as they were:
        # those stay, so the patch touches what changed (a changed row's published row by key is
        # among the superseded)
        con.execute(
            f"create temp table same_rows as select changed.{key} from changed_rows as changed "
            f"inner join superseded_rows as published on changed.{key} = published._key "
            f"where {row_hash_sql('changed')} = published._row_hash"
        )
        put_in = f"{key} not in (select {key} from same_rows)"
        taken_out = f"select _rowid, _row_hash from superseded_rows where _key not in (select {key} from same_rows)"
        in_rows, in_digest = _count_and_hash(con, f"select * from changed_rows where {put_in}")
        out_rows, out_digest = _count_and_hash(con, taken_out, row_hash="_row_hash")
        # counted and hashed apart, then deleted: a `delete ... returning *` would count them as they
        # go, but holds every returned row in memory, which cannot spill (a day's patch of the
        # journey at 3M customers ran a serving session out of memory)
        deleted = con.execute(f"delete from {table} where rowid in (select _rowid from ({taken_out}))").fetchone()[0]
        if deleted != out_rows:
            raise AssertionError(f"{name}: the rows deleted are not the rows counted")
        with _one_thread(con):
            inserted = con.execute(f"insert into {table} select * from changed_rows where {put_in}").fetchone()[0]
        # the previous table held exactly its files' rows (checked when it was published, and the
        # file is a copy): what it holds now follows from what was taken out and put in
        rows_before, digest_before = _rows_and_digest(old)
        rows = rows_before - out_rows + in_rows
        digest = (digest_before - out_digest + in_digest) % DIGEST_MODULUS
        if inserted != in_rows or rows != snap.rows or digest != snap.digest:
            con.execute("rollback")
            if inserted != in_rows:
                return f"{inserted:,} rows inserted of the {in_rows:,} counted"
            off = f"{rows:,} rows against {snap.rows:,}" if rows != snap.rows else "the same rows, another digest"
            return f"the rows patched in do not add up to the snapshot ({off})"
        for temp in ("changed_rows", "superseded_rows", "same_rows", "gone_groups"):
            con.execute(f"drop table if exists {temp}")
        con.execute("commit")
        return ""
    except duckdb.OutOfMemoryException as e:
        # a patch holds what its transaction changes in memory until it commits: written whole
        # from its files instead, as a patch of most rows is
        con.execute("rollback")
        con.execute(f"set threads = {int(threads)}")  # _one_thread cannot while the transaction is aborted
        return f"the patch ran out of memory ({str(e).splitlines()[0]})"
    except BaseException:
        con.execute("rollback")
        con.execute(f"set threads = {int(threads)}")
        raise


def _sync_table(
    con,
    name: str,
    snap: Snapshot,
    month_column: str | None,
    old: list[str] | None,
    in_file: bool,
    compact: bool = False,
) -> str:
    """Replace the table, or the months that changed, from the snapshot's source in the working
    database; `in_file`: the copied file holds the table (whatever the previous manifest recorded);
    `compact`: with full row groups (_one_thread), for a table the next publication patches by row."""
    new = list(snap.parts)
    table = f"pub.main.{ident(name)}"
    if old is not None and sorted(old) == sorted(new):
        return UNCHANGED  # the same parts: the same rows
    gone, added = set(old or []) - set(new), [p for p in new if p not in set(old or [])]
    patchable = old is not None and month_column and len(added) <= _REWRITE_SHARE * max(len(new), 1)
    # the column list is part of a part's name: one shape across old and new, or a rewrite
    if patchable and {_shape(f) for f in [*gone, *new]} != {_shape(new[0])}:
        patchable = False
    with _one_thread(con) if compact else contextlib.nullcontext():
        if not patchable:
            if in_file:
                _drop(con, name)
            con.execute(f"create table {table} as {snap.source}")
            rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            if rows != snap.rows:  # nothing writes the working database while a publish reads it
                raise AssertionError(f"{name}: {rows:,} rows written, {snap.rows:,} hashed for the publication")
            return REWRITTEN
        changed = {_part(f) for f in gone} | {_part(f) for f in added}
        con.execute(f"delete from {table} where {parts_condition(month_column, changed)}")
        months = parts_condition(month_column, {_part(f) for f in added})
        con.execute(f"insert into {table} select * from ({snap.source}) as t where {months}")
    return BY_MONTH


def _drop(con, name: str) -> None:
    """Drop a table of the copied file and give its blocks back at once (a checkpoint): a table
    written after it then takes those blocks. Replaced in one statement, the old table's blocks are
    freed only after the new one is written, and the file holds both: a day that rewrote the 14M-row
    journey whole took the BI file from 1.0 to 1.8 GB, half of it free from then on (DuckDB never
    shrinks a file; it reuses free blocks)."""
    con.execute(f"drop table pub.main.{ident(name)}")
    con.execute("checkpoint pub")


@contextlib.contextmanager
def _one_thread(con):
    """Write a serving table with one thread. When this was written, parallel writers left row
    groups part-full, and the first change to such a table made DuckDB's next checkpoint rewrite
    all of it (5 s for a 2.7M-row journey, against 0.04 s with full row groups). On DuckDB 2.0
    (2026-12-06) a two-thread write of the 13.6M-row journey left 120 row groups against 112 and a
    later patch's checkpoint took no longer, in half the wall time for the same CPU: one thread
    stays because the publish's three sessions already keep both cores busy."""
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    con.execute("set threads = 1")
    try:
        yield
    finally:
        # a statement that failed inside a transaction aborts it, and an aborted transaction takes
        # no setting: whoever rolls it back sets the threads again (_patch_rows)
        with contextlib.suppress(duckdb.TransactionException):
            con.execute(f"set threads = {int(threads)}")


def _count_and_hash(con, rows_sql: str, row_hash: str | None = None) -> tuple[int, int]:
    """The rows a query returns, and the sum of their row hashes as snapshots sum them (`row_hash`:
    a column of the query already holding them)."""
    rows, digest = con.execute(
        f"with t as ({rows_sql}) select count(*), coalesce({digest_sql('t', row_hash)}, 0) from t"
    ).fetchone()
    return rows, int(digest)


def _rows_and_digest(files: list[str]) -> tuple[int, int]:
    """What a table built from these snapshot files holds: their rows and their digests, summed."""
    parsed = [parse_file_name(f) for f in files]
    return sum(p[1] for p in parsed), sum(p[2] for p in parsed) % DIGEST_MODULUS


def _part(file_name: str) -> str:
    return parse_file_name(file_name)[0]


def _shape(file_name: str) -> str:
    return parse_file_name(file_name)[3]


def _comment(con, table: str, description: str, columns: dict[str, str]) -> None:
    """The model's and its columns' dbt descriptions as comments: what a BI tool shows beside a name.
    A comment the copied file already holds is not written again (each one is a catalog change)."""
    current = con.execute(
        "select comment from duckdb_tables() where database_name = 'pub' and table_name = ?", [table]
    ).fetchone()[0]
    if description and description != current:
        con.execute(f"comment on table pub.main.{ident(table)} is {literal(description)}")
    present = dict(
        con.execute(
            "select column_name, comment from duckdb_columns() where database_name = 'pub' and table_name = ?",
            [table],
        ).fetchall()
    )
    for column, text in columns.items():
        if text and column in present and present[column] != text:
            con.execute(f"comment on column pub.main.{ident(table)}.{ident(column)} is {literal(text)}")
