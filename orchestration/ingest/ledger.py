"""The ops schema: load records, quarantine, batch profiles, check results, runs and publications."""

from __future__ import annotations

import os

import duckdb

DDL = """
create schema if not exists ops;
create table if not exists ops.load_batches (
    batch_id varchar,            -- also the raw-zone file name; null for files never read
    batch_seq bigint,            -- load order: a later batch wins ties on updated_at
    run_id varchar,
    source varchar not null,
    entity varchar not null,
    file_name varchar not null,  -- path inside <landing>/<source>/<entity>/
    file_format varchar,
    content_sha256 varchar,
    size_bytes bigint,
    file_mtime_ns bigint,        -- the file's modification and change times when last read: with
    file_ctime_ns bigint,        -- size_bytes, they let later runs pass over it unread (unchanged)
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    status varchar not null,     -- loaded / duplicate / rejected
    reason varchar,
    extra_columns varchar[],     -- schema drift: columns delivered beyond the contract (ignored)
    loaded_at timestamp not null
);
-- warehouses made before the file times were recorded (their files are hashed once more)
alter table ops.load_batches add column if not exists file_mtime_ns bigint;
alter table ops.load_batches add column if not exists file_ctime_ns bigint;
create table if not exists ops.quarantine (
    batch_id varchar,
    source varchar not null,
    entity varchar not null,
    file_name varchar not null,
    row_number bigint,           -- 1 = first data row; null for a whole-batch rejection
    reason_code varchar not null,
    column_name varchar,
    message varchar not null,    -- every error of the row, in words
    raw_record varchar,          -- the delivered row as JSON (column names as delivered)
    quarantined_at timestamp not null
);
-- One row per loaded batch and profiled measure (quality/drift.py): how many of the batch's loaded
-- rows were in scope, and how many of those met the measure. Measures come from the contract:
-- `filled` for every optional column, `well_formed` (an ISO code of the right number of letters,
-- among filled rows) for code columns. Share = rows_meeting / rows_considered (null when 0 rows).
create table if not exists ops.batch_profiles (
    batch_id varchar not null,       -- ops.load_batches.batch_id (status loaded)
    batch_seq bigint not null,       -- load order, as in ops.load_batches
    source varchar not null,
    entity varchar not null,
    column_name varchar not null,
    measure varchar not null,        -- filled / well_formed
    condition varchar,               -- the rows considered, in words (`status delivered`, `country filled`); null: all
    rows_considered bigint not null,
    rows_meeting bigint not null,
    profiled_at timestamp not null
);
create table if not exists ops.runs (
    run_id varchar not null,
    finished_at timestamp not null,
    published boolean not null,
    failures varchar[]           -- what blocked publishing, in words
);
create table if not exists ops.check_results (
    run_id varchar not null,
    evaluated_at timestamp not null,
    asset_key varchar not null,      -- e.g. marts/dim_customer
    table_name varchar not null,     -- the asset key's last part: the table the check is about
    check_name varchar not null,
    passed boolean not null,
    severity varchar not null,       -- ERROR blocks publishing, WARN does not
    description varchar,
    metadata varchar                 -- the check's evidence, as JSON
);
create table if not exists ops.table_counts (
    run_id varchar not null,
    audited_at timestamp not null,   -- every blocking check of the run had passed by then
    database varchar not null,       -- bi / restricted: where the table is published
    table_name varchar not null,
    row_count bigint not null        -- as built; the publish step reconciles its copy with it
);
-- When each dbt build of the models began: a publish refuses tables rebuilt since the last audit
-- (a build that failed its checks, or was killed, followed by a publish alone from the Dagster UI).
create table if not exists ops.builds (
    run_id varchar not null,
    started_at timestamp not null
);
-- A rejected batch someone accepted with `cx360 accept-rejected` (ingest/rejections.py): it no
-- longer blocks publishing. Who, when and why, for the audit trail.
create table if not exists ops.rejection_acceptances (
    batch_seq bigint not null,   -- ops.load_batches.batch_seq of the rejected batch
    source varchar not null,
    entity varchar not null,
    file_name varchar not null,
    accepted_by varchar not null,
    accepted_at timestamp not null,
    reason varchar not null
);
create table if not exists ops.publications (
    run_id varchar not null,
    published_at timestamp not null,
    database varchar not null,   -- bi / restricted
    table_name varchar not null,
    row_count bigint not null
);
"""


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def record_build_start(con, run_id: str) -> None:
    """Note that `run_id` is about to rebuild the models (ops.builds: the publish gate reads it)."""
    con.execute("insert into ops.builds values (?, now()::timestamp)", [run_id])


def next_batch_seq(con) -> int:
    return con.execute("select coalesce(max(batch_seq), 0) + 1 from ops.load_batches").fetchone()[0]


def unchanged_since_recorded(con, source: str, entity: str, file_name: str, stat: os.stat_result) -> bool:
    """True when a record of this file has its size and times: it has not been written since a run
    read it, so it is not read (hashed) again. Any write changes the change time (ctime), which,
    unlike the modification time, cannot be set back; a file replaced by another gets its own."""
    return (
        con.execute(
            "select count(*) from ops.load_batches where source = ? and entity = ? and file_name = ? "
            "and content_sha256 is not null and size_bytes = ? and file_mtime_ns = ? and file_ctime_ns = ?",
            [source, entity, file_name, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns],
        ).fetchone()[0]
        > 0
    )


def note_file_times(con, source: str, entity: str, file_name: str, sha: str, stat: os.stat_result) -> None:
    """The same bytes under the same name with other times (rewritten, or the landing zone copied):
    record the times, so the next run passes over the file unread."""
    con.execute(
        "update ops.load_batches set file_mtime_ns = ?, file_ctime_ns = ? "
        "where source = ? and entity = ? and file_name = ? and content_sha256 = ? and size_bytes = ?",
        [stat.st_mtime_ns, stat.st_ctime_ns, source, entity, file_name, sha, stat.st_size],
    )


def already_seen(con, source: str, entity: str, file_name: str, sha: str) -> tuple[bool, str | None]:
    """(this very file was recorded before, file name under which these bytes were first recorded)."""
    same = con.execute(
        "select count(*) from ops.load_batches where source = ? and entity = ? and file_name = ? "
        "and content_sha256 = ?",
        [source, entity, file_name, sha],
    ).fetchone()[0]
    first = con.execute(
        "select file_name from ops.load_batches where source = ? and entity = ? and content_sha256 = ? "
        "and status <> 'duplicate' order by batch_seq limit 1",
        [source, entity, sha],
    ).fetchone()
    return same > 0, first[0] if first else None


def record(con, **row) -> None:
    cols = list(row)
    con.execute(
        f"insert into ops.load_batches ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
        [row[c] for c in cols],
    )
