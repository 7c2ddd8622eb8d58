"""`cx360 forget`: remove one person from everything cx360 keeps, republish, prove it, and keep a
receipt that holds no personal data.

An erasure is a work order (`<warehouse>/privacy/pending-erasure.json`) carried out in steps, each
of which leaves every file either as it was or as it will be (new files are written beside the old
and renamed over them). The order records each finished step, so a killed erasure is completed by
running `cx360 forget` again; until then `cx360 run` refuses to start. The work order holds the
values to look for (the person's e-mails, phones, names...) because the raw zone no longer does once
its step is done; it is deleted with the erasure's last step, after the scan that finds none left.

Steps:
  raw       rewrite each raw-zone batch that holds a row of the person, without it;
  rejected  the same for the byte copies of rejected files;
  ops       in one transaction of the working database: quarantined rows lose their delivered
            values, ops text (check samples, run failures) loses the person's values, the load
            records count the erased rows (ops.erased_rows), the suppression list gets the hashes;
  publish   a full rebuild of what is held (no new delivery is loaded), the gates, and a
            publication written from scratch; older publications (the kept previous one holds the
            person) are deleted;
  compact   the working database copied into a fresh file (DuckDB keeps freed blocks' old bytes);
  files     logs, Data Docs, dbt's artifacts, the Dagster instance's SQLite files: values replaced
            by `[erased]`;
  verify    every file under the warehouse scanned (Parquet and DuckDB decoded): nothing may remain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from orchestration import crashpoints
from orchestration import publication as layout
from orchestration.privacy import identifiers as ids
from orchestration.privacy import row_files, suppression, traces
from orchestration.privacy import subject as subj
from orchestration.settings import Settings
from orchestration.sql import ident, literal
from orchestration.warehouse import connect, drop_dbt_scratch, in_memory

WORK_ORDER = "pending-erasure.json"
RECEIPTS = "receipts"
STEPS = ("raw", "rejected", "ops", "publish", "compact", "files", "verify")
# folders the `files` step leaves alone: handled by their own steps, or the erasure's own records
_OWN_STEPS = ("raw", "serving", "privacy")

OPS_DDL = """
create table if not exists ops.erased_rows (
    erasure_id varchar not null,
    batch_id varchar not null,          -- ops.load_batches.batch_id whose raw file lost the rows
    rows_erased bigint not null,
    sha256_before varchar not null,     -- of the raw file
    sha256_after varchar not null
);
create table if not exists ops.erasures (
    erasure_id varchar not null,
    requested_at timestamp not null,
    subject_hash varchar not null,      -- salted hash of the identifier given (no value in clear)
    receipt varchar not null            -- path of the receipt inside the warehouse
);
alter table ops.load_batches add column if not exists rows_erased bigint default 0;
"""


class ErasureError(Exception):
    """The erasure cannot go on; the message says why and what to do."""


class NothingFound(ErasureError):
    pass


@dataclass
class WorkOrder:
    erasure_id: str
    requested_at: str
    given_kind: str
    given_hash: str
    hashes: dict[str, list[str]]
    terms: list[str]  # the values to find and remove in files (clear: deleted with the order)
    done: list[str] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)  # what was removed where: the receipt's body
    run_id: str | None = None

    @property
    def all_hashes(self) -> set[str]:
        return {h for hs in self.hashes.values() for h in hs}


def order_path(settings: Settings) -> Path:
    return settings.privacy_dir / WORK_ORDER


def pending(settings: Settings) -> WorkOrder | None:
    path = order_path(settings)
    return WorkOrder(**json.loads(path.read_text())) if path.exists() else None


def _save(settings: Settings, order: WorkOrder) -> None:
    path = order_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    traces.write_atomically(path, json.dumps(asdict(order), indent=1).encode())
    os.chmod(path, 0o600)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- planning -----------------------------------------------------------------------------------


def plan(settings: Settings, kind: str, value: str, region: str | None = None) -> WorkOrder:
    """Resolve the person and write the work order (nothing is changed yet)."""
    con = subj.open_reader(settings)
    try:
        held = subj.find_held(con, settings, kind, value, region)
    finally:
        con.close()
    subject = held.subject
    if not held.anything:
        raise NothingFound(f"no record of this {kind} in the warehouse: nothing to erase")
    terms = personal_terms(subject, held.all_values())
    now = dt.datetime.now(dt.UTC)
    order = WorkOrder(
        erasure_id=f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
        requested_at=now.isoformat(timespec="seconds"),
        given_kind=kind,
        given_hash=subject.given_hash,
        hashes={k: sorted(v) for k, v in subject.hashes.items() if v},
        terms=sorted(terms),
    )
    _save(settings, order)
    return order


def personal_terms(subject: subj.Subject, rows: list[dict]) -> set[str]:
    """The person's values to find in any file: contact identifiers as delivered and as keyed, and
    their full names. Not a first or last name alone (an account manager may share it), nor an id
    (a CRM id is a substring of other ids): their rows are found by hash, not by text."""
    out = {v for k in _TEXT_KINDS for v in subject.closure.get(k, ())}
    columns = {c for cols in ids.IDENTIFIER_COLUMNS.values() for c, k in cols.items() if k in _TEXT_KINDS}
    for row in rows:
        values = {str(k).strip().lower(): v for k, v in row.items()}
        out |= {str(values[c]).strip() for c in (*columns, "full_name") if values.get(c) not in (None, "")}
        first, last = values.get("first_name"), values.get("last_name")
        if first and last:
            out.add(f"{str(first).strip()} {str(last).strip()}")
    return {t for t in out if len(t) >= 3}


_TEXT_KINDS = (ids.EMAIL, ids.PHONE, ids.HANDLE, ids.ANONYMOUS_ID)


# --- carrying it out ----------------------------------------------------------------------------


def forget(settings: Settings, given: tuple[str, str] | None, region: str | None = None, progress=print) -> Path:
    """Erase the person `given` ((kind, value)), or complete the pending erasure when `given` is None;
    returns the receipt's path."""
    from orchestration import run_guard

    with run_guard.writer(settings):  # no run loads or publishes between finding the person and the end
        order = pending(settings)
        if order is None and given is None:
            raise ErasureError("no erasure is pending")
        if order is not None and given is not None:
            raise ErasureError(f"erasure {order.erasure_id} is pending: complete it first with `cx360 forget --resume`")
        if order is None:
            order = plan(settings, *given, region)
        else:
            progress(f"resuming erasure {order.erasure_id} (done: {', '.join(order.done) or 'nothing yet'})")
        return carry_out(settings, order, progress)


def carry_out(settings: Settings, order: WorkOrder, progress=print) -> Path:
    """Run the order's remaining steps; returns the receipt's path."""
    from orchestration import run_guard

    steps = {
        "raw": _erase_raw,
        "rejected": _erase_rejected,
        "ops": _erase_ops,
        "publish": _republish,
        "compact": _compact,
        "files": _scrub_files,
        "verify": _verify,
    }
    with run_guard.writer(settings):
        run_guard.refuse_if_busy(settings)
        for step in STEPS:
            if step in order.done:
                continue
            progress(f"erasure {order.erasure_id}: {step}")
            steps[step](settings, order)
            order.done.append(step)
            _save(settings, order)
            crashpoints.reached(f"forget:{step}")
        return _finish(settings, order)


def _erase_raw(settings: Settings, order: WorkOrder) -> None:
    salt = ids.salt(settings.privacy_dir)
    con = in_memory(settings)
    try:
        con.execute("create temp table subject_hashes (h varchar)")
        con.executemany("insert into subject_hashes values (?)", [[h] for h in sorted(order.all_hashes)])
        for entity, columns in ids.IDENTIFIER_COLUMNS.items():
            source, name = entity.split("/")
            for path in sorted((settings.raw_dir / source / name).glob("*.parquet")):
                present = {
                    r[0] for r in con.execute(f"describe select * from read_parquet({literal(str(path))})").fetchall()
                }
                match = ids.match_sql(salt, entity, "(select h from subject_hashes)", present & set(columns))
                n = con.execute(f"select count(*) from read_parquet({literal(str(path))}) where {match}").fetchone()[0]
                if not n:
                    continue
                tmp = path.with_name(f".{path.name}.erase.tmp")
                con.execute(
                    f"copy (select * from read_parquet({literal(str(path))}) where not {match} order by _row_number) "
                    f"to {literal(str(tmp))} (format parquet, compression zstd)"
                )
                layout.fsync(tmp)
                _record(
                    settings, order, _item("raw zone", settings, path, n, sha256(path), sha256(tmp), batch_id=path.stem)
                )
                os.replace(tmp, path)
    finally:
        con.close()


def _erase_rejected(settings: Settings, order: WorkOrder) -> None:
    salt = ids.salt(settings.privacy_dir)
    matcher = traces.matcher(order.terms)
    for path in subj.rejected_files(settings):
        rows_read, _, hits = subj.rows_of(path, salt, order.all_hashes)
        new = row_files.without_rows(path, subj.file_format(path), tuple(hits), rows_read) if hits else None
        n = len(hits)
        if new is None and matcher is not None:
            # not readable as rows (not UTF-8, broken quoting): every line holding a value goes
            lines = path.read_bytes().decode("utf-8", errors="surrogateescape").splitlines(keepends=True)
            kept = [ln for ln in lines if not matcher.regex.search(ln)]
            new, n = "".join(kept).encode("utf-8", errors="surrogateescape"), len(lines) - len(kept)
        if n:
            item = _item("rejected copies", settings, path, n, sha256(path), hashlib.sha256(new).hexdigest())
            _record(settings, order, item)
            traces.write_atomically(path, new)


def _erase_ops(settings: Settings, order: WorkOrder) -> None:
    salt = ids.salt(settings.privacy_dir)
    wanted = order.all_hashes
    matcher = traces.matcher(order.terms)
    with connect(settings) as con:
        con.execute(OPS_DDL)
        suppression.ensure(con)
        con.execute("begin transaction")
        try:
            # quarantined rows of the person keep their place and reason, not their values
            rows = con.execute(
                "select rowid, source || '/' || entity, raw_record from ops.quarantine where raw_record is not null"
            ).fetchall()
            theirs = [rid for rid, entity, raw in rows if _offers(salt, entity, raw, wanted)]
            for rid in theirs:
                con.execute(
                    "update ops.quarantine set raw_record = null, message = split_part(message, ':', 1) || "
                    "': erased on request (' || ? || ')' where rowid = ?",
                    [order.erasure_id, rid],
                )
            if theirs:
                order.items.append({"place": "quarantine", "path": "cx.duckdb ops.quarantine", "rows": len(theirs)})
            if matcher is not None:
                n = _scrub_tables(con, "ops", matcher)
                if n:
                    order.items.append({"place": "check samples and run records", "path": "cx.duckdb ops", "values": n})
            for item in order.items:
                if item["place"] == "raw zone" and not _exists(
                    con,
                    "from ops.erased_rows where erasure_id = ? and batch_id = ?",
                    order.erasure_id,
                    item["batch_id"],
                ):
                    con.execute(
                        "insert into ops.erased_rows values (?, ?, ?, ?, ?)",
                        [order.erasure_id, item["batch_id"], item["rows"], item["sha256_before"], item["sha256_after"]],
                    )
            con.execute(
                "update ops.load_batches as b set rows_erased = e.n from "
                "(select batch_id, sum(rows_erased) as n from ops.erased_rows group by all) as e "
                "where b.batch_id = e.batch_id"
            )
            suppression.add(con, {k: set(v) for k, v in order.hashes.items()}, order.erasure_id)
            if not _exists(con, "from ops.erasures where erasure_id = ?", order.erasure_id):
                con.execute(
                    "insert into ops.erasures values (?, ?, ?, ?)",
                    [order.erasure_id, order.requested_at, order.given_hash, _receipt_rel(order)],
                )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


def _exists(con, from_where: str, *params) -> bool:
    return con.execute(f"select exists (select 1 {from_where})", list(params)).fetchone()[0]


def _offers(salt: str, entity: str, raw: str, wanted: set[str]) -> bool:
    try:
        values = json.loads(raw)
    except ValueError:
        return False
    return isinstance(values, dict) and bool(ids.row_hashes(salt, entity, values) & wanted)


def _scrub_tables(con, schema: str, matcher: traces.Matcher) -> int:
    """Replace the person's values in every text column of `schema`'s tables; returns how many."""
    total = 0
    columns = con.execute(
        "select table_name, column_name, data_type from duckdb_columns() where database_name = current_database() "
        "and schema_name = ? and (data_type = 'VARCHAR' or data_type = 'VARCHAR[]')",
        [schema],
    ).fetchall()
    for table, column, data_type in columns:
        rel = f"{ident(schema)}.{ident(table)}"
        found = " or ".join(
            f"contains(lower(cast({ident(column)} as varchar)), {literal(v.lower())})" for v in matcher.spelled
        )
        for rid, value in con.execute(f"select rowid, {ident(column)} from {rel} where {found}").fetchall():
            if data_type == "VARCHAR":
                new, n = matcher.sub(value)
            else:
                parts = [matcher.sub(v) if v is not None else (None, 0) for v in value]
                new, n = [p[0] for p in parts], sum(p[1] for p in parts)
            con.execute(f"update {rel} set {ident(column)} = ? where rowid = ?", [new, rid])
            total += n
    return total


def _republish(settings: Settings, order: WorkOrder) -> None:
    from orchestration.runner import run_build

    # a rebuild of what is held, nothing newly delivered: deliveries wait for the next run (and a
    # forgotten --landing cannot load another landing zone, the demo's, into this warehouse)
    nothing_new = settings.privacy_dir / "no-deliveries"
    nothing_new.mkdir(parents=True, exist_ok=True)
    # the volume guard stops a broken export; the rows this rebuild loses are the ones erased
    rebuild = settings.with_(
        landing_dir=nothing_new, full_refresh=True, reuse_publication=False, allow_volume_drop=True
    )
    outcome = run_build(rebuild)
    current = layout.current_folder(settings.serving_dir)
    published = current is not None and layout.read_manifest(current)["run_id"] == outcome.run_id
    if not published:
        raise ErasureError(
            "the rebuild without the person did not publish, so the published marts still hold them: "
            + "; ".join(outcome.failures or ["see the run's log"])
            + " — fix what blocked it, then run `cx360 forget --resume`"
        )
    order.run_id = outcome.run_id
    removed = [p for p in (settings.serving_dir / layout.PUBLICATIONS).iterdir() if p.name != current.name]
    for path in removed:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    order.items.append(
        {
            "place": "serving",
            "path": f"serving/{layout.PUBLICATIONS}/{current.name}",
            "republished_by_run": outcome.run_id,
            "older_publications_deleted": len(removed),
        }
    )


def _compact(settings: Settings, order: WorkOrder) -> None:
    """Copy the working database into a fresh file: deleted rows' bytes stay in a DuckDB file's
    free blocks until they happen to be reused."""
    db = settings.duckdb_path
    fresh = db.with_name(f".{db.name}.erase.tmp")
    fresh.unlink(missing_ok=True)
    before = sha256(db)
    with connect(settings) as con:
        drop_dbt_scratch(con)  # a warehouse built before dbt's leftovers were dropped after each build
    con = in_memory(settings)
    try:
        con.execute(f"attach {literal(str(db))} as old")
        con.execute(f"attach {literal(str(fresh))} as new")
        con.execute("copy from database old to new")
        con.execute("detach new")
        con.execute("detach old")
    finally:
        con.close()
    layout.fsync(fresh)
    os.replace(fresh, db)
    Path(f"{db}.wal").unlink(missing_ok=True)
    order.items.append(_item("working database", settings, db, None, before, sha256(db)))


def _scrub_files(settings: Settings, order: WorkOrder) -> None:
    matcher = traces.matcher(order.terms)
    if matcher is None:
        return
    for path in traces.files_under(settings.warehouse_dir):
        rel = path.relative_to(settings.warehouse_dir)
        if rel.parts[0] in _OWN_STEPS or path == settings.duckdb_path:
            continue
        before = sha256(path)
        kind = traces.kind_of(path)
        if kind in ("parquet", "duckdb"):
            continue  # none live outside raw/ and serving/; the scan would name one
        if kind == "file" and not _is_text(path):
            # a binary cache (dbt's partial parse) holding a value: deleted, the next run rebuilds it
            if traces.find_in_bytes(path, matcher):
                path.unlink()
                order.items.append({"place": "files", "path": str(rel), "deleted": True, "sha256_before": before})
            continue
        n = traces.scrub_file(path, matcher)
        if n:
            order.items.append(_item("files", settings, path, None, before, sha256(path), values=n))


def _is_text(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _verify(settings: Settings, order: WorkOrder) -> None:
    with in_memory(settings) as con:
        found = [t for t in traces.find(settings.warehouse_dir, order.terms, con) if t.path != order_path(settings)]
    if found:
        places = "; ".join(f"{t.path.relative_to(settings.warehouse_dir)} ({t.where}, {t.count})" for t in found[:20])
        raise ErasureError(f"the person's values remain after the erasure in: {places}")


def _receipt_rel(order: WorkOrder) -> str:
    return f"privacy/{RECEIPTS}/{order.erasure_id}.json"


def _finish(settings: Settings, order: WorkOrder) -> Path:
    receipt = settings.warehouse_dir / _receipt_rel(order)
    receipt.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "erasure_id": order.erasure_id,
        "requested_at": order.requested_at,
        "completed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "subject": {
            "given": order.given_kind,
            "given_hash": order.given_hash,
            "identifier_hashes": order.hashes,
            "hash": "sha256 of '<warehouse salt>|<kind>|<normalised value>', salt in privacy/salt",
        },
        "republished_by_run": order.run_id,
        "removed": order.items,
        "verified": "every file under the warehouse scanned, Parquet and DuckDB files decoded: no value left",
        "suppressed_from_now_on": sum(len(v) for v in order.hashes.values()),
    }
    traces.write_atomically(receipt, json.dumps(body, indent=1).encode())
    order_path(settings).unlink(missing_ok=True)
    return receipt


def _item(place: str, settings: Settings, path: Path, rows, before: str, after: str, **more) -> dict:
    item = {"place": place, "path": str(path.relative_to(settings.warehouse_dir))}
    if rows is not None:
        item["rows"] = rows
    return item | {"sha256_before": before, "sha256_after": after} | more


def _record(settings: Settings, order: WorkOrder, item: dict) -> None:
    """Note a file's rewrite in the order before the rename: a kill between the two leaves the old file,
    which the resumed step rewrites again under the same entry."""
    order.items = [i for i in order.items if i["path"] != item["path"]] + [item]
    _save(settings, order)
