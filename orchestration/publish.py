"""Publishing: copy the audited tables into the serving databases and swap them in atomically.

A new serving file is written beside the old one and renamed over it (an atomic rename on one
filesystem): a BI tool that has the old file open keeps reading the old complete version, the
next connection sees the new complete version, never a mix. Parquet copies follow the same rule
per file. People's data never reaches the BI database: its tables drop every `pii_*` column,
and the contact-holding models are published to the restricted database only.

Before anything is swapped in, two last gates (quality.md): the volume guard (no table loses more
than a set share of its rows against the last published version, unless allowed) and the count
reconciliation (every published table holds exactly the rows that were built).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.settings import PROJECT_ROOT, Settings
from orchestration.sql import ident, literal

PII_PREFIX = "pii_"
TRUST_MART = "mart_data_trust"
TRUST_SQL = PROJECT_ROOT / "orchestration" / "sql" / "mart_data_trust.sql"


class PublishBlocked(Exception):
    """A gate failed: nothing was published and the last good version stays in place."""


@dataclass(frozen=True)
class PublishedTable:
    database: str  # bi / restricted
    name: str
    rows: int


def _source_relation(con, model: str) -> str:
    """Fully qualified name of a dbt model in the working database (dbt puts it in <schema>)."""
    rows = con.execute(
        "select table_schema from information_schema.tables where table_catalog = 'wh' "
        "and table_name = ? order by table_schema",
        [model],
    ).fetchall()
    if len(rows) != 1:
        found = ", ".join(r[0] for r in rows) or "nowhere"
        raise PublishBlocked(f"cannot publish {model}: expected it in one schema of the warehouse, found {found}")
    return f"wh.{ident(rows[0][0])}.{ident(model)}"


def _count(con, relation: str) -> int:
    return con.execute(f"select count(*) from {relation}").fetchone()[0]


def volume_guard(con, settings: Settings, built: dict[str, int]) -> list[str]:
    """Tables whose row count falls by more than the allowed share against the last publication."""
    has_history = con.execute(
        "select count(*) from information_schema.tables where table_catalog = 'wh' "
        "and table_schema = 'ops' and table_name = 'publications'"
    ).fetchone()[0]
    if not has_history:
        return []
    last = dict(
        con.execute(
            """
            select table_name, row_count from wh.ops.publications
            where database = 'bi'
            qualify row_number() over (partition by table_name order by published_at desc) = 1
            """
        ).fetchall()
    )
    problems = []
    for name, rows in sorted(built.items()):
        before = last.get(name)
        if before and rows < before * (1 - settings.volume_drop_limit):
            drop = 1 - rows / before
            problems.append(
                f"volume guard on {name}: {before:,} rows last published, {rows:,} now "
                f"(-{drop:.0%}, more than the {settings.volume_drop_limit:.0%} allowed)"
            )
    return problems


def _write_database(
    con,
    target: Path,
    tables: dict[str, str],
    drop_pii: bool,
    stamp: str,
    run_id: str,
    published_at: dt.datetime,
) -> tuple[Path, list[PublishedTable]]:
    """Write the new serving file beside the old one; the caller swaps it in."""
    tmp = target.with_name(f".{target.name}.{stamp}.tmp")
    tmp.unlink(missing_ok=True)
    con.execute(f"attach {literal(str(tmp))} as serving")
    published = []
    try:
        for model, relation in tables.items():
            cols = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
            keep = ", ".join(ident(c) for c in cols if not (drop_pii and c.startswith(PII_PREFIX)))
            con.execute(f"create table serving.main.{ident(model)} as select {keep} from {relation}")
            built, copied = _count(con, relation), _count(con, f"serving.main.{ident(model)}")
            if built != copied:
                raise PublishBlocked(f"count reconciliation on {model}: {built:,} rows built, {copied:,} copied")
            published.append(PublishedTable("bi" if drop_pii else "restricted", model, copied))
        if drop_pii:
            con.execute("create temp table published_tables (table_name varchar, row_count bigint)")
            con.executemany(
                "insert into published_tables values (?, ?)",
                [[p.name, p.rows] for p in published] + [[TRUST_MART, None]],
            )
            con.execute(
                f"create table serving.main.{TRUST_MART} as {TRUST_SQL.read_text()}",
                {"run_id": run_id, "published_at": published_at},
            )
            rows = _count(con, f"serving.main.{TRUST_MART}")
            con.execute(f"update serving.main.{TRUST_MART} set row_count = ? where table_name = ?", [rows, TRUST_MART])
            published.append(PublishedTable("bi", TRUST_MART, rows))
            con.execute("drop table published_tables")
        con.execute("checkpoint serving")
        con.execute("detach serving")
    except BaseException:
        con.execute("detach database if exists serving")
        tmp.unlink(missing_ok=True)
        raise
    return tmp, published


def _parquet_copies(con, db: Path, names: list[str], parquet_dir: Path, stamp: str) -> list[tuple[Path, Path]]:
    con.execute(f"attach {literal(str(db))} as staged (read_only)")
    staged = []
    try:
        for name in names:
            part = parquet_dir / f".{name}.parquet.{stamp}.tmp"
            con.execute(
                f"copy (select * from staged.main.{ident(name)}) to {literal(str(part))} "
                "(format parquet, compression zstd)"
            )
            staged.append((part, parquet_dir / f"{name}.parquet"))
    finally:
        con.execute("detach staged")
    return staged


def publish(
    settings: Settings,
    bi_models: list[str],
    restricted_models: list[str],
    run_id: str = "manual",
) -> list[PublishedTable]:
    settings.serving_dir.mkdir(parents=True, exist_ok=True)
    settings.parquet_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    # an in-memory session reading the working database and writing the new serving files
    con = duckdb.connect()
    staged: list[tuple[Path, Path]] = []
    try:
        con.execute(f"attach {literal(str(settings.duckdb_path))} as wh (read_only)")
        bi = {m: _source_relation(con, m) for m in bi_models}
        restricted = {m: _source_relation(con, m) for m in restricted_models}
        if not settings.allow_volume_drop:
            problems = volume_guard(con, settings, {m: _count(con, r) for m, r in bi.items()})
            if problems:
                raise PublishBlocked("; ".join(problems) + " — rerun with --allow-volume-drop if it is expected")
        bi_tmp, published = _write_database(con, settings.marts_db_path, bi, True, stamp, run_id, now)
        staged.append((bi_tmp, settings.marts_db_path))
        restricted_tmp, more = _write_database(con, settings.restricted_db_path, restricted, False, stamp, run_id, now)
        staged.append((restricted_tmp, settings.restricted_db_path))
        staged += _parquet_copies(con, bi_tmp, [p.name for p in published], settings.parquet_dir, stamp)
        published += more
    except BaseException:
        for part, _ in staged:
            part.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    # every gate passed and every file is complete: swap them in
    for part, final in staged:
        os.replace(part, final)
    return published
