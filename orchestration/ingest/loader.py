"""Loading one entity's new batches: read, type, validate, quarantine, write the raw zone, record.

Each file is one batch. The same bytes load once (content hash); rows that break the contract go to
`ops.quarantine` with their reason; a file that cannot be trusted as a whole is rejected and kept,
byte for byte, under `<warehouse>/rejected/`. Rows of people erased on request are withheld
(ingest/withhold.py): quarantined without their values, never loaded, never kept in a rejected copy.
For every batch rows_read = rows_loaded + rows_quarantined.
A loaded batch is profiled (ops.batch_profiles, quality/drift.py) in the transaction of its load record.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration import crashpoints
from orchestration.contracts import Entity
from orchestration.ingest import ledger, withhold
from orchestration.ingest.discover import DeliveredFile, entity_files, is_inside, sha256_of, sniff_compression
from orchestration.ingest.errors import BatchRejected
from orchestration.ingest.readers import READERS, ReadResult
from orchestration.ingest.validate import TimeLimits, checked_sql
from orchestration.quality import drift
from orchestration.rawzone import entity_dir
from orchestration.settings import Settings
from orchestration.sql import ident, literal

# the rows of batch_checked that load, and those quarantined for their errors (a withheld row is
# neither: whatever its errors, it is quarantined as withheld and its values kept nowhere)
_LOADED = f"len(_errors) = 0 and not {withhold.COLUMN}"
_ERRONEOUS = f"len(_errors) > 0 and not {withhold.COLUMN}"


@dataclass
class BatchOutcome:
    file_name: str
    status: str  # loaded / duplicate / rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None
    reason_code: str | None = None
    extra_columns: list[str] = field(default_factory=list)


@dataclass
class EntityLoad:
    entity: Entity
    batches: list[BatchOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for b in self.batches if b.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(b.rows_loaded for b in self.batches)

    @property
    def rows_quarantined(self) -> int:
        return sum(b.rows_quarantined for b in self.batches)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def load_entity(con: duckdb.DuckDBPyConnection, settings: Settings, entity: Entity, run_id: str) -> EntityLoad:
    ledger.ensure(con)
    drift.profile_unprofiled(con, settings.raw_dir, entity)  # batches loaded before profiles existed
    result = EntityLoad(entity)
    for f in entity_files(settings.landing_dir, entity):
        outcome = _load_file(con, settings, f, run_id)
        if outcome is not None:
            result.batches.append(outcome)
    return result


def _load_file(con, settings: Settings, f: DeliveredFile, run_id: str) -> BatchOutcome | None:
    e = f.entity
    base = {
        "run_id": run_id,
        "source": e.source,
        "entity": e.name,
        "file_name": f.file_name,
        "file_format": f.file_format,
    }
    if not is_inside(settings.landing_dir, f.path):
        if _recorded_without_hash(con, e, f.file_name):
            return None
        reason = f"{f.file_name}: refused, it links outside the landing zone {settings.landing_dir}"
        ledger.record(
            con,
            **base,
            rows_read=0,
            rows_loaded=0,
            rows_quarantined=0,
            status="rejected",
            reason=reason,
            loaded_at=_now(),
            batch_seq=ledger.next_batch_seq(con),
        )
        _quarantine_batch(con, None, e, f.file_name, "outside_landing_zone", reason)
        return BatchOutcome(f.file_name, "rejected", reason=reason, reason_code="outside_landing_zone")

    # a file still lying in the landing zone from an earlier run, unwritten since: nothing new, and
    # not read again (a day's run would otherwise hash every file of the history, gigabytes)
    stat = f.path.stat()
    if ledger.unchanged_since_recorded(con, e.source, e.name, f.file_name, stat):
        return None
    sha, size = sha256_of(f.path)
    same_file, first_name = ledger.already_seen(con, e.source, e.name, f.file_name, sha)
    if same_file:  # the same bytes again under the same name (rewritten or copied): nothing new
        ledger.note_file_times(con, e.source, e.name, f.file_name, sha, stat)
        return None
    base |= {
        "content_sha256": sha,
        "size_bytes": size,
        "file_mtime_ns": stat.st_mtime_ns,
        "file_ctime_ns": stat.st_ctime_ns,
        "batch_seq": ledger.next_batch_seq(con),
    }
    if first_name is not None:
        reason = f"{f.file_name}: the same bytes were delivered before as {first_name}; nothing loaded"
        ledger.record(
            con,
            **base,
            rows_read=0,
            rows_loaded=0,
            rows_quarantined=0,
            status="duplicate",
            reason=reason,
            loaded_at=_now(),
        )
        return BatchOutcome(f.file_name, "duplicate", reason=reason)

    batch_id = f"{base['batch_seq']:08d}-{sha[:16]}"
    try:
        read = _read(con, f, size)
        return _validate_and_store(con, settings, f, base, batch_id, read)
    except BatchRejected as rejected:
        return _reject(con, settings, f, base, batch_id, rejected)


def _read(con, f: DeliveredFile, size: int):
    if f.file_format is None:
        raise BatchRejected("unsupported_format", f"{f.file_name}: only .csv, .jsonl and .parquet files are accepted")
    if size == 0:
        raise BatchRejected("empty_file", f"{f.file_name}: the file is empty (0 bytes)")
    packed = sniff_compression(f.path) if f.file_format != "parquet" else None
    if packed:
        raise BatchRejected(
            "compressed_file",
            f"{f.file_name}: the file is {packed}-compressed but named .{f.file_format}; deliver it uncompressed",
        )
    read = READERS[f.file_format](con, f.entity, f)
    if read.rows_read == 0:
        raise BatchRejected("no_data_rows", f"{f.file_name}: the file holds a header but no data rows")
    return read


def _validate_and_store(
    con, settings: Settings, f: DeliveredFile, base: dict, batch_id: str, read: ReadResult
) -> BatchOutcome:
    e = f.entity
    con.execute("drop table if exists batch_checked")
    limits = TimeLimits(settings.timestamp_floor, _now(), dt.timedelta(hours=settings.future_tolerance_hours))
    salt = withhold.salt_if_active(con, settings)
    con.execute(
        f"create temp table batch_checked as select *, {withhold.flag_sql(salt, e)} as {withhold.COLUMN} "
        f"from ({checked_sql(e, limits)})"
    )
    n_withheld, n_errors = con.execute(
        f"select count(*) filter ({withhold.COLUMN}), count(*) filter ({_ERRONEOUS}) from batch_checked"
    ).fetchone()
    if n_withheld:
        withhold.list_orders(con, salt, e)
    # the error share is of the rows that would load: a withheld row is neither good nor bad
    judged = read.rows_read - n_withheld
    share = n_errors / judged if judged else 0.0
    if n_errors and share > settings.max_row_error_share:
        _quarantine_rows(con, batch_id, f, read)
        withhold.quarantine(con, batch_id, f)
        raise BatchRejected(
            "too_many_row_errors",
            f"{f.file_name}: {n_errors} of {judged} rows ({share:.1%}) have errors, more than the "
            f"{settings.max_row_error_share:.0%} allowed; first: {_first_error(con)}",
            rows_read=read.rows_read,
            withheld_rows=withhold.row_numbers(con) if n_withheld else (),
        )
    n_quarantined = n_errors + n_withheld

    target_dir = entity_dir(settings.raw_dir, e)
    target_dir.mkdir(parents=True, exist_ok=True)
    final = target_dir / f"{batch_id}.parquet"
    tmp = target_dir / f".{batch_id}.parquet.tmp"
    loaded_at = _now()
    cols = ", ".join(ident(c.name) for c in e.columns)
    con.execute(
        f"copy (select {cols}, {literal(batch_id)} as _batch_id, {base['batch_seq']}::bigint as _batch_seq, "
        f"{literal(f.file_name)} as _file_name, _row_number, {literal(loaded_at.isoformat())}::timestamp "
        f"as _loaded_at from batch_checked where {_LOADED} order by _row_number) "
        f"to {literal(str(tmp))} (format parquet, compression zstd)"
    )
    con.execute("begin transaction")
    try:
        if n_errors:  # the raw records are worked out for the rows quarantined: none, no read
            _quarantine_rows(con, batch_id, f, read)
        withhold.quarantine(con, batch_id, f)
        ledger.record(
            con,
            **base,
            batch_id=batch_id,
            rows_read=read.rows_read,
            rows_loaded=read.rows_read - n_quarantined,
            rows_quarantined=n_quarantined,
            status="loaded",
            reason=_quarantined_reason(n_quarantined, n_withheld),
            extra_columns=read.extra_columns,
            loaded_at=loaded_at,
        )
        # how full each column is, for the drift gate: one aggregate over the rows just stored
        drift.record_profile(con, e, batch_id, base["batch_seq"], f"(select * from batch_checked where {_LOADED})")
        os.replace(tmp, final)
        crashpoints.reached("ingest:raw_file_written")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        tmp.unlink(missing_ok=True)
        raise
    return BatchOutcome(
        f.file_name,
        "loaded",
        read.rows_read,
        read.rows_read - n_quarantined,
        n_quarantined,
        extra_columns=read.extra_columns,
    )


def _quarantined_reason(n_quarantined: int, n_withheld: int) -> str | None:
    if not n_quarantined:
        return None
    withheld = f", {n_withheld} of them withheld (people erased on request)" if n_withheld else ""
    return f"{n_quarantined} row(s) quarantined{withheld}"


def _first_error(con) -> str:
    row = con.execute(
        f"select _row_number, _errors[1] from batch_checked where {_ERRONEOUS} order by _row_number limit 1"
    ).fetchone()
    code, column, message = row[1].split("|", 2)
    return f"row {row[0]}, column {column}: {message}"


def _quarantine_rows(con, batch_id: str, f: DeliveredFile, read: ReadResult) -> None:
    e = f.entity
    raw = read.raw_records(f"select _row_number from batch_checked where {_ERRONEOUS}")
    con.execute(
        f"""
        insert into ops.quarantine
        select ?, ?, ?, ?, b._row_number,
            split_part(_errors[1], '|', 1),
            nullif(split_part(_errors[1], '|', 2), ''),
            ? || ' row ' || b._row_number || ': ' || array_to_string(
                list_transform(_errors, lambda x: case
                    when split_part(x, '|', 2) = '' then split_part(x, '|', 3)
                    else 'column ' || split_part(x, '|', 2) || ': ' || split_part(x, '|', 3) end), '; '),
            raw._raw_record, now()::timestamp
        from batch_checked as b
        left join ({raw}) as raw on b._row_number = raw._row_number
        where {_ERRONEOUS}
        order by b._row_number
        """,
        [batch_id, e.source, e.name, f.file_name, f.file_name],
    )


def _quarantine_batch(con, batch_id, e: Entity, file_name: str, code: str, message: str, column=None) -> None:
    con.execute(
        "insert into ops.quarantine values (?, ?, ?, ?, null, ?, ?, ?, null, now()::timestamp)",
        [batch_id, e.source, e.name, file_name, code, column, message],
    )


def _reject(con, settings: Settings, f: DeliveredFile, base: dict, batch_id: str, r: BatchRejected) -> BatchOutcome:
    keep = settings.rejected_dir / f.entity.source / f.entity.name / f"{batch_id}__{Path(f.file_name).name}"
    keep.parent.mkdir(parents=True, exist_ok=True)
    reason = r.message
    # The copy leaves out the rows of erased people. A file rejected before it could be read into rows
    # (not UTF-8, malformed, another separator, a required column missing) is copied byte for byte as
    # before: without rows nothing in it could be matched to the suppression list, so such a copy may
    # still hold an erased person's row.
    if not r.withheld_rows:
        shutil.copyfile(f.path, keep)
    elif not withhold.copy_without(f, keep, r.withheld_rows, r.rows_read):
        reason += "; no copy kept under rejected/: it holds rows of people erased on request"
    ledger.record(
        con,
        **base,
        batch_id=batch_id,
        rows_read=r.rows_read,
        rows_loaded=0,
        rows_quarantined=r.rows_read,
        status="rejected",
        reason=reason,
        loaded_at=_now(),
    )
    _quarantine_batch(con, batch_id, f.entity, f.file_name, r.reason_code, reason, r.column)
    return BatchOutcome(f.file_name, "rejected", r.rows_read, 0, r.rows_read, reason, r.reason_code)


def _recorded_without_hash(con, e: Entity, file_name: str) -> bool:
    return (
        con.execute(
            "select count(*) from ops.load_batches where source = ? and entity = ? and file_name = ? "
            "and content_sha256 is null",
            [e.source, e.name, file_name],
        ).fetchone()[0]
        > 0
    )
