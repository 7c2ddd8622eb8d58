"""Publishing: copy the audited tables into the serving databases and swap them in atomically.

A new serving file is written beside the old one and renamed over it (an atomic rename on one
filesystem): a BI tool that has the old file open keeps reading the old complete version, the
next connection sees the new complete version, never a mix. Parquet copies follow the same rule
per file. People's data never reaches the BI database: its tables drop every `pii_*` column,
and the contact-holding models are published to the restricted database only.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.settings import Settings
from orchestration.sql import ident, literal

PII_PREFIX = "pii_"


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
        raise RuntimeError(
            f"cannot publish {model}: expected it in one schema of the warehouse, found {found}"
        )
    return f"wh.{ident(rows[0][0])}.{ident(model)}"


def _columns(con, relation: str, drop_pii: bool) -> str:
    cols = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
    keep = [c for c in cols if not (drop_pii and c.startswith(PII_PREFIX))]
    return ", ".join(ident(c) for c in keep)


def _write_database(
    con, target: Path, models: list[str], drop_pii: bool, parquet_dir: Path | None, stamp: str
) -> list[PublishedTable]:
    tmp = target.with_name(f".{target.name}.{stamp}.tmp")
    tmp.unlink(missing_ok=True)
    con.execute(f"attach {literal(str(tmp))} as serving")
    published = []
    staged_parquet: list[tuple[Path, Path]] = []
    try:
        for model in models:
            relation = _source_relation(con, model)
            cols = _columns(con, relation, drop_pii)
            con.execute(f"create table serving.main.{ident(model)} as select {cols} from {relation}")
            rows = con.execute(f"select count(*) from serving.main.{ident(model)}").fetchone()[0]
            published.append(PublishedTable("bi" if drop_pii else "restricted", model, rows))
            if parquet_dir is not None:
                final = parquet_dir / f"{model}.parquet"
                part = parquet_dir / f".{model}.parquet.{stamp}.tmp"
                con.execute(
                    f"copy (select * from serving.main.{ident(model)}) to {literal(str(part))} "
                    "(format parquet, compression zstd)"
                )
                staged_parquet.append((part, final))
        con.execute("detach serving")
    except BaseException:
        con.execute("detach database if exists serving")
        tmp.unlink(missing_ok=True)
        for part, _ in staged_parquet:
            part.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    for part, final in staged_parquet:
        os.replace(part, final)
    return published


def publish(settings: Settings, bi_models: list[str], restricted_models: list[str]) -> list[PublishedTable]:
    settings.serving_dir.mkdir(parents=True, exist_ok=True)
    settings.parquet_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    # an in-memory session reading the working database and writing the new serving files
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(str(settings.duckdb_path))} as wh (read_only)")
        published = _write_database(con, settings.marts_db_path, bi_models, True, settings.parquet_dir, stamp)
        published += _write_database(con, settings.restricted_db_path, restricted_models, False, None, stamp)
    finally:
        con.close()
    return published
