"""Publishing: snapshot the audited tables as Parquet and swap in serving databases of views over them.

Every published table is a list of immutable, content-addressed Parquet files (snapshots.py): a
table that did not change costs one hash scan and no write, and the journey is cut by month, so a
daily run rewrites the months that changed. The serving databases hold only views over those files.
A new serving file is written beside the old one and renamed over it (an atomic rename on one
filesystem): a BI tool that has the old file open keeps reading the old complete version (its files
are kept until the publication after), the next connection sees the new complete version, never a
mix. People's data never reaches the BI database: its tables drop every `pii_*` column, and the
files of tables with personal data live under serving/restricted/, apart from the BI files.

Before anything is swapped in, two last gates (quality.md): the volume guard (no table loses more
than a set share of its rows against the last published version, unless allowed) and the count
reconciliation (every published table holds exactly the rows that were built).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration import snapshots
from orchestration.settings import Settings
from orchestration.sql import ident, literal
from orchestration.warehouse import model_schema

PII_PREFIX = "pii_"
# model -> (its description, {column: description}): the dbt YAML's, as comments in the serving files
Docs = dict[str, tuple[str, dict[str, str]]]


class PublishBlocked(Exception):
    """A gate failed: nothing was published and the last good version stays in place."""


@dataclass(frozen=True)
class PublishedTable:
    database: str  # bi / restricted
    name: str
    rows: int


def _source_relation(con, model: str) -> str:
    """Fully qualified name of a dbt model in the working database (dbt puts it in <schema>)."""
    try:
        return f"wh.{ident(model_schema(con, model, 'wh'))}.{ident(model)}"
    except LookupError as missing:
        raise PublishBlocked(f"cannot publish {model}: {missing}") from None


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


def _write_snapshots(
    con,
    tables: dict[str, str],
    drop_pii: bool,
    months: dict[str, str],
    bi_dir: Path,
    restricted_dir: Path,
    bi_models: set[str],
) -> tuple[dict[str, snapshots.Snapshot], list[PublishedTable]]:
    """A snapshot of every table. Only what the BI database may show goes under bi_dir (a BI table
    without personal data is shared by both databases); the rest under restricted_dir."""
    out, published = {}, []
    for model, relation in tables.items():
        cols = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
        has_pii = any(c.startswith(PII_PREFIX) for c in cols)
        keep = [c for c in cols if not (drop_pii and c.startswith(PII_PREFIX))]
        select = f"select {', '.join(ident(c) for c in keep)} from {relation}"
        target = bi_dir if drop_pii or (model in bi_models and not has_pii) else restricted_dir
        snap = snapshots.write_snapshot(con, model, select, keep, target, months.get(model))
        built = _count(con, relation)
        copied = con.execute(f"select count(*) from ({snapshots.view_sql(snap)})").fetchone()[0]
        if built != copied:
            raise PublishBlocked(f"count reconciliation on {model}: {built:,} rows built, {copied:,} copied")
        out[model] = snap
        published.append(PublishedTable("bi" if drop_pii else "restricted", model, copied))
    return out, published


def _write_database(target: Path, views: dict[str, snapshots.Snapshot], stamp: str, docs: Docs) -> Path:
    """A new serving file of views over the snapshots, beside the old one; the caller swaps it in."""
    tmp = target.with_name(f".{target.name}.{stamp}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        for name, snap in views.items():
            con.execute(f"create view main.{ident(name)} as {snapshots.view_sql(snap)}")
            _comment(con, name, *docs.get(name, ("", {})))
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    return tmp


def _comment(con, view: str, description: str, columns: dict[str, str]) -> None:
    """The model's and its columns' dbt descriptions as comments: what a BI tool shows beside a name."""
    if description:
        con.execute(f"comment on view main.{ident(view)} is {literal(description)}")
    present = {r[0] for r in con.execute(f"describe main.{ident(view)}").fetchall()}
    for column, text in columns.items():
        if text and column in present:
            con.execute(f"comment on column main.{ident(view)}.{ident(column)} is {literal(text)}")


def _files_of(manifest: Path) -> set[Path]:
    if not manifest.exists():
        return set()
    return {Path(f).resolve() for f in json.loads(manifest.read_text())}


def publish(
    settings: Settings,
    bi_models: list[str],
    restricted_models: list[str],
    months: dict[str, str] | None = None,
    docs: Docs | None = None,
) -> list[PublishedTable]:
    """Gate, snapshot and swap in the published tables; `months`: table -> timestamp column to cut by month."""
    bi_dir, restricted_dir = settings.parquet_dir, settings.serving_dir / "restricted" / "parquet"
    bi_dir.mkdir(parents=True, exist_ok=True)
    restricted_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    # an in-memory session reading the working database and writing the snapshots
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
        bi_snaps, published = _write_snapshots(con, bi, True, months or {}, bi_dir, restricted_dir, set(bi))
        restricted_snaps, more = _write_snapshots(con, restricted, False, months or {}, bi_dir, restricted_dir, set(bi))
        published += more
        staged.append((_write_database(settings.marts_db_path, bi_snaps, stamp, docs or {}), settings.marts_db_path))
        staged.append(
            (
                _write_database(settings.restricted_db_path, restricted_snaps, stamp, docs or {}),
                settings.restricted_db_path,
            )
        )
    except BaseException:
        for part, _ in staged:
            part.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    # every gate passed and every file is complete: swap them in
    for part, final in staged:
        os.replace(part, final)
    # keep the files of this publication and of the one before (a reader may still have it open)
    manifest, previous = settings.serving_dir / "published.json", settings.serving_dir / "published.previous.json"
    if manifest.exists():
        os.replace(manifest, previous)
    files = sorted({str(f) for snap in (*bi_snaps.values(), *restricted_snaps.values()) for f in snap.files})
    tmp = manifest.with_name(".published.json.tmp")
    tmp.write_text(json.dumps(files, indent=1))
    os.replace(tmp, manifest)
    snapshots.sweep([bi_dir, restricted_dir], _files_of(manifest) | _files_of(previous))
    return published
