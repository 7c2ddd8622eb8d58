"""The main job on the demo landing zone, through the real CLI: loaded, resolved, published, repeatable."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.settings import DEMO_LANDING_DIR, Settings
from tests.conftest import query


def cx360(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("cx360")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CX360_", "DAGSTER_"))}
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def delivered_rows(path: Path) -> int:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1
    if path.suffix == ".jsonl":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return pq.read_metadata(path).num_rows


def table_digest(db: Path) -> dict[str, str]:
    """Content hash of every table, independent of row order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for (name,) in con.execute("select table_name from information_schema.tables order by 1").fetchall():
            rows = sorted(repr(r) for r in con.execute(f'select * from "{name}"').fetchall())
            out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo")
    first = cx360("run", "--landing", str(DEMO_LANDING_DIR), "--warehouse", "wh", cwd=workdir)
    assert first.returncode == 0, first.stdout + first.stderr
    settings = Settings.from_env(landing_dir=DEMO_LANDING_DIR, warehouse_dir=workdir / "wh")
    return settings, first


def test_run_reports_what_it_loaded_resolved_and_published(demo):
    settings, first = demo
    out = first.stdout
    for words in (
        "Batches loaded",
        "Loaded this run",
        "Identity resolution",
        "Published",
        str(settings.marts_db_path),
    ):
        assert words in out, out
    assert settings.marts_db_path.exists() and settings.restricted_db_path.exists()
    # the journey is published as one Parquet file per month (2026-05 to 2026-10)
    months = sorted(p.name[:7] for p in (settings.parquet_dir / "fct_customer_journey").glob("*.parquet"))
    assert months == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


def test_every_delivered_row_is_loaded_or_quarantined(demo):
    settings, _ = demo
    batches = query(
        settings.duckdb_path,
        "select source, entity, file_name, status, rows_read, rows_loaded, rows_quarantined from ops.load_batches",
    )
    files = sorted(p for p in DEMO_LANDING_DIR.rglob("*") if p.is_file())
    assert len(batches) == len(files)
    for source, entity, file_name, status, read, loaded, quarantined in batches:
        assert read == loaded + quarantined
        if status != "duplicate":
            assert read == delivered_rows(DEMO_LANDING_DIR / source / entity / file_name), file_name
    quarantined_rows = query(settings.duckdb_path, "select count(*) from ops.quarantine where row_number is not null")
    assert quarantined_rows[0][0] == sum(b[6] for b in batches if b[3] == "loaded") > 0
    raw_total = sum(
        query(settings.duckdb_path, f'select count(*) from raw."{s}__{e}"')[0][0]
        for s, e in {(b[0], b[1]) for b in batches}
    )
    assert raw_total == sum(b[5] for b in batches)


def test_the_bi_database_holds_no_personal_data(demo):
    settings, _ = demo
    con = duckdb.connect(str(settings.marts_db_path), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall()
        assert not [c for _, c in columns if c.startswith("pii_") or "email" in c or "phone" in c]
        texts = set()
        for table, column in columns:
            texts |= {v for (v,) in con.execute(f'select distinct "{column}" from "{table}"').fetchall() if v}
    finally:
        con.close()
    # every e-mail, phone, name and handle delivered by any system, as loaded into the raw zone
    personal = set()
    for table, column in query(
        settings.duckdb_path,
        """
        select table_name, column_name from information_schema.columns
        where table_schema = 'raw' and regexp_matches(column_name, 'email|phone|name|handle')
            and column_name not in ('campaign_name', '_file_name')
    """,
    ):
        personal |= {
            v.strip()
            for (v,) in query(settings.duckdb_path, f'select distinct "{column}" from raw."{table}"')
            if v and len(v.strip()) > 3
        }
    assert len(personal) > 500
    lowered = [p.lower() for p in personal]
    leaked = {t for t in texts if any(p in t.lower() for p in lowered)}
    assert not leaked, sorted(leaked)[:10]


def test_a_second_run_loads_nothing_and_publishes_identical_tables_to_an_open_reader(demo):
    settings, _ = demo
    before_bi, before_restricted = (
        table_digest(settings.marts_db_path),
        table_digest(settings.restricted_db_path),
    )
    files_before = set(json.loads((settings.serving_dir / "published.json").read_text()))
    reader = duckdb.connect(str(settings.marts_db_path), read_only=True)  # a BI tool holding the file open
    old_rows = reader.execute("select count(*) from fct_customer_journey").fetchone()
    second = cx360(
        "run",
        "--landing",
        str(DEMO_LANDING_DIR),
        "--warehouse",
        str(settings.warehouse_dir),
        cwd=settings.warehouse_dir.parent,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Batches loaded 0, duplicate 0, rejected 0" in second.stdout
    assert reader.execute("select count(*) from fct_customer_journey").fetchone() == old_rows
    reader.close()
    after_bi = table_digest(settings.marts_db_path)
    # mart_data_trust reports on each run itself (run id, time, checks): everything else is identical
    assert {k: v for k, v in after_bi.items() if k != "mart_data_trust"} == {
        k: v for k, v in before_bi.items() if k != "mart_data_trust"
    }
    assert after_bi.keys() == before_bi.keys()
    assert table_digest(settings.restricted_db_path) == before_restricted
    # nothing changed, so no snapshot was rewritten: only this run's mart_data_trust is a new file
    files_after = set(json.loads((settings.serving_dir / "published.json").read_text()))
    assert {Path(f).parent.name for f in files_after ^ files_before} == {"mart_data_trust"}
    runs = query(settings.duckdb_path, "select count(distinct run_id) from ops.publications")
    assert runs == [(2,)]


def test_summary_counts_match_the_warehouse(demo):
    settings, first = demo
    loaded = query(settings.duckdb_path, "select count(*) from ops.load_batches where status = 'loaded'")[0][0]
    assert f"Batches loaded {loaded}," in first.stdout
