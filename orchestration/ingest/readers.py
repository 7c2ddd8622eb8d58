"""Reading one delivered file into a temporary table of text columns named by the contract.

Every format ends in the same shape, so typing and validation are one piece of SQL: a relation
`batch_src` with one varchar column per contract column (null where the file lacks it),
`_row_number` (1 = first data row) and `_not_object` (a JSONL line that is not a JSON object).
The original row as JSON, which quarantine keeps, is worked out only for the rows quarantined
(`ReadResult.raw_records`): for every row it cost more than typing and checking them.

A row's number is its place in the table the file is read into (`rowid`): DuckDB keeps a file's row
order through a scan and a projection into a table (its "order preservation" rules) while reading it
on both cores. `row_number() over ()` gave the same numbers but read the file on one core (a month
of marketing events at a million customers: 8.6 s against 3.5 s for its lines).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import duckdb

from orchestration.contracts import Entity
from orchestration.ingest.discover import DeliveredFile
from orchestration.ingest.errors import BatchRejected, csv_error, from_duckdb_error, jsonl_error
from orchestration.sql import ident, literal

MAX_LINE_BYTES = 64 * 1024 * 1024  # a 10 MB free-text field is data, not an error


@dataclass
class ReadResult:
    rows_read: int
    headers: list[str]
    extra_columns: list[str] = field(default_factory=list)
    # the original rows: a relation with _row_number, and the SQL of a row's raw record over it
    raw_from: str = "batch_src"
    raw_record: str = "null"

    def raw_records(self, row_numbers_sql: str) -> str:
        """SQL: (_row_number, _raw_record) of the rows `row_numbers_sql` lists, and of no other."""
        return (
            f"select _row_number, {self.raw_record} as _raw_record from {self.raw_from} "
            f"where _row_number in ({row_numbers_sql})"
        )


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


def _numbered(con, name: str, select_sql: str) -> None:
    """Read `select_sql` (a scan of one file) into temp table `<name>_read`, and view `<name>` over it
    with each row's number in the file (`_row_number`, 1 = first data row)."""
    con.execute(f"drop view if exists {name}")
    con.execute(f"drop table if exists {name}_read")
    con.execute(f"create temp table {name}_read as {select_sql}")
    con.execute(f"create temp view {name} as select *, rowid + 1 as _row_number from {name}_read")


def _materialise(con, entity: Entity, source_sql: str, value_of, keep: str = "") -> None:
    """Create `batch_src` from a scan of the file, projecting the contract's columns as text (and
    `keep`, more columns of the scan, for the raw records)."""
    cols = ", ".join(f"{value_of(c.name)} as {ident(c.name)}" for c in entity.columns)
    _numbered(con, "batch_src", f"select {cols}, _not_object{keep} from ({source_sql})")


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
    scan = (
        f"select *, false as _not_object from read_csv({literal(str(f.path))}, header = true, "
        f"auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = true, comment = '', max_line_size = {MAX_LINE_BYTES}, encoding = 'utf-8')"
    )
    # batch_src keeps a column the contract does not read under its position: the raw record
    # holds every column of the file, as its header names it
    contract_column = {positional[header]: name for name, header in mapping.items()}
    kept = [f"c{i}" for i in range(len(headers)) if f"c{i}" not in contract_column]
    raw_record = (
        "json_object("
        + ", ".join(f"{literal(h)}, {ident(contract_column.get(f'c{i}', f'c{i}'))}" for i, h in enumerate(headers))
        + ")"
    )
    try:
        _materialise(
            con,
            entity,
            scan,
            lambda name: ident(positional[mapping[name]]) if name in mapping else "cast(null as varchar)",
            "".join(f", {c}" for c in kept),
        )
    except duckdb.Error as e:
        raise csv_error(f.file_name, f.path, e) from None
    return ReadResult(_count(con), headers, extras, raw_record=raw_record)


def read_jsonl(con, entity: Entity, f: DeliveredFile) -> ReadResult:
    path = literal(str(f.path))
    try:
        _numbered(
            con,
            "batch_json",
            f"select json from read_json_objects({path}, format = 'newline_delimited', "
            f"maximum_object_size = {MAX_LINE_BYTES})",
        )
        keys = [
            r[0]
            for r in con.execute(
                # a line that is not an object has no keys: one parse of each line, not two
                "select distinct unnest(json_keys(json)) from batch_json order by 1"
            ).fetchall()
        ]
    except duckdb.Error as e:
        raise jsonl_error(f.file_name, f.path, e) from None
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
    not_object = "coalesce(left(ltrim(cast(json as varchar)), 1) <> '{', false)"
    scan = f"select {extract} as _fields, {not_object} as _not_object from batch_json"
    _materialise(con, entity, scan, value_of)
    # batch_json stays for the raw records of the rows quarantined (the next file's read drops it)
    return ReadResult(_count(con), headers, extras, raw_from="batch_json", raw_record="cast(json as varchar)")


def read_parquet(con, entity: Entity, f: DeliveredFile) -> ReadResult:
    path = literal(str(f.path))
    try:
        headers = [r[0] for r in con.execute(f"describe select * from read_parquet({path})").fetchall()]
        mapping, extras = _column_map(entity, f.file_name, headers)
        _materialise(
            con,
            entity,
            f"select *, false as _not_object from read_parquet({path})",
            lambda name: f"cast({ident(mapping[name])} as varchar)" if name in mapping else "cast(null as varchar)",
        )
    except duckdb.Error as e:
        raise from_duckdb_error(f.file_name, e) from None
    # the file is read again for the rows quarantined: as JSON, a value keeps the file's type
    raw_record = "json_object(" + ", ".join(f"{literal(h)}, {ident(h)}" for h in headers) + ")::varchar"
    numbered = f"(select *, row_number() over () as _row_number from read_parquet({path}))"
    return ReadResult(_count(con), headers, extras, raw_from=numbered, raw_record=raw_record)


READERS = {"csv": read_csv, "jsonl": read_jsonl, "parquet": read_parquet}


def _count(con) -> int:
    return con.execute("select count(*) from batch_src").fetchone()[0]
