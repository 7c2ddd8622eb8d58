"""A delivered file without some of its data rows, written as close to the delivery as the format
allows: the byte copies of rejected files lose an erased person's rows (at ingestion, and when they
are erased later) and keep everyone else's.

Rows are numbered as the readers number them (ingest/readers.py): 1 = the first data row, blank
lines not counted. Each function returns None when its count of rows differs from `rows_read`, so
a file read differently than at ingestion is never cut at the wrong row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from orchestration.sql import literal


def without_rows(path: Path, file_format: str, rows: tuple[int, ...], rows_read: int) -> bytes | None:
    if file_format == "parquet":
        return _parquet_without(path, rows, rows_read)
    if file_format == "csv":
        return _csv_without(path, rows, rows_read)
    if file_format == "jsonl":
        return _jsonl_without(path, rows, rows_read)
    return None


def _parquet_without(path: Path, rows: tuple[int, ...], rows_read: int) -> bytes | None:
    tmp = path.with_name(f".{path.name}.rows.tmp")
    con = duckdb.connect()
    try:
        src = literal(str(path))
        if con.execute(f"select count(*) from read_parquet({src})").fetchone()[0] != rows_read:
            return None
        con.execute(
            f"copy (select * exclude (__cx360_row) from (select *, row_number() over () as __cx360_row "
            f"from read_parquet({src})) where not list_contains(?, __cx360_row) order by __cx360_row) "
            f"to {literal(str(tmp))} (format parquet, compression zstd)",
            [list(rows)],
        )
        return tmp.read_bytes()
    finally:
        con.close()
        tmp.unlink(missing_ok=True)


def _csv_without(path: Path, rows: tuple[int, ...], rows_read: int) -> bytes | None:
    """The CSV re-written by Python's csv module: header and every other row's fields kept.

    DuckDB (readers.read_csv) skips an empty line, unless the file has one column (then it is a row
    of null), so the rows are counted the same way here."""
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    first_end = text.find("\n")
    newline = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
    records = list(csv.reader(io.StringIO(text, newline="")))
    header, drop, out, n = records[0], set(rows), [records[0]], 0
    for record in records[1:]:
        if record or len(header) == 1:
            n += 1
            if n in drop:
                continue
        out.append(record)
    if n != rows_read:
        return None
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=newline).writerows(out)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def _jsonl_without(path: Path, rows: tuple[int, ...], rows_read: int) -> bytes | None:
    """The JSONL without those lines; DuckDB skips blank lines, so they count as no row here either."""
    drop, out, n = set(rows), [], 0
    for line in path.read_bytes().split(b"\n"):  # a \r before the \n stays with its line
        if line.strip():
            n += 1
            if n in drop:
                continue
        out.append(line)
    return b"\n".join(out) if n == rows_read else None
