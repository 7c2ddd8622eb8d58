"""Content-addressed Parquet snapshots: a published table is a list of immutable files.

A file is named by what it holds (row count and a hash of every row), so publishing a table that
did not change writes nothing: the new serving database points at the file that is already there.
A large table is cut into parts (one per month of a timestamp column), so a day's run rewrites the
months that changed, not the history. Files are written to a temporary name and renamed, so a file
under its final name is always complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.sql import ident, literal

WHOLE = "all"  # the part name of an unpartitioned table


@dataclass(frozen=True)
class Snapshot:
    name: str
    files: tuple[Path, ...]
    rows: int
    written: int  # files written by this publication (the others were already there)


def _parts(con, select: str, month_column: str | None) -> list[tuple[str, int, int]]:
    """(part, rows, hash) of each part; the hash is order-independent (a sum of row hashes)."""
    part = f"strftime({ident(month_column)}, '%Y-%m')" if month_column else literal(WHOLE)
    rows = con.execute(
        f"""
        select coalesce({part}, 'none') as part, count(*), sum(hash(t)) % 18446744073709551616
        from ({select}) as t group by all order by part
        """
    ).fetchall()
    # an empty table: no row at all, or one row of (all, 0, null) when nothing is grouped
    return [(p, n, int(h)) for p, n, h in rows if n]


def write_snapshot(
    con, name: str, select: str, columns: list[str], target_dir: Path, month_column: str | None = None
) -> Snapshot:
    """Write the parts of `select` that are not already in target_dir/<name>/; return every file."""
    table_dir = target_dir / name
    table_dir.mkdir(parents=True, exist_ok=True)
    # the column list is part of the name: the same rows with another shape are another file
    shape = con.execute("select hash(?)", [",".join(columns)]).fetchone()[0]
    parts = _parts(con, select, month_column) or [(WHOLE, 0, 0)]
    files, written = [], 0
    for part, rows, digest in parts:
        path = table_dir / f"{part}-{rows}-{digest:020d}-{shape:020d}.parquet"
        if not path.exists():
            where = ""
            if month_column and part != WHOLE:
                cond = f"strftime({ident(month_column)}, '%Y-%m')"
                where = f" where {cond} = {literal(part)}" if part != "none" else f" where {cond} is null"
            tmp = path.with_name(f".{path.name}.tmp")
            con.execute(f"copy (select * from ({select}) as t{where}) to {literal(str(tmp))} (format parquet)")
            os.replace(tmp, path)
            written += 1
        files.append(path)
    return Snapshot(name, tuple(files), sum(n for _, n, _ in parts), written)


def view_sql(snapshot: Snapshot) -> str:
    files = ", ".join(literal(str(f)) for f in snapshot.files)
    return f"select * from read_parquet([{files}])"


def sweep(roots: list[Path], keep: set[Path]) -> int:
    """Delete snapshot files under roots that no kept publication refers to; returns how many."""
    removed = 0
    for root in roots:
        if not root.exists():
            continue
        for path in root.rglob("*.parquet"):
            if path.resolve() not in keep:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
