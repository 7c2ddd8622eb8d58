"""Who a person is across the four systems, by the models' own identity rules, and which delivered
rows are theirs.

`resolve` starts from one identifier the person gives (an e-mail, a phone number, a CRM id, a shop
customer number or an anonymous id), finds the customer(s) identity resolution assigned its records
to (int_identity__assignments, model.md's rules), and gathers every identifier of every record
assigned to them: the person's closure. An identifier that also sits on a record of another customer
(a shared family phone, a spouse's e-mail on a ticket) is left out of it, so erasing one person never
takes another's records; the records of the person that carry it are still found by their other
identifiers.

`delivered_rows` then finds, in the raw zone, every row that offers one of the closure's hashes
(identifiers.py): every version of every record of the person, including rows no model kept;
`quarantined_rows` and `rows_of` do the same for quarantine and the rejected copies, and
`find_held` gathers the three for the report and the erasure.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration import rawzone
from orchestration.contracts import ENTITIES
from orchestration.privacy import identifiers as ids
from orchestration.settings import Settings
from orchestration.sql import ident, literal
from orchestration.warehouse import in_memory, model_schema, require_working_database

GIVEN_KINDS = (ids.EMAIL, ids.PHONE, ids.CRM_ID, ids.CUSTOMER_NUMBER, ids.ANONYMOUS_ID)


class SubjectError(ValueError):
    """The identifier cannot be read, or there is no warehouse to look in."""


@dataclass
class Subject:
    given_kind: str
    given_hash: str  # the salted hash of the identifier the person gave: what a receipt names
    customer_keys: list[str]
    closure: dict[str, set[str]]  # kind -> normalised values (clear: held in memory only)
    hashes: dict[str, set[str]] = field(default_factory=dict)

    @property
    def all_hashes(self) -> set[str]:
        return set().union(*self.hashes.values()) if self.hashes else set()


def normalise_given(kind: str, value: str, region: str | None) -> str:
    """The given identifier as the models key it (a phone as E.164)."""
    if kind not in GIVEN_KINDS:
        raise SubjectError(f"unknown identifier kind {kind!r}; one of {', '.join(GIVEN_KINDS)}")
    text = value.strip()
    if not text:
        raise SubjectError(f"the {kind} is empty")
    if kind == ids.EMAIL:
        return text.lower()
    if kind == ids.PHONE:
        import phonenumbers

        try:
            number = phonenumbers.parse(text, region.upper() if region else None)
        except phonenumbers.NumberParseException:
            raise SubjectError(
                f"phone number {text!r} cannot be read: write it with its country code (+48 ...) or give --region"
            ) from None
        if not phonenumbers.is_valid_number(number):
            raise SubjectError(f"phone number {text!r} is not a valid number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text


_SEED = {
    ids.EMAIL: "k.email_key = $v",
    ids.PHONE: "k.phone_key = $v",
    ids.CRM_ID: "(a.crm_customer_id = $v or k.given_crm_customer_id = $v)",
    ids.CUSTOMER_NUMBER: "k.sales_customer_number = $v",
    ids.ANONYMOUS_ID: "k.anonymous_id = $v",
}
# closure kind -> the column of the keyed records that carries it
_CARRIED = {
    ids.EMAIL: "k.email_key",
    ids.PHONE: "k.phone_key",
    ids.CRM_ID: "coalesce(k.given_crm_customer_id, a.crm_customer_id)",
    ids.CUSTOMER_NUMBER: "k.sales_customer_number",
    ids.ANONYMOUS_ID: "k.anonymous_id",
}


def open_reader(settings: Settings) -> duckdb.DuckDBPyConnection:
    """An in-memory session with the working database attached read-only as `wh`."""
    require_working_database(settings)
    con = in_memory(settings)
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach {literal(str(settings.duckdb_path))} as wh (read_only)")
    return con


def resolve(con: duckdb.DuckDBPyConnection, settings: Settings, kind: str, value: str, region=None) -> Subject:
    given = normalise_given(kind, value, region or settings.default_phone_region)
    salt = ids.salt(settings.privacy_dir)
    schema = model_schema(con, "int_identity__assignments", "wh")
    records = f"""
        from wh.{ident(schema)}.int_identity__assignments as a
        join wh.{ident(schema)}.int_identity_records_keyed as k
            using (source_system, source_entity, source_id)
    """
    seed = _SEED[kind].replace("$v", literal(given))
    con.execute(
        f"create or replace temp table subject_records as select a.*, k.given_crm_customer_id, "
        f"k.sales_customer_number, k.anonymous_id {records} "
        f"where {seed} or a.customer_key in (select a.customer_key {records} where {seed})"
    )
    keys = [
        r[0]
        for r in con.execute(
            "select distinct customer_key from subject_records where customer_key is not null order by 1"
        ).fetchall()
    ]
    closure: dict[str, set[str]] = {k: set() for k in ids.KINDS}
    mine = (
        "exists (from subject_records as s where s.source_system = a.source_system "
        "and s.source_entity = a.source_entity and s.source_id = a.source_id)"
    )
    # another CRM customer's identifiers are theirs; a prospect keyed by one of the person's (their
    # cookie before they signed up, a second e-mail) is the person
    others = (
        "a.customer_key is not null and not a.is_prospect "
        "and a.customer_key not in (select customer_key from subject_records where customer_key is not null)"
    )
    for k, column in _CARRIED.items():
        # values the person's records carry, unless a record of another customer carries them too
        rows = con.execute(
            f"select {column} {records} where {mine} and {column} is not null "
            f"except select {column} {records} where {others}"
        ).fetchall()
        closure[k] |= {r[0] for r in rows}
    closure[ids.ORDER_ID] |= {
        r[0]
        for r in con.execute(
            "select source_id from subject_records where source_system = 'sales' and source_entity = 'orders'"
        ).fetchall()
    }
    closure[kind].add(given)
    prospects = con.execute(
        f"select distinct a.customer_key {records} where a.is_prospect and ("
        "k.email_key in (select unnest($e::varchar[])) or k.anonymous_id in (select unnest($a::varchar[])) "
        "or k.sales_customer_number in (select unnest($n::varchar[])))",
        {
            "e": sorted(closure[ids.EMAIL]),
            "a": sorted(closure[ids.ANONYMOUS_ID]),
            "n": sorted(closure[ids.CUSTOMER_NUMBER]),
        },
    ).fetchall()
    keys = sorted(set(keys) | {r[0] for r in prospects})
    subject = Subject(kind, ids.digest(salt, kind, given), keys, closure)
    for k, values in closure.items():
        if k == ids.PHONE:  # listed by national number only: a form every writing of it offers
            numbers = {n for n in (ids.phone_national_number(p) for p in values) if n}
            subject.hashes[k] = {ids.digest(salt, k, n) for n in numbers}
        else:
            subject.hashes[k] = {h for v in values for h in ids.hashes_of(salt, k, v)}
    return subject


def load_hashes(con: duckdb.DuckDBPyConnection, subject: Subject) -> str:
    """The subject's hashes as a temp table; returns the relation for identifiers.match_sql."""
    con.execute("create or replace temp table subject_hashes (h varchar)")
    con.executemany("insert into subject_hashes values (?)", [[h] for h in sorted(subject.all_hashes)])
    return "(select h from subject_hashes)"


@dataclass
class DeliveredRow:
    entity: str  # source/entity
    raw_file: Path  # the raw-zone file that holds it
    batch_id: str
    file_name: str  # as delivered, inside <landing>/<source>/<entity>/
    row_number: int
    values: dict


def delivered_rows(con: duckdb.DuckDBPyConnection, settings: Settings, hash_relation: str) -> list[DeliveredRow]:
    """Every raw-zone row offering one of the hashes in `hash_relation`."""
    salt = ids.salt(settings.privacy_dir)
    out: list[DeliveredRow] = []
    for e in ENTITIES:
        folder = rawzone.entity_dir(settings.raw_dir, e)
        if e.qualified not in ids.IDENTIFIER_COLUMNS or not any(folder.glob("*.parquet")):
            continue
        pattern = literal(str(folder / "*.parquet"))
        cur = con.execute(
            f"select *, filename as _raw_file from read_parquet({pattern}, union_by_name = true, filename = true) "
            f"where {ids.match_sql(salt, e.qualified, hash_relation)} order by _batch_seq, _row_number"
        )
        cols = [d[0] for d in cur.description]
        for row in cur.fetchall():
            record = dict(zip(cols, row, strict=True))
            out.append(
                DeliveredRow(
                    e.qualified,
                    Path(record.pop("_raw_file")),
                    record["_batch_id"],
                    record["_file_name"],
                    record["_row_number"],
                    {c: v for c, v in record.items() if not c.startswith("_")},
                )
            )
    return out


@dataclass
class QuarantinedRow:
    batch_id: str | None
    entity: str
    file_name: str
    row_number: int | None
    reason_code: str
    message: str
    values: dict


def quarantined_rows(con: duckdb.DuckDBPyConnection, settings: Settings, subject: Subject) -> list[QuarantinedRow]:
    """Quarantined rows (kept as delivered, as JSON) that offer one of the subject's hashes."""
    salt = ids.salt(settings.privacy_dir)
    wanted = subject.all_hashes
    out = []
    rows = con.execute(
        "select batch_id, source || '/' || entity, file_name, row_number, reason_code, message, raw_record "
        "from wh.ops.quarantine where raw_record is not null"
    ).fetchall()
    for batch_id, entity, file_name, row_number, code, message, raw in rows:
        try:
            values = json.loads(raw)
        except ValueError:
            continue
        if isinstance(values, dict) and ids.row_hashes(salt, entity, values) & wanted:
            out.append(QuarantinedRow(batch_id, entity, file_name, row_number, code, message, values))
    return out


def rejected_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.rejected_dir.glob("*/*/*") if p.is_file() and not p.name.startswith("."))


def file_format(path: Path) -> str | None:
    return next((f for f in ("csv", "jsonl", "parquet") if path.name.lower().endswith(f".{f}")), None)


def rows_of(path: Path, salt: str, wanted: set[str]) -> tuple[int | None, list[dict], list[int]]:
    """A rejected copy read as rows, numbered as the readers number them (1 = first data row, blank
    lines not counted): (rows read, the person's rows, their numbers); rows read None when the file
    cannot be read as rows (it is then cleaned line by line)."""
    entity = "/".join(path.parts[-3:-1])
    try:
        match file_format(path):
            case "csv":
                rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
            case "jsonl":
                lines = path.read_text(encoding="utf-8").splitlines()
                rows = [json.loads(line) for line in lines if line.strip()]
            case "parquet":
                con = duckdb.connect()
                try:
                    cur = con.execute(f"select * from read_parquet({literal(str(path))})")
                    cols = [d[0] for d in cur.description]
                    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
                finally:
                    con.close()
            case _:
                return None, [], []
    except (UnicodeDecodeError, ValueError, csv.Error, duckdb.Error):
        return None, [], []
    hits = [n for n, r in enumerate(rows, 1) if isinstance(r, dict) and ids.row_hashes(salt, entity, r) & wanted]
    return len(rows), [rows[n - 1] for n in hits], hits


@dataclass
class Held:
    """Everything delivered about a person: the raw zone's rows, quarantined rows, rejected copies' rows."""

    subject: Subject
    delivered: list[DeliveredRow]
    quarantined: list[QuarantinedRow]
    rejected: list[tuple[Path, int, dict]]  # (rejected copy, data row number, values)

    @property
    def anything(self) -> bool:
        return bool(self.subject.customer_keys or self.delivered or self.quarantined or self.rejected)

    def all_values(self) -> list[dict]:
        return [r.values for r in self.delivered] + [q.values for q in self.quarantined] + [r[2] for r in self.rejected]


def find_held(con: duckdb.DuckDBPyConnection, settings: Settings, kind: str, value: str, region=None) -> Held:
    subject = resolve(con, settings, kind, value, region)
    delivered = delivered_rows(con, settings, load_hashes(con, subject))
    quarantined = quarantined_rows(con, settings, subject)
    salt = ids.salt(settings.privacy_dir)
    rejected = []
    for path in rejected_files(settings):
        _, rows, numbers = rows_of(path, salt, subject.all_hashes)
        rejected += [(path, n, r) for n, r in zip(numbers, rows, strict=True)]
    return Held(subject, delivered, quarantined, rejected)
