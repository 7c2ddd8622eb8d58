"""The main job on the demo landing zone, through the real CLI: loaded, resolved, published.

The shared build `demo_full` (tests/conftest.py): the demo, the journey and identity cases and two
more days of deliveries, in one `cx360 run`. That a run publishes exactly what a rebuild publishes,
and that an open reader keeps its version, is tested on the incremental run (test_incremental.py).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import query


def delivered_rows(path: Path) -> int:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1
    if path.suffix == ".jsonl":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return pq.read_metadata(path).num_rows


@pytest.fixture(scope="module")
def demo(demo_full):
    return demo_full


def test_run_reports_what_it_loaded_resolved_and_published(demo):
    settings, first = demo
    out = first
    for words in (
        "Batches loaded",
        "Loaded this run",
        "Identity resolution",
        "Published",
        str(settings.marts_db_path),
    ):
        assert words in out, out
    assert settings.marts_db_path.exists() and settings.restricted_db_path.exists()
    # the journey is published as one Parquet file per month: the hand-made cases' 2026-01 and
    # 2026-02, the demo's 2026-05 to 2026-10 and the two days of 2026-11
    months = sorted(p.name[:7] for p in (settings.parquet_dir / "fct_customer_journey").glob("*.parquet"))
    assert months == ["2026-01", "2026-02", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def test_every_delivered_row_is_loaded_or_quarantined(demo):
    settings, _ = demo
    batches = query(
        settings.duckdb_path,
        "select source, entity, file_name, status, rows_read, rows_loaded, rows_quarantined from ops.load_batches",
    )
    files = sorted(p for p in settings.landing_dir.rglob("*") if p.is_file())
    assert len(batches) == len(files)
    for source, entity, file_name, status, read, loaded, quarantined in batches:
        assert read == loaded + quarantined
        if status == "loaded":
            assert read == delivered_rows(settings.landing_dir / source / entity / file_name), file_name
    # the days' broken survey export: rejected whole, nothing of it loaded
    assert [(b[2], b[3], b[5]) for b in batches if b[3] == "rejected"] == [
        ("surveys_2026-11-02_broken.csv", "rejected", 0)
    ]
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


def test_summary_counts_match_the_warehouse(demo):
    settings, first = demo
    loaded = query(settings.duckdb_path, "select count(*) from ops.load_batches where status = 'loaded'")[0][0]
    assert f"Batches loaded {loaded}," in first


def test_the_dagster_ui_reads_the_runs_history_every_check_and_materialization(demo):
    """`cx360 run` writes its events through a storage that keeps connections open
    (orchestration/event_log.py); the UI opens the same files with Dagster's default storage."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    from orchestration.settings import PROJECT_ROOT

    settings, _ = demo
    ref = InstanceRef.from_dir(str(settings.dagster_dir), config_dir=str(PROJECT_ROOT))
    with dg.DagsterInstance.from_ref(ref) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"  # Dagster's own
        (run,) = instance.get_runs()
        assert run.is_success
        events = instance.all_logs(run.run_id)
        checks = [e for e in events if e.dagster_event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]
        planned = [e for e in events if e.dagster_event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED]
        assert len(checks) == len(planned) > 300  # every dbt test and GX suite, planned and evaluated
        trust = dg.AssetKey(["marts", "mart_data_trust"])
        assert instance.get_latest_materialization_event(trust).run_id == run.run_id  # the cross-run index


def test_the_publish_step_says_what_each_table_cost(demo):
    """A first publication writes every file and every serving table; the step's log says so per
    table, slowest first, and the manifest keeps the same figures."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    from orchestration import publication
    from orchestration.settings import PROJECT_ROOT

    settings, _ = demo
    manifest = publication.read_manifest(publication.current_folder(settings.serving_dir))
    journey = next(t for t in manifest["tables"] if (t["database"], t["name"]) == ("bi", "fct_customer_journey"))
    assert journey["files_written"] == len(journey["files"]) == 9  # a month each, all new
    assert journey["serving_table"] == "rewritten"  # no earlier serving database to patch
    assert journey["serving_table_why"] == "no previous publication's file holds it"
    assert journey["parquet_seconds"] > 0 and journey["serving_seconds"] > 0
    ref = InstanceRef.from_dir(str(settings.dagster_dir), config_dir=str(PROJECT_ROOT))
    with dg.DagsterInstance.from_ref(ref) as instance:
        (run,) = instance.get_runs()
        said = [e.user_message for e in instance.all_logs(run.run_id) if e.user_message.startswith("published ")]
    assert len(said) == len(manifest["tables"])
    assert (
        f"published bi.fct_customer_journey: {journey['rows']:,} rows; Parquet 9 of 9 files written "
        f"({journey['parquet_seconds']:.1f} s); serving table rewritten ({journey['serving_seconds']:.1f} s): "
        "no previous publication's file holds it"
    ) in said
    # slowest first (the figures shown are rounded to a tenth of a second each)
    cost = [sum(map(float, re.findall(r"\(([0-9.]+) s\)", m))) for m in said]
    assert all(a >= b - 0.1 for a, b in zip(cost, cost[1:], strict=False)), said
