"""Batch-level errors: the whole file is rejected, with one reason a data engineer can act on.

DuckDB's readers name a line, but not always the file's own: its JSON reader names the line after
the bad one (DuckDB 2.0), and its CSV reader counts records, so a quoted value holding a line break
puts every later line one off. The line a reason names is therefore found again in the file itself,
on this error path only.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path


class BatchRejected(Exception):
    def __init__(
        self,
        reason_code: str,
        message: str,
        column: str | None = None,
        rows_read: int = 0,
        withheld_rows: tuple[int, ...] = (),
    ):
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message
        self.column = column
        self.rows_read = rows_read
        # rows of erased people (ingest/withhold.py): left out of the rejected file's copy
        self.withheld_rows = withheld_rows


def shorten(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_LINE = re.compile(r"on Line: (\d+)|in line (\d+)")
EXCERPT = 40  # characters of a bad JSON line shown around where it goes wrong


def reported_line(error: Exception) -> int | None:
    """The line DuckDB's reader error names, if any."""
    match = _LINE.search(str(error))
    return int(match.group(1) or match.group(2)) if match else None


def from_duckdb_error(file_name: str, error: Exception, line: int | None = None) -> BatchRejected:
    """Turn DuckDB's reader error into a one-line reason that names the file and line (`line`, when
    the file's own line is known, else the one DuckDB names)."""
    text = str(error)
    line = line or reported_line(error)
    where = f" at line {line}" if line else ""
    if "unicode" in text.lower() or "utf-8" in text.lower():
        return BatchRejected("not_utf8", f"{file_name}{where}: the file is not UTF-8 encoded")
    if "unterminated quote" in text:
        return BatchRejected("malformed_file", f"{file_name}{where}: a quoted value is never closed")
    if "Expected Number of Columns" in text:
        found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
        detail = f" (expected {found.group(1)} values, found {found.group(2)})" if found else ""
        return BatchRejected("malformed_file", f"{file_name}{where}: a row has the wrong number of values{detail}")
    if "Maximum line size" in text or "max_line_size" in text:
        return BatchRejected("malformed_file", f"{file_name}{where}: a row is longer than the allowed size")
    if "No magic bytes found at end of file" in text:
        return BatchRejected(
            "unreadable_file",
            f"{file_name}: not a whole Parquet file (no Parquet footer at its end: cut short, or not Parquet)",
        )
    if "Malformed JSON" in text:
        detail = text.split(":", 2)[-1].strip().splitlines()[0]
        return BatchRejected("malformed_file", f"{file_name}{where}: malformed JSON ({shorten(detail, 120)})")
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), text)
    return BatchRejected("unreadable_file", f"{file_name}{where}: cannot be read ({shorten(first, 160)})")


def csv_error(file_name: str, path: Path, error: Exception) -> BatchRejected:
    """A CSV file DuckDB cannot read, rejected at the file's own line where the bad record starts."""
    record = reported_line(error)
    return from_duckdb_error(file_name, error, record and _record_start(path, record))


def _record_start(path: Path, record: int) -> int:
    """The line of the file where its `record`-th record (1 = the header) starts, as Python's CSV
    reader splits the records: a line break inside a quoted value continues the record, a quote
    inside an unquoted value is a character, as in DuckDB's reader."""
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        reader, line = csv.reader(fh), 0  # line: where the records read so far end
        for _ in range(record - 1):
            try:
                next(reader)
            except (StopIteration, csv.Error):
                return record  # not there as Python reads it: DuckDB's number stands
            line = reader.line_num
    return line + 1


def jsonl_error(file_name: str, path: Path, error: Exception) -> BatchRejected:
    """A JSON-lines file DuckDB cannot read, rejected at the first line Python's strict JSON reader
    refuses, with the character and the text there. The search reads the line DuckDB names and the
    one before it, and the whole file only when neither is bad; an error that names no line (not
    the file's content), or a file Python reads whole, keeps DuckDB's own reason."""
    near = reported_line(error)
    found = near and (_bad_json_line(path, {near - 1, near}) or _bad_json_line(path))
    if not found:
        return from_duckdb_error(file_name, error)
    line, character, problem, text = found
    where = f"{file_name} at line {line}, character {character}"
    if problem is None:
        return BatchRejected("not_utf8", f"{where}: the file is not UTF-8 encoded")
    # the line from its start when the place is near it, else from a little before the place
    start = 0 if character <= EXCERPT else character - 1 - EXCERPT // 2
    near_text = ("…" if start else "") + shorten(text[start:].strip(), EXCERPT)
    return BatchRejected("malformed_file", f"{where}: malformed JSON ({problem}, near {near_text!r})")


def _bad_json_line(path: Path, only: set[int] | None = None) -> tuple[int, int, str | None, str] | None:
    """(line, character, problem, text) of the first line, of `only` when given, that is not one
    JSON value (problem None: not UTF-8); None when there is none."""
    last = max(only) if only else None
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if last is not None and number > last:
                break
            if only is None or number in only:
                found = _json_problem(number, raw)
                if found:
                    return found
    return None


def _json_problem(number: int, raw: bytes) -> tuple[int, int, str | None, str] | None:
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as e:
        return number, len(raw[: e.start].decode("utf-8", "replace")) + 1, None, ""
    if not text.strip():
        return None  # DuckDB passes over an empty line
    try:
        json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as e:
        return number, e.colno, e.msg, text
    except ValueError as e:  # NaN or Infinity, which Python reads and JSON does not have
        return number, text.find(str(e)) + 1, f"{e} is not a JSON value", text
    return None


def _not_json(name: str):
    raise ValueError(name)
