"""Streaming writers: rows are appended to open files as they are made, never held per entity.

CSV goes through csv.writer on an open file, JSONL one encoded object per line, Parquet through a
pyarrow ParquetWriter, one row group per `PARQUET_ROW_GROUP` rows (the only buffering).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.generate.layout import FileSpec

PARQUET_ROW_GROUP = 25_000  # rows buffered per Parquet file at most
_encode_str = json.encoder.encode_basestring  # C implementation; keeps non-ASCII as is (UTF-8 file)
_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?").fullmatch
_ARROW_TYPES = {"integer": pa.int64(), "decimal": pa.float64(), "date": pa.date32(), "boolean": pa.bool_()}


class CsvFile:
    def __init__(self, root: Path, spec: FileSpec):
        self.spec = spec
        self._fh = (root / spec.path).open("w", encoding="utf-8-sig" if spec.bom else "utf-8", newline="")
        self._w = csv.writer(self._fh)  # RFC 4180: quotes where needed, CRLF line ends
        self._w.writerow(spec.headers)
        self._cols = tuple(c for c in spec.columns if c)
        self._extra = list(spec.extras.values())

    def write(self, row: dict) -> None:
        get = row.get
        self._w.writerow([get(c) for c in self._cols] + self._extra)

    def close(self) -> None:
        self._fh.close()


class JsonlFile:
    """One JSON object per line, assembled from pre-encoded keys (the json module's C string encoder)."""

    def __init__(self, root: Path, spec: FileSpec):
        self.spec = spec
        self._fh = (root / spec.path).open("w", encoding="utf-8", newline="\n")
        types = {c.name: c.type for c in spec.entity.columns}
        pairs = [(_encode_str(h) + ": ", c) for h, c in zip(spec.headers, spec.columns, strict=True) if c]
        self._plain = tuple(p for p in pairs if types[p[1]] != "decimal")
        # amounts are written as JSON numbers, as marketing tools do (their keys come last)
        self._decimals = tuple(p for p in pairs if types[p[1]] == "decimal")
        self._sparse = spec.sparse
        self._tail = "".join(f", {_encode_str(k)}: {_encode_str(v)}" for k, v in spec.extras.items()) + "}\n"

    def write(self, row: dict) -> None:
        get, enc = row.get, _encode_str
        if self._sparse:
            parts = [
                k + (enc(v) if type(v) is str else _json_value(v)) for k, c in self._plain if (v := get(c)) is not None
            ]
            parts += [k + _json_decimal(v) for k, c in self._decimals if (v := get(c)) is not None]
        else:
            parts = [k + ("null" if (v := get(c)) is None else _json_value(v)) for k, c in self._plain]
            parts += [k + ("null" if (v := get(c)) is None else _json_decimal(v)) for k, c in self._decimals]
        self._fh.write("{" + ", ".join(parts) + self._tail)

    def close(self) -> None:
        self._fh.close()


def _json_value(v) -> str:
    return _encode_str(v) if type(v) is str else json.dumps(v)


def _json_decimal(v) -> str:
    return v if type(v) is str and _JSON_NUMBER(v) else _json_value(v)


class ParquetFile:
    def __init__(self, root: Path, spec: FileSpec):
        self.spec = spec
        types = {c.name: _ARROW_TYPES.get(c.type, pa.string()) for c in spec.entity.columns}
        self._cols = tuple(c for c in spec.columns if c)
        self._schema = pa.schema(
            [(h, types[c] if c else pa.string()) for h, c in zip(spec.headers, spec.columns, strict=True)]
        )
        self._w = pq.ParquetWriter(str(root / spec.path), self._schema, compression="zstd")
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

    def close(self) -> None:
        self._flush()
        self._w.close()


def _converter(t: pa.DataType):
    if t == pa.int64():
        return int
    if t == pa.float64():
        return float
    if t == pa.date32():
        return date.fromisoformat
    return str


WRITERS = {"csv": CsvFile, "jsonl": JsonlFile, "parquet": ParquetFile}
