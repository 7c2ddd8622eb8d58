"""Reading one delivered file into a temporary table of text columns named by the contract.

Every format ends in the same shape, so typing and validation are one piece of SQL: a table
`batch_src` with one varchar column per contract column (null where the file lacks it),
`_row_number` (1 = first data row) and `_raw_record` (the original row as JSON, for quarantine).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import duckdb

from orchestration.contracts import Entity
from orchestration.ingest.discover import DeliveredFile
from orchestration.ingest.errors import BatchRejected, from_duckdb_error
from orchestration.sql import ident, literal

MAX_LINE_BYTES = 64 * 1024 * 1024  # a 10 MB free-text field is data, not an error


@dataclass
class ReadResult:
    rows_read: int
    headers: list[str]
    extra_columns: list[str] = field(default_factory=list)


# a header that holds one of these was written with another separator than extracts.md's comma
OTHER_DELIMITERS = ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'"))


def _normalise(name: str) -> str:
    return name.strip().lower()


def _column_map(entity: Entity, file_name: str, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Contract column -> header found in the file, and the extra headers; rejects a broken contract."""
    by_name: dict[str, str] = {}
    for h in headers:
        key = _normalise(h)
        if key in by_name:
            raise BatchRejected(
                "duplicate_column", f"{file_name}: column {h!r} appears twice (as {by_name[key]!r})", key
            )
        by_name[key] = h
    wanted = {c.name for c in entity.columns}
    missing = [c.name for c in entity.columns if c.required and c.name not in by_name]
    if missing:
        found = ", ".join(headers) or "none"
        separated = next((name for sep, name in OTHER_DELIMITERS if any(sep in h for h in headers)), None)
        hint = f"; the header is separated by {separated}, not commas as extracts.md asks" if separated else ""
        raise BatchRejected(
            "missing_required_column",
            f"{file_name}: required column {', '.join(repr(m) for m in missing)} is missing "
            f"(columns found: {found}){hint}",
            missing[0],
        )
    extras = [h for k, h in by_name.items() if k not in wanted]
    return {k: h for k, h in by_name.items() if k in wanted}, extras


def _materialise(con, entity: Entity, source_sql: str, value_of) -> None:
    """Create `batch_src` from a relation, projecting the contract's columns as text."""
    cols = ", ".join(f"{value_of(c.name)} as {ident(c.name)}" for c in entity.columns)
    con.execute("drop table if exists batch_src")
    con.execute(f"create temp table batch_src as select {cols}, _row_number, _raw_record from ({source_sql})")


def read_csv(con, entity: Entity, f: DeliveredFile) -> ReadResult:
    try:
        # only the header line is decoded here: DuckDB reports bad bytes further down by line
        with f.path.open("rb") as fh:
            first_line = fh.readline(MAX_LINE_BYTES).decode("utf-8-sig")
        headers = next(csv.reader([first_line.rstrip("\r\n")]), [])
    except UnicodeDecodeError:
        raise BatchRejected("not_utf8", f"{f.file_name} at line 1: the file is not UTF-8 encoded") from None
    except csv.Error as e:
        raise BatchRejected("malformed_file", f"{f.file_name} at line 1: the header cannot be read ({e})") from None
    if not any(h.strip() for h in headers):
        raise BatchRejected("no_header", f"{f.file_name}: the first line holds no column names")
    mapping, extras = _column_map(entity, f.file_name, headers)
    positional = {h: f"c{i}" for i, h in enumerate(headers)}
    columns = "{" + ", ".join(f"{literal(f'c{i}')}: 'VARCHAR'" for i in range(len(headers))) + "}"
    raw_record = "json_object(" + ", ".join(f"{literal(h)}, c{i}" for i, h in enumerate(headers)) + ")"
    scan = (
        f"select *, row_number() over () as _row_number, {raw_record} as _raw_record "
        f"from read_csv({literal(str(f.path))}, header = true, auto_detect = false, columns = {columns}, "
        f"delim = ',', quote = '\"', escape = '\"', strict_mode = true, comment = '', "
        f"max_line_size = {MAX_LINE_BYTES}, encoding = 'utf-8')"
    )
    try:
        _materialise(
            con,
            entity,
            scan,
            lambda name: ident(positional[mapping[name]]) if name in mapping else "cast(null as varchar)",
        )
    except duckdb.Error as e:
        raise from_duckdb_error(f.file_name, e) from None
    return ReadResult(_count(con), headers, extras)


def read_jsonl(con, entity: Entity, f: DeliveredFile) -> ReadResult:
    path = literal(str(f.path))
    try:
        con.execute("drop table if exists batch_json")
        con.execute(
            "create temp table batch_json as select row_number() over () as _row_number, json "
            f"from read_json_objects({path}, format = 'newline_delimited', "
            f"maximum_object_size = {MAX_LINE_BYTES})"
        )
        keys = [
            r[0]
            for r in con.execute(
                "select distinct unnest(json_keys(json)) from batch_json where json_type(json) = 'OBJECT' order by 1"
            ).fetchall()
        ]
    except duckdb.Error as e:
        raise from_duckdb_error(f.file_name, e) from None
    usable = [k for k in keys if '"' not in k and "\\" not in k]
    # a key that differs only in case is the same column (extracts.md): take whichever a row has
    groups: dict[str, list[str]] = {}
    for k in usable:
        groups.setdefault(_normalise(k), []).append(k)
    wanted = {c.name for c in entity.columns}
    headers = [g[0] for g in groups.values()]
    missing = [c.name for c in entity.columns if c.required and c.name not in groups]
    if missing:
        raise BatchRejected(
            "missing_required_column",
            f"{f.file_name}: required field {', '.join(repr(m) for m in missing)} is in no record "
            f"(fields found: {', '.join(keys) or 'none'})",
            missing[0],
        )
    extras = [g[0] for name, g in groups.items() if name not in wanted]

    # every field a contract column reads, extracted by one call over a list of paths: each
    # record is parsed once, not once per column
    fields = [k for c in entity.columns if c.name in groups for k in groups[c.name]]
    paths = "[" + ", ".join(literal("$." + chr(34) + k + chr(34)) for k in fields) + "]"

    def value_of(name: str) -> str:
        if name not in groups:
            return "cast(null as varchar)"
        parts = [f"_fields[{fields.index(k) + 1}]" for k in groups[name]]
        return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"

    # a line that is valid JSON but not an object is a row error: every contract column null
    extract = f"json_extract_string(json, {paths})" if fields else "[]::varchar[]"
    scan = f"select {extract} as _fields, _row_number, cast(json as varchar) as _raw_record from batch_json"
    _materialise(con, entity, scan, value_of)
    con.execute("drop table batch_json")
    return ReadResult(_count(con), headers, extras)


def read_parquet(con, entity: Entity, f: DeliveredFile) -> ReadResult:
    path = literal(str(f.path))
    try:
        headers = [r[0] for r in con.execute(f"describe select * from read_parquet({path})").fetchall()]
        mapping, extras = _column_map(entity, f.file_name, headers)
        raw_record = "json_object(" + ", ".join(f"{literal(h)}, {ident(h)}" for h in headers) + ")"
        scan = (
            f"select *, row_number() over () as _row_number, {raw_record}::varchar as _raw_record "
            f"from read_parquet({path})"
        )
        _materialise(
            con,
            entity,
            scan,
            lambda name: f"cast({ident(mapping[name])} as varchar)" if name in mapping else "cast(null as varchar)",
        )
    except duckdb.Error as e:
        raise from_duckdb_error(f.file_name, e) from None
    return ReadResult(_count(con), headers, extras)


READERS = {"csv": read_csv, "jsonl": read_jsonl, "parquet": read_parquet}


def _count(con) -> int:
    return con.execute("select count(*) from batch_src").fetchone()[0]
