"""Publishing: the last gates, then a new publication of the audited tables, switched in as a whole.

Every published table is a list of immutable, content-addressed Parquet files (snapshots.py): a
table that did not change costs one hash scan and no write (the new publication links the previous
one's file), and the journey is cut by month, so a daily run rewrites the months that changed. The
serving databases hold the same rows as tables (serving_db.py), patched from the previous
publication's file; they are written from the working database as soon as the hashes are known,
while the Parquet files are written. A table can be published in its serving database only
(`meta: publish_files: false`): hashed, with no file. The whole publication is staged in its own
folder and switched in by one pointer (publication.py): a BI tool sees the old publication or the
new one, never a mix, and one that has the old file open keeps reading it until the publish after.
People's data never reaches the BI database: its tables drop every `pii_*` column, and the files of
tables with personal data live under restricted/, apart from the BI files.

Before anything is switched in, two last gates (quality.md): the volume guard (no table loses more
than a set share of its rows against the last published version, unless allowed) and the count
reconciliation (every published table holds exactly the rows that were built).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration import crashpoints, serving_db, snapshots
from orchestration import publication as layout
from orchestration.settings import Settings
from orchestration.sql import ident, literal
from orchestration.warehouse import in_memory, model_schema, table_exists

PII_PREFIX = "pii_"
# a model's build bookkeeping (when an incremental model last rewrote a row): not a published fact,
# and it differs between an incremental build and a full one that hold the same rows
BOOKKEEPING_PREFIX = "_"
DATABASES = {"bi": layout.BI_DB, "restricted": layout.RESTRICTED_DB}
# the run's DuckDB memory limit shared by the publish's three sessions: a quarter for each serving
# database's writes (one thread each, patching or copying), half for the snapshots (at a million
# customers, three sessions at DuckDB's default took the day's run over 6 GiB)
SERVING_MEMORY_SHARE = 0.25
BI_PARQUET, RESTRICTED_PARQUET = Path("parquet"), Path("restricted") / "parquet"
Docs = serving_db.Docs


class PublishBlocked(Exception):
    """A gate failed: nothing was published and the last good version stays in place."""


@dataclass(frozen=True)
class PublishedTable:
    database: str  # bi / restricted
    name: str
    rows: int
    # what this publication wrote for it (a publication read back from its manifest: unknown)
    files: int = 0  # its Parquet files
    files_written: int = 0  # of which written by this publication (the others linked)
    serving_table: str = ""  # how its serving table was written (serving_db: unchanged, patched...)
    serving_why: str = ""  # a table meant to be patched by row and written otherwise: why
    # the seconds its Parquet files (hashed, linked or written, counted) and its serving table took;
    # the serving databases are written beside the next tables' files, so these overlap
    parquet_seconds: float = 0.0
    serving_seconds: float = 0.0

    def describe(self) -> str:
        """`bi.fct_customer_journey: 13,702,113 rows; Parquet 1 of 7 files written (9.2 s); serving
        table patched by row (3.1 s)`"""
        # a table with no file at all is published without any (an empty table has one)
        files = f"{self.files_written} of {self.files} files written" if self.files else "no files, hashed"
        return (
            f"{self.database}.{self.name}: {self.rows:,} rows; Parquet {files} ({self.parquet_seconds:.1f} s); "
            f"serving table {self.serving_table} ({self.serving_seconds:.1f} s)"
            + (f": {self.serving_why}" if self.serving_why else "")
        )


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
    if not table_exists(con, "ops", "publications", "wh"):
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


def audit_gate(con, built: dict[str, int]) -> list[str]:
    """Why these tables cannot be published: no run audited them (every blocking check passed, then
    ops.table_counts) since the models were last rebuilt, or they do not hold the rows it counted.
    A run publishes right after its own audit; a publish started alone, from the Dagster UI, after a
    build that failed its checks or was killed, stops here."""
    audit = con.execute(
        "select run_id, audited_at from wh.ops.table_counts order by audited_at desc limit 1"
    ).fetchone()
    build = None  # a warehouse no build of this cx360 has touched records none
    if table_exists(con, "ops", "builds", "wh"):
        build = con.execute("select run_id, started_at from wh.ops.builds order by started_at desc limit 1").fetchone()
    again = "run the whole job (cx360 run) to check them before they are published"
    if audit is None:
        return [f"no run has checked the built tables yet: {again}"]
    if build is not None and build[1] > audit[1]:
        return [
            f"the models were rebuilt by run {build[0]} at {build[1]:%Y-%m-%d %H:%M:%S} UTC and no run has "
            f"checked them since (the last audit: run {audit[0]}): {again}"
        ]
    counted = dict(
        con.execute("select table_name, row_count from wh.ops.table_counts where run_id = ?", [audit[0]]).fetchall()
    )
    return [
        f"count reconciliation on {name}: {counted[name]:,} rows audited by run {audit[0]}, {rows:,} now: {again}"
        for name, rows in sorted(built.items())
        if name in counted and counted[name] != rows
    ]


@dataclass(frozen=True)
class _Hashed:
    snap: snapshots.Snapshot  # hashed by part, no file yet
    parquet: Path  # where its files go: BI_PARQUET or RESTRICTED_PARQUET
    seconds: float


def _hash_tables(
    con, tables: dict[str, str], drop_pii: bool, months: dict[str, str], bi_models: set[str]
) -> dict[str, _Hashed]:
    """Every table of a database hashed by part: what its serving table is written from. Only what
    the BI database may show goes under parquet/ (a BI table without personal data is shared by
    both databases); the rest under restricted/parquet/."""
    out = {}
    for model, relation in tables.items():
        started = time.perf_counter()
        cols = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
        has_pii = any(c.startswith(PII_PREFIX) for c in cols)
        keep = [c for c in cols if not c.startswith(BOOKKEEPING_PREFIX) and not (drop_pii and c.startswith(PII_PREFIX))]
        select = f"select {', '.join(ident(c) for c in keep)} from {relation}"
        parquet = BI_PARQUET if drop_pii or (model in bi_models and not has_pii) else RESTRICTED_PARQUET
        snap = snapshots.hash_parts(con, model, select, keep, months.get(model))
        out[model] = _Hashed(snap, parquet, time.perf_counter() - started)
    return out


def _write_files(
    con,
    database: str,
    hashed: dict[str, _Hashed],
    months: dict[str, str],
    folder: Path,
    previous: Path | None,
    built: dict[str, int],
    without_files: set[str],
) -> tuple[dict[str, snapshots.Snapshot], list[PublishedTable]]:
    """The Parquet files of every hashed table, counted against the build (the tables published in
    their serving database only, `without_files`, have none: their serving table is counted)."""
    out, published = {}, []
    for model, h in hashed.items():
        started = time.perf_counter()
        snap = h.snap
        if model not in without_files:
            reuse = previous / h.parquet if previous else None
            snap = snapshots.write_files(con, snap, folder / h.parquet, months.get(model), reuse)
        copied = (
            con.execute(f"select count(*) from ({snapshots.view_sql(snap)})").fetchone()[0] if snap.files else snap.rows
        )
        if built[model] != copied:
            raise PublishBlocked(f"count reconciliation on {model}: {built[model]:,} rows built, {copied:,} copied")
        out[model] = snap
        published.append(
            PublishedTable(
                database,
                model,
                copied,
                files=len(snap.files),
                files_written=snap.written,
                parquet_seconds=h.seconds + time.perf_counter() - started,
            )
        )
    return out, published


def _previous_database(previous: Path | None, manifest: dict | None, database: str) -> tuple[Path, dict] | None:
    """The previous publication's file of `database` and the parts each of its tables held."""
    if previous is None or not manifest or manifest.get("layout") != layout.LAYOUT:
        return None
    # what each table held: its parts (a publication before cx360 recorded them: its files' names)
    parts = {
        t["name"]: t.get("parts") or [Path(f).name for f in t["files"]]
        for t in manifest["tables"]
        if t["database"] == database
    }
    return previous / DATABASES[database], parts


def _built_through(con, relations: dict[str, str], patch_specs: dict[str, dict[str, str]]) -> dict[str, str]:
    """Per table patched by row, the latest build stamp it holds: the next publication patches in
    the rows stamped later."""
    out = {}
    for model, spec in patch_specs.items():
        if model in relations:
            latest = con.execute(f"select max({ident(spec['built'])}) from {relations[model]}").fetchone()[0]
            if latest is not None:
                out[model] = latest.isoformat()
    return out


def _row_patches(
    relations: dict[str, str],
    columns: dict[str, list[str]],
    patch_specs: dict[str, dict[str, str]],
    previous_manifest: dict | None,
) -> dict[str, serving_db.RowPatch]:
    """A row patch for each table patched by row: the rows stamped after the build stamp the
    previous publication recorded (none to patch from without one)."""
    recorded = {t["name"]: t.get("built_through") for t in (previous_manifest or {}).get("tables", [])}
    patches = {}
    for model, spec in patch_specs.items():
        if model not in relations:
            continue
        changed = None
        if recorded.get(model):
            changed = (
                f"select {', '.join(ident(c) for c in columns[model])} from {relations[model]} "
                f"where {ident(spec['built'])} > cast({literal(recorded[model])} as timestamp)"
            )
        patches[model] = serving_db.RowPatch(changed, spec["key"], spec.get("group"))
    return patches


def _manifest(publication_id, run_id, now, previous, months, published, snaps, folder, built_through) -> dict:
    return {
        "publication": publication_id,
        "run_id": run_id,
        "published_at": now.isoformat(),
        "previous": previous.name if previous else None,
        "databases": DATABASES,
        "tables": [
            {
                "database": p.database,
                "name": p.name,
                "rows": p.rows,
                "month_column": months.get(p.name),
                "built_through": built_through.get(p.name),
                "serving_table": p.serving_table,
                "serving_table_why": p.serving_why,
                "files": [str(f.relative_to(folder)) for f in snaps[p.database][p.name].files],
                "parts": list(snaps[p.database][p.name].parts),
                "files_written": p.files_written,
                "parquet_seconds": round(p.parquet_seconds, 3),
                "serving_seconds": round(p.serving_seconds, 3),
            }
            for p in published
        ],
    }


class _ServingWrites:
    """The serving databases, each written on its own connection and thread as soon as its tables
    are hashed: a table patched by row is written with one thread (serving_db._one_thread), so the
    serving databases are written side by side while the Parquet files are. Leaving the block on an
    error interrupts the writes still running."""

    def __init__(self, settings: Settings, folder: Path, months, docs, reuse, previous_manifest):
        self.settings, self.folder, self.months, self.docs = settings, folder, months, docs
        self.reuse, self.previous_manifest = reuse, previous_manifest
        self._pool = ThreadPoolExecutor(len(DATABASES))
        self._cons: dict[str, duckdb.DuckDBPyConnection] = {}
        self._futures: dict[str, Future] = {}

    def submit(self, database: str, tables: dict[str, snapshots.Snapshot], patches) -> None:
        con = self._cons[database] = in_memory(self.settings, SERVING_MEMORY_SHARE)
        before = _previous_database(self.reuse, self.previous_manifest, database)
        self._futures[database] = self._pool.submit(
            serving_db.write,
            self.folder / DATABASES[database],
            tables,
            self.months,
            self.docs,
            self.settings.duckdb_path,
            before,
            patches,
            con,
        )

    def written(self, dashboard: Callable[[Path, Path], object] | None) -> dict[str, dict[str, serving_db.Written]]:
        """How each table of each database was written, once all are; the dashboard is built from
        the BI database while the restricted one is still being written."""
        written = {"bi": self._futures["bi"].result()}
        if dashboard is not None:
            dashboard(self.folder / layout.BI_DB, self.folder / layout.DASHBOARD)
        return {**written, **{database: f.result() for database, f in self._futures.items()}}

    def __enter__(self) -> _ServingWrites:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is not None:
            for con in self._cons.values():  # a cancelled or blocked publish does not wait for them
                con.interrupt()
        self._pool.shutdown(wait=True)
        for con in self._cons.values():
            con.close()


def publish(
    settings: Settings,
    run_id: str,
    bi_models: list[str],
    restricted_models: list[str],
    months: dict[str, str] | None = None,
    docs: Docs | None = None,
    dashboard: Callable[[Path, Path], object] | None = None,
    row_patched: dict[str, dict[str, str]] | None = None,
    without_files: set[str] | None = None,
) -> list[PublishedTable]:
    """Gate, snapshot and switch to a new publication; `months`: table -> timestamp column to cut by
    month; `dashboard(bi_database, out_dir)` builds the dashboard into the staged publication;
    `row_patched`: table -> {key, built, group} of the tables whose serving copies are patched by
    row (dbt_manifest.published_patches); `without_files`: the tables published in their serving
    database only, with no Parquet (dbt_manifest.published_without_files)."""
    months, docs, row_patched = months or {}, docs or {}, row_patched or {}
    serving = settings.serving_dir
    serving.mkdir(parents=True, exist_ok=True)
    layout.sweep(serving)  # what a killed publish left behind
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    publication_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    previous = layout.current_folder(serving)
    previous_manifest = layout.read_manifest(previous) if previous else None
    reuse = previous if settings.reuse_publication else None  # an erasure writes everything afresh
    folder = layout.staging_folder(serving, publication_id)
    try:
        # an in-memory session reading the working database and writing the snapshots
        con = in_memory(settings, 1 - len(DATABASES) * SERVING_MEMORY_SHARE)
        with (
            contextlib.closing(con),
            _ServingWrites(settings, folder, months, docs, reuse, previous_manifest) as serving_writes,
        ):
            con.execute(f"attach {literal(str(settings.duckdb_path))} as wh (read_only)")
            relations = {
                database: {m: _source_relation(con, m) for m in models}
                for database, models in (("bi", bi_models), ("restricted", restricted_models))
            }
            built = {m: _count(con, r) for tables in relations.values() for m, r in tables.items()}
            problems = audit_gate(con, built)
            if problems:
                raise PublishBlocked("; ".join(problems))
            if not settings.allow_volume_drop:
                problems = volume_guard(con, settings, {m: built[m] for m in relations["bi"]})
                if problems:
                    raise PublishBlocked("; ".join(problems) + " — rerun with --allow-volume-drop if it is expected")
            built_through = _built_through(con, {**relations["bi"], **relations["restricted"]}, row_patched)
            # a serving table is written from the working database once its table is hashed, so the
            # serving databases are written while the Parquet files are
            hashed: dict[str, dict[str, _Hashed]] = {}
            for database, tables in relations.items():
                hashed[database] = _hash_tables(con, tables, database == "bi", months, set(bi_models))
                columns = {m: h.snap.columns for m, h in hashed[database].items()}
                patches = _row_patches(tables, columns, row_patched, previous_manifest if reuse else None)
                serving_writes.submit(database, {m: h.snap for m, h in hashed[database].items()}, patches)
            snaps: dict[str, dict[str, snapshots.Snapshot]] = {}
            published: list[PublishedTable] = []
            for database in relations:
                snaps[database], more = _write_files(
                    con, database, hashed[database], months, folder, reuse, built, without_files or set()
                )
                published += more
            written = serving_writes.written(dashboard)
        published = [
            dataclasses.replace(
                p,
                serving_table=written[p.database][p.name].how,
                serving_why=written[p.database][p.name].why,
                serving_seconds=written[p.database][p.name].seconds,
            )
            for p in published
        ]
        layout.write_manifest(
            folder, _manifest(publication_id, run_id, now, previous, months, published, snaps, folder, built_through)
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    # every gate passed and every file is complete: the switch
    crashpoints.reached("publish:staged")
    layout.switch(serving, folder, publication_id)
    layout.sweep(serving)
    return published


def recorded_publication(settings: Settings) -> tuple[str, dt.datetime, list[PublishedTable]] | None:
    """The current publication as its manifest records it: (run, time, tables). A run killed after
    the switch and before writing ops.publications is recorded from this at the next start."""
    current = layout.current_folder(settings.serving_dir)
    if current is None:
        return None
    m = layout.read_manifest(current)
    tables = [
        PublishedTable(
            t["database"],
            t["name"],
            t["rows"],
            files=len(t["files"]),
            # what it cost: recorded since 2026-12-05
            files_written=t.get("files_written", 0),
            serving_table=t.get("serving_table", ""),
            serving_why=t.get("serving_table_why", ""),
            parquet_seconds=t.get("parquet_seconds", 0.0),
            serving_seconds=t.get("serving_seconds", 0.0),
        )
        for t in m["tables"]
    ]
    return m["run_id"], dt.datetime.fromisoformat(m["published_at"]), tables


def record_current(con, settings: Settings) -> None:
    """Record the current publication in ops.publications, once (the publish step does it; a run
    killed between the switch and this is recorded by the next start)."""
    current = recorded_publication(settings)
    if current is None:
        return
    run_id, at, tables = current
    if not con.execute("select count(*) from ops.publications where run_id = ?", [run_id]).fetchone()[0]:
        con.executemany(
            "insert into ops.publications values (?, ?, ?, ?, ?)",
            [[run_id, at, t.database, t.name, t.rows] for t in tables],
        )
