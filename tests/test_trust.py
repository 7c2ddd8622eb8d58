"""Write, audit, publish: what fails a gate publishes nothing, and the last good version stays."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest

from orchestration.status import read_status
from tests.conftest import query, write_landing
from tests.landings import JOURNEY_LANDING as LANDING
from tests.pipeline import build


def fingerprint(settings) -> dict[str, str]:
    """Bytes of every serving file: a blocked run must leave them exactly as they were."""
    files = sorted(p for p in settings.serving_dir.rglob("*") if p.is_file())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("trust")
    landing = write_landing(root / "landing", LANDING)
    settings, outcome = build(landing, root / "warehouse")
    assert outcome.success, outcome.failures
    return landing, settings


def test_a_rejected_batch_of_a_required_entity_blocks_publishing(published):
    landing, settings = published
    before = fingerprint(settings)
    write_landing(landing, {"crm/customers/2026-02-01.csv": "customer_id,email\nC9,x@y.z\n"})
    s, outcome = build(landing, settings.warehouse_dir)
    assert not outcome.success
    text = "\n".join(outcome.failures)
    assert "check no_rejected_batch on raw/crm/customers failed" in text
    assert "2026-02-01.csv: required column 'created_at', 'updated_at' is missing" in text
    assert fingerprint(settings) == before
    status = read_status(settings, stale_hours=36)
    assert not status.last_run_published and status.last_run_failures == outcome.failures
    assert any("crm/customers/2026-02-01.csv" in f for f, _ in status.rejected)


@pytest.fixture(scope="module")
def second_delivery(published):
    """A delivery holding a broken survey export and a corrected CRM record, built with rejected
    required batches as warnings (and dbt on one thread): one build for the tests below."""
    landing, settings = published
    write_landing(
        landing,
        {
            "support/surveys/broken.csv": "response_id\nR9\n",
            "crm/customers/2026-03-01.csv": (
                "customer_id,email,country,segment,created_at,updated_at\n"
                "C1,anna@example.com,PL,enterprise,2025-12-01,2026-03-01\n"
            ),
        },
    )
    s, outcome = build(landing, settings.warehouse_dir, rejected_required_batch_blocks=False, dbt_threads=1)
    return s, outcome


def test_a_setting_makes_a_rejected_required_batch_a_warning(second_delivery):
    settings, outcome = second_delivery
    assert outcome.success, outcome.failures
    warned = query(
        settings.duckdb_path,
        "select passed, severity from ops.check_results where run_id = ? "
        "and check_name = 'no_rejected_batch' and table_name = 'surveys'",
        [outcome.run_id],
    )
    assert warned == [(False, "WARN")]


def test_dbt_builds_with_the_configured_threads(second_delivery):
    settings, _ = second_delivery
    run = json.loads((settings.dbt_target_dir / "run_results.json").read_text())
    assert run["args"]["threads"] == 1


def test_a_later_batch_correcting_a_record_wins_by_updated_at(second_delivery):
    settings, outcome = second_delivery
    assert outcome.success, outcome.failures
    assert query(settings.marts_db_path, "select segment from dim_customer where crm_customer_id = 'C1'") == [
        ("enterprise",)
    ]


def test_the_volume_guard_blocks_a_collapse_unless_allowed(published):
    landing, settings = published
    before = fingerprint(settings)
    _, blocked = build(landing, settings.warehouse_dir, as_of="2026-01-02")
    assert not blocked.success
    assert "volume guard on fct_customer_journey: 12 rows last published, 3 now (-75%" in "\n".join(blocked.failures)
    assert fingerprint(settings) == before
    _, allowed = build(landing, settings.warehouse_dir, as_of="2026-01-02", allow_volume_drop=True)
    assert allowed.success, allowed.failures
    assert query(settings.marts_db_path, "select count(*) from fct_customer_journey") == [(3,)]


def test_every_run_keeps_its_check_results_and_publishes_data_trust(published):
    _, settings = published
    runs = query(settings.duckdb_path, "select run_id, published from ops.runs order by finished_at")
    assert len(runs) >= 2
    per_run = dict(query(settings.duckdb_path, "select run_id, count(*) from ops.check_results group by 1"))
    assert all(per_run.get(run_id, 0) > 0 for run_id, _ in runs)
    trust = query(
        settings.marts_db_path,
        """
        select table_name, row_count, checks_passed, checks_failed, crm_last_delivery_at is not null,
            support_crm_matched, support_records, support_crm_match_rate
        from mart_data_trust order by table_name
    """,
    )
    by_table = {r[0]: r for r in trust}
    fct = by_table["fct_customer_journey"]
    assert fct[1] == query(settings.marts_db_path, "select count(*) from fct_customer_journey")[0][0]
    assert fct[2] > 0 and fct[3] == 0 and fct[4]
    # support records: tickets T1 and surveys S1, S2, all with crm_customer_id C1 -> 3 of 3 matched
    assert fct[5:] == (3, 3, 1.0)
    assert "mart_data_trust" in by_table


def test_a_failing_model_check_blocks_publishing_and_names_table_check_and_rows(published):
    """Bad data that got past ingestion (written straight into the raw zone) is caught by the audit.

    Last of the module: the forged batch stays in the append-only raw zone (only a full rebuild
    without it would forget it, another minute of build)."""
    landing, settings = published
    before = fingerprint(settings)
    forged = settings.raw_dir / "support" / "surveys" / "99999999-forged.parquet"
    con = duckdb.connect()
    # as a batch loaded after every other (the incremental models read only batches they have not seen)
    con.execute(f"""
        copy (select * replace ('S99' as response_id, 42::bigint as score, 999999::bigint as _batch_seq)
              from read_parquet('{settings.raw_dir}/support/surveys/*.parquet') limit 1)
        to '{forged}' (format parquet)
    """)
    con.close()
    _, outcome = build(landing, settings.warehouse_dir)
    assert not outcome.success
    text = "\n".join(outcome.failures)
    assert "on marts/fct_customer_journey failed" in text and "experience_score" in text
    assert "sample failing rows" in text and "420" in text  # NPS 42 x 10
    assert fingerprint(settings) == before
