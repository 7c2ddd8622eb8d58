"""Finding and removing a person's values in files cx360 writes but does not model: logs, Data Docs,
dbt's artifacts, the Dagster instance's SQLite files, check samples. And the scan that proves an
erasure: every file under the warehouse, every byte, Parquet and DuckDB files decoded.

A value is looked for as written and as the formats around it write it: JSON's \\u escapes
(Dagster's event log), HTML's entities and character references (Data Docs), any letter case.
"""

from __future__ import annotations

import bisect
import functools
import html
import json
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.sql import ident, literal

ERASED = "[erased]"
_MIN_TERM = 3
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PARQUET_MAGIC = b"PAR1"
_DUCKDB_MAGIC = b"DUCK"  # at byte 8


def variants(term: str) -> set[str]:
    """The ways a file may spell `term`."""
    as_html = {html.escape(term), html.escape(term, quote=False)}
    return {term, json.dumps(term)[1:-1], *as_html, *(h.encode("ascii", "xmlcharrefreplace").decode() for h in as_html)}


@dataclass(frozen=True)
class Matcher:
    """Every spelling of every term, and one case-insensitive pattern of them, longest first."""

    spelled: tuple[str, ...]
    regex: re.Pattern
    folded: tuple[str, ...]  # the spellings case-folded: where they start, the pattern is tried

    def count(self, text: str, after: int = 0) -> int:
        """The pattern's matches in `text` that end past `after`. The pattern is slow on megabytes (a
        case-insensitive pattern of alternatives skips no place quickly), so it is tried only where a
        case-folded spelling starts (most files hold none: nothing more is done)."""
        folded = _fold(text)
        starts = sorted({at for v in self.folded for at in _places(folded, v)})
        if not starts:
            return 0
        place = _place_in(text, len(folded))
        hits, free = 0, 0  # as finditer counts: leftmost first, no overlap
        for at in map(place, starts):
            if at >= free and (found := self.regex.match(text, at)):
                hits += found.end() > after
                free = found.end()
        return hits

    def sub(self, text: str) -> tuple[str, int]:
        return self.regex.subn(ERASED, text)


@functools.cache
def _growing() -> re.Pattern:
    """The characters case folding writes as more than one (ß as ss: ~100 of them)."""
    return re.compile("[" + "".join(re.escape(c) for c in map(chr, range(0x110000)) if len(_fold(c)) > 1) + "]")


def _place_in(text: str, folded_length: int):
    """Where a place of the folded text starts in `text`: folding moves a character on by what the
    characters before it grew (none in most texts; a few in the bytes of a binary file)."""
    if folded_length == len(text):
        return lambda at: at
    folded_at, grown = [], []  # after each growing character: its place once folded, growth so far
    total = 0
    for found in _growing().finditer(text):
        total += len(_fold(found.group())) - 1
        folded_at.append(found.end() + total)
        grown.append(total)
    return lambda at: at - (grown[i - 1] if (i := bisect.bisect_right(folded_at, at)) else 0)


def _places(text: str, part: str) -> Iterable[int]:
    at = text.find(part)
    while at >= 0:
        yield at
        at = text.find(part, at + 1)


def matcher(terms: Iterable[str]) -> Matcher | None:
    spelled = {v for t in terms if len(t.strip()) >= _MIN_TERM for v in variants(t.strip())}
    if not spelled:
        return None
    ordered = tuple(sorted(spelled, key=len, reverse=True))
    regex = re.compile("|".join(re.escape(v) for v in ordered), re.IGNORECASE)
    return Matcher(ordered, regex, tuple(sorted({_fold(v) for v in ordered})))


def _fold(text: str) -> str:
    """Case-folded as the pattern matches: Python's case-insensitive patterns also take the
    dotless ı for an i, which case folding keeps apart."""
    return text.casefold().replace("ı", "i")


@dataclass
class Trace:
    path: Path
    where: str  # bytes / a table name / a Parquet file
    count: int


def kind_of(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    if head[8:12] == _DUCKDB_MAGIC:
        return "duckdb"
    return "file"


def files_under(root: Path) -> list[Path]:
    """Every regular file (links not followed: serving's stable links point inside the tree)."""
    out = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                out.append(path)
    return sorted(out)


def find(root: Path, terms: Iterable[str], con: duckdb.DuckDBPyConnection) -> list[Trace]:
    """Where any term still lies under `root`: raw bytes of every file, and decoded rows of every
    Parquet and DuckDB file (their pages are compressed, so their bytes alone prove nothing), read
    through `con`, one in-memory session for every file (opening one costs ~30 ms, and a warehouse
    holds hundreds of Parquet files) that the caller holds to its memory limit."""
    m = matcher(terms)
    if m is None:
        return []
    out = []
    for path in files_under(root):
        hits = find_in_bytes(path, m)
        if hits:
            out.append(Trace(path, "bytes", hits))
        kind = kind_of(path)
        if kind == "parquet":
            out += _find_in_parquet(con, path, m)
        elif kind == "duckdb":
            out += _find_in_duckdb(con, path, m)
    return out


_CHUNK = 64 << 20


def find_in_bytes(path: Path, m: Matcher) -> int:
    """Occurrences in the file's bytes, read in chunks (a serving database is gigabytes): each chunk
    carries the previous one's tail, long enough for any spelling, and a match counts once, in the
    chunk where it ends."""
    keep = 4 * max(len(v) for v in m.spelled)  # UTF-8: at most 4 bytes a character
    hits, tail = 0, b""
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            data = tail + block
            text = data.decode("utf-8", errors="replace")
            boundary = len(tail.decode("utf-8", errors="replace"))
            hits += m.count(text, boundary)
            tail = data[-keep:]
    return hits


def _text_of_row(con, relation: str) -> str | None:
    """SQL: a row's text columns (strings, lists, structs, JSON) joined, lower-cased; None when the
    relation has none. Numbers and dates cannot hold a value of a person's and are not read."""
    columns = [
        name
        for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()
        if any(t in kind for t in ("VARCHAR", "JSON", "STRUCT", "MAP", "UNION"))
    ]
    if not columns:
        return None
    return "lower(concat_ws(chr(31), " + ", ".join(f"cast({ident(c)} as varchar)" for c in columns) + "))"


def _count_matching(con, relation: str, m: Matcher) -> int:
    text = _text_of_row(con, relation)
    if text is None:
        return 0
    holds = " or ".join(f"contains({text}, {literal(v.lower())})" for v in sorted(set(m.spelled)))
    return con.execute(f"select count(*) from {relation} where {holds}").fetchone()[0]


def _find_in_parquet(con, path: Path, m: Matcher) -> list[Trace]:
    try:
        n = _count_matching(con, f"read_parquet({literal(str(path))})", m)
    except duckdb.InvalidInputException:
        # not a whole Parquet file (a delivery cut short, kept byte for byte as rejected): no reader
        # gets rows out of it, and its bytes were searched above
        return []
    return [Trace(path, "parquet rows", n)] if n else []


def _find_in_duckdb(con, path: Path, m: Matcher) -> list[Trace]:
    out = []
    con.execute(f"attach {literal(str(path))} as db (read_only)")
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'db'"
        ).fetchall()
        for schema, table in tables:
            n = _count_matching(con, f"db.{ident(schema)}.{ident(table)}", m)
            if n:
                out.append(Trace(path, f"table {schema}.{table}", n))
    finally:
        con.execute("detach db")
    return out


def scrub_file(path: Path, m: Matcher) -> int:
    """Replace every occurrence in a text file (atomically); SQLite files are scrubbed through SQL.
    Returns the occurrences removed."""
    if kind_of(path) == "sqlite":
        return scrub_sqlite(path, m)
    data = path.read_bytes()
    text = data.decode("utf-8", errors="surrogateescape")
    new, n = m.sub(text)
    if n:
        write_atomically(path, new.encode("utf-8", errors="surrogateescape"))
    return n


def scrub_sqlite(path: Path, m: Matcher) -> int:
    """Every text value of every table, then VACUUM: SQLite keeps deleted text in free pages."""
    total = 0

    def scrub(value):
        nonlocal total
        if not isinstance(value, str):
            return value
        new, n = m.sub(value)
        total += n
        return new

    con = sqlite3.connect(path)
    try:
        con.create_function("cx360_scrub", 1, scrub, deterministic=True)
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            if table.startswith("sqlite_"):
                continue
            columns = [r[1] for r in con.execute(f'pragma table_info("{table}")')]
            for column in columns:
                con.execute(
                    f'update "{table}" set "{column}" = cx360_scrub("{column}") where typeof("{column}") = \'text\''
                )
        con.commit()
        if total:
            con.execute("vacuum")
        con.execute("pragma wal_checkpoint(truncate)")
    finally:
        con.close()
    return total


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.erase.tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
