"""The ingestion floor: DuckDB alone reading landing files and writing them as Parquet.

    python benchmarks/floor.py FILES.json OUT_DIR RESULT.json

FILES.json lists landing files (absolute paths). Each is read with DuckDB's own reader for its format,
with DuckDB's defaults (`read_csv`, `read_json` newline-delimited, `read_parquet`), and written with
`COPY ... TO '<file>.parquet' (FORMAT parquet)`, one file after another, in this fresh process with a
fresh in-memory database: no validation, no typing to a contract, no quarantine, no bookkeeping.
A file DuckDB's defaults cannot read (the generator delivers a few deliberately broken ones) is read
again as text with `ignore_errors`; one that still fails is listed and left out of the time.
The time is that of the COPY statements only (not the start of Python or the import of DuckDB).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

READ = {
    ".csv": ("read_csv({p})", "read_csv({p}, all_varchar = true, ignore_errors = true, strict_mode = false)"),
    ".jsonl": (
        "read_json({p}, format = 'newline_delimited')",
        "read_json({p}, format = 'newline_delimited', ignore_errors = true)",
    ),
    ".parquet": ("read_parquet({p})", None),
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def main(files_json: str, out_dir: str, result_json: str) -> None:
    files = [Path(p) for p in json.loads(Path(files_json).read_text())]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    total, rows, nbytes, fallback, failed, per_file = 0.0, 0, 0, [], [], []
    for i, path in enumerate(files):
        readers = READ.get(path.suffix.lower())
        if readers is None:
            failed.append({"file": str(path), "error": "no DuckDB reader for this suffix"})
            continue
        target = _quote(str(out / f"{i:05d}_{path.stem}.parquet"))
        for attempt, reader in enumerate(r for r in readers if r):
            sql = f"copy (select * from {reader.format(p=_quote(str(path)))}) to {target} (format parquet)"
            start = time.perf_counter()
            try:
                n = con.execute(sql).fetchone()[0]
            except duckdb.Error as e:
                if attempt == 0 and readers[1]:
                    continue
                failed.append({"file": str(path), "error": str(e).splitlines()[0][:300]})
                break
            seconds = time.perf_counter() - start
            total += seconds
            rows += n
            nbytes += path.stat().st_size
            if attempt:
                fallback.append(str(path))
            per_file.append({"file": str(path), "rows": n, "seconds": round(seconds, 4)})
            break
    result = {
        "seconds": total,
        "files": len(per_file),
        "rows": rows,
        "bytes": nbytes,
        "read_as_text_with_ignore_errors": fallback,
        "failed": failed,
        "per_file": per_file,
        "duckdb_threads": con.execute("select current_setting('threads')").fetchone()[0],
    }
    Path(result_json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(*sys.argv[1:4])
