"""Streaming writers: rows are appended to open files as they are made, never held per entity.

CSV goes through csv.writer on an open file, JSONL one encoded object per line, Parquet through a
pyarrow ParquetWriter, one row group per `PARQUET_ROW_GROUP` rows (the only buffering).

`PART_WRITERS` write the part files of parallel generation (parallel.py): CSV rows without the header,
JSONL as is, and Parquet rows as an Arrow IPC stream (uncompressed: the assembler compresses once).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.generate.layout import FileSpec

PARQUET_ROW_GROUP = 25_000  # rows buffered per Parquet file at most
_encode_str = json.encoder.encode_basestring  # C implementation; keeps non-ASCII as is (UTF-8 file)
_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?").fullmatch
_ARROW_TYPES = {"integer": pa.int64(), "decimal": pa.float64(), "date": pa.date32(), "boolean": pa.bool_()}


class CsvFile:
    def __init__(self, root: Path, spec: FileSpec, header: bool = True):
        self.spec = spec
        bom = spec.bom and header
        self._fh = (root / spec.path).open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self._w = csv.writer(self._fh)  # RFC 4180: quotes where needed, CRLF line ends
        if header:
            self._w.writerow(spec.headers)
        self._cols = tuple(c for c in spec.columns if c)
        self._extra = list(spec.extras.values())

    def write(self, row: dict) -> None:
        get = row.get
        self._w.writerow([get(c) for c in self._cols] + self._extra)

    def close(self) -> None:
        self._fh.close()


class JsonlFile:
    """One JSON object per line, assembled from pre-encoded keys (the json module's C string encoder).

    The line builder is generated per file layout (straight-line code, one test per column): this runs
    for most of the rows of a landing zone, so it is written for speed."""

    def __init__(self, root: Path, spec: FileSpec):
        self.spec = spec
        self._fh = (root / spec.path).open("w", encoding="utf-8", newline="\n")
        types = {c.name: c.type for c in spec.entity.columns}
        pairs = [(_encode_str(h) + ": ", c) for h, c in zip(spec.headers, spec.columns, strict=True) if c]
        # amounts are written as JSON numbers, as marketing tools do (their keys come last)
        plain = [p for p in pairs if types[p[1]] != "decimal"]
        decimals = [p for p in pairs if types[p[1]] == "decimal"]
        tail = "".join(f", {_encode_str(k)}: {_encode_str(v)}" for k, v in spec.extras.items()) + "}\n"
        self._line = _line_builder(plain, decimals, tail, spec.sparse)
        self._write = self._fh.write

    def write(self, row: dict) -> None:
        self._write(self._line(row))

    def close(self) -> None:
        self._fh.close()


def _line_builder(plain, decimals, tail: str, sparse: bool):
    """A function row -> JSON line; `sparse` leaves out the keys whose value is null."""
    ns = {"enc": _encode_str, "jv": _json_value, "jd": _json_decimal, "TAIL": tail}
    code = ["def line(row):", "    get = row.get", "    p = []", "    add = p.append"]
    for i, (key, col) in enumerate(plain + decimals):
        ns[f"K{i}"] = key
        value = "jd(v)" if i >= len(plain) else "(enc(v) if type(v) is str else jv(v))"
        code.append(f"    v = get({col!r})")
        if sparse:
            code += ["    if v is not None:", f"        add(K{i} + {value})"]
        else:
            code.append(f"    add(K{i} + ('null' if v is None else {value}))")
    code.append("    return '{' + ', '.join(p) + TAIL")
    exec("\n".join(code), ns)  # noqa: S102 - code built above from the contract's column names only
    return ns["line"]


def _json_value(v) -> str:
    return _encode_str(v) if type(v) is str else json.dumps(v)


def _json_decimal(v) -> str:
    return v if type(v) is str and _JSON_NUMBER(v) else _json_value(v)


def csv_header(spec: FileSpec) -> bytes:
    """The first bytes of a CSV file as CsvFile writes them: the byte-order mark if any, then the header."""
    buf = io.StringIO(newline="")
    csv.writer(buf).writerow(spec.headers)
    return ("\ufeff" if spec.bom else "").encode() + buf.getvalue().encode()


def arrow_schema(spec: FileSpec) -> pa.Schema:
    types = {c.name: _ARROW_TYPES.get(c.type, pa.string()) for c in spec.entity.columns}
    return pa.schema([(h, types[c] if c else pa.string()) for h, c in zip(spec.headers, spec.columns, strict=True)])


def parquet_writer(path: Path, spec: FileSpec) -> pq.ParquetWriter:
    return pq.ParquetWriter(str(path), arrow_schema(spec), compression="zstd")


class ParquetFile:
    def __init__(self, root: Path, spec: FileSpec):
        self.spec = spec
        types = {c.name: _ARROW_TYPES.get(c.type, pa.string()) for c in spec.entity.columns}
        self._cols = tuple(c for c in spec.columns if c)
        self._schema = arrow_schema(spec)
        self._w = self._open(root / spec.path)
        self._buf: list[list] = [[] for _ in self._cols]
        self._conv = tuple(_converter(types[c]) for c in self._cols)

    def write(self, row: dict) -> None:
        for buf, col, conv in zip(self._buf, self._cols, self._conv, strict=True):
            v = row.get(col)
            buf.append(None if v is None else conv(v))
        if len(self._buf[0]) >= PARQUET_ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        n = len(self._buf[0])
        if not n:
            return
        arrays = [pa.array(b, type=t) for b, t in zip(self._buf, self._schema.types, strict=False)]
        arrays += [pa.array([v] * n, type=pa.string()) for v in self.spec.extras.values()]
        self._w.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        self._buf = [[] for _ in self._cols]

    def _open(self, path: Path):
        return parquet_writer(path, self.spec)

    def close(self) -> None:
        self._flush()
        self._w.close()


class ArrowPart(ParquetFile):
    """The rows of a Parquet file as an uncompressed Arrow IPC stream (a part of parallel generation)."""

    def _open(self, path: Path):
        return pa.ipc.new_stream(str(path), self._schema)


def _converter(t: pa.DataType):
    if t == pa.int64():
        return int
    if t == pa.float64():
        return float
    if t == pa.date32():
        return date.fromisoformat
    return str


WRITERS = {"csv": CsvFile, "jsonl": JsonlFile, "parquet": ParquetFile}
PART_WRITERS = {"csv": partial(CsvFile, header=False), "jsonl": JsonlFile, "parquet": ArrowPart}
