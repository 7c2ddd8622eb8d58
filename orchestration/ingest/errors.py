"""Batch-level errors: the whole file is rejected, with one reason a data engineer can act on."""

from __future__ import annotations

import re


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


def from_duckdb_error(file_name: str, error: Exception) -> BatchRejected:
    """Turn DuckDB's reader error into a one-line reason that names the file and line."""
    text = str(error)
    match = _LINE.search(text)
    where = f" at line {match.group(1) or match.group(2)}" if match else ""
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
    if "Malformed JSON" in text:
        detail = text.split(":", 2)[-1].strip().splitlines()[0]
        return BatchRejected("malformed_file", f"{file_name}{where}: malformed JSON ({shorten(detail, 120)})")
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), text)
    return BatchRejected("unreadable_file", f"{file_name}{where}: cannot be read ({shorten(first, 160)})")
