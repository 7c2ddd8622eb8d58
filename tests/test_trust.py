"""Write, audit, publish: what fails a gate publishes nothing, and the last good version stays.

The shared build `no_contact` (tests/conftest.py): the journey's customer as a company without
e-mail addresses or delivery times delivers them. Runs a gate stops are made on copies of it, so
every test reads the build as it was made; the volume guard is tested on the publish step itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil

import duckdb
import pytest

from orchestration.dbt_manifest import descriptions, published_models, published_months
from orchestration.publish import PublishBlocked, publish
from orchestration.status import read_status
from tests.conftest import query, write_landing
from tests.pipeline import build, cx360, settings_for


def fingerprint(settings) -> dict[str, str]:
    """Bytes of every serving file: a blocked run must leave them exactly as they were."""
    files = sorted(p for p in settings.serving_dir.rglob("*") if p.is_file())
    return {str(p.relative_to(settings.serving_dir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def copy_of(no_contact, tmp_path):
    """The shared build's landing zone and warehouse, copied for a run that changes them."""
    settings, _ = no_contact
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(settings.landing_dir, landing)
    shutil.copytree(settings.warehouse_dir, warehouse, symlinks=True)
    return settings_for(landing, warehouse)


def test_a_zone_without_e_mails_and_delivery_times_publishes_every_mart_and_says_so(no_contact):
    settings, run_id = no_contact
    bi = query(settings.marts_db_path, "select table_name from information_schema.tables order by 1")
    assert [t for (t,) in bi] == published_models()["bi"]
    never = read_status(settings, stale_hours=36).never_filled
    assert "email" in never["crm/customers"] and "delivered_at" in never["sales/orders"]
    trust = query(settings.marts_db_path, "select distinct never_filled_columns from mart_data_trust")
    assert "crm/customers.email" in trust[0][0] and "sales/orders.delivered_at" in trust[0][0]
    warned = query(
        settings.duckdb_path,
        "select table_name, severity from ops.check_results where run_id = ? and check_name = 'columns_never_filled' "
        "and not passed order by 1",
        [run_id],
    )
    assert ("crm__customers", "WARN") in warned and ("sales__orders", "WARN") in warned


def test_every_bi_table_and_column_carries_its_dbt_description(no_contact):
    settings, _ = no_contact
    docs = descriptions()
    tables = dict(query(settings.marts_db_path, "select table_name, comment from duckdb_tables() where not internal"))
    assert tables and all(tables[name] == docs[name][0] != "" for name in tables)
    columns = query(
        settings.marts_db_path, "select table_name, column_name, comment from duckdb_columns() where not internal"
    )
    undocumented = [(t, c) for t, c, comment in columns if comment != (docs[t][1].get(c) or None)]
    assert not undocumented
    assert ("fct_customer_journey", "customer_key") not in undocumented
    assert any(t == "fct_customer_journey" and c == "customer_key" and comment for t, c, comment in columns)


def test_the_run_keeps_its_check_results_and_publishes_data_trust(no_contact):
    settings, run_id = no_contact
    assert query(settings.duckdb_path, "select run_id, published from ops.runs") == [(run_id, True)]
    assert query(settings.duckdb_path, "select count(*) > 0 from ops.check_results where run_id = ?", [run_id]) == [
        (True,)
    ]
    trust = query(
        settings.marts_db_path,
        """
        select table_name, row_count, run_id, checks_passed, checks_failed, crm_last_delivery_at is not null,
            support_crm_matched, support_records, support_crm_match_rate
        from mart_data_trust order by table_name
    """,
    )
    by_table = {r[0]: r for r in trust}
    assert set(by_table) == set(published_models()["bi"])
    fct = by_table["fct_customer_journey"]
    # the journey of tests/test_journey.py less the delivery, which has no time here
    assert fct[1] == query(settings.marts_db_path, "select count(*) from fct_customer_journey")[0][0] == 11
    assert fct[2] == run_id and fct[3] > 0 and fct[4] == 0 and fct[5]
    # support records: tickets JT1 and surveys JS1, JS2, all with crm_customer_id JC1 -> 3 of 3 matched
    assert fct[6:] == (3, 3, 1.0)
    assert by_table["mart_data_trust"][1] == len(by_table)


def test_a_rejected_batch_blocks_every_run_until_corrected_or_accepted(no_contact, tmp_path):
    settings = copy_of(no_contact, tmp_path)
    before = fingerprint(settings)
    assert any(name.endswith("/dashboard/index.html") for name in before)  # the dashboard stays too
    broken = {
        "crm/customers/2026-02-01.csv": "customer_id,email\nC9,x@y.z\n",
        "support/surveys/2026-02-01.csv": "x\n1\n",
    }
    write_landing(settings.landing_dir, broken)
    _, outcome = build(settings.landing_dir, settings.warehouse_dir)
    assert not outcome.success
    text = "\n".join(outcome.failures)
    assert "check no_rejected_batch on raw/crm__customers failed" in text
    assert "2026-02-01.csv: required column 'created_at', 'updated_at' is missing" in text
    assert fingerprint(settings) == before
    status = read_status(settings, stale_hours=36)
    assert not status.last_run_published and status.last_run_failures == outcome.failures
    assert {r.path for r in status.rejected if r.outstanding} == {f"{path}" for path in broken}
    # every run keeps its check results, the blocked one too
    per_run = dict(query(settings.duckdb_path, "select run_id, count(*) from ops.check_results group by 1"))
    assert len(per_run) == 2 and per_run[outcome.run_id] > 0

    # a plain rerun: the rejected files are known now, and still block, saying what to do
    _, rerun = build(settings.landing_dir, settings.warehouse_dir)
    assert not rerun.success and fingerprint(settings) == before
    text = "\n".join(rerun.failures)
    for path in broken:
        assert f"{path}: required column" in text
    assert "until a corrected delivery of crm/customers loads" in text
    assert "cx360 accept-rejected crm/customers/2026-02-01.csv --reason TEXT" in text

    # the CRM delivers a corrected file; the survey export is accepted as it is
    write_landing(
        settings.landing_dir,
        {"crm/customers/2026-02-02.csv": "customer_id,created_at,updated_at\nC9,2026-02-01,2026-02-01\n"},
    )
    args = ["--reason", "a test export, not a real one", "--by", "ana", "--warehouse", str(settings.warehouse_dir)]
    accepted = cx360("accept-rejected", "support/surveys/2026-02-01.csv", *args, cwd=tmp_path)
    assert accepted.returncode == 0 and "accepted support/surveys/2026-02-01.csv" in accepted.stdout, accepted
    _, unblocked = build(settings.landing_dir, settings.warehouse_dir)
    assert unblocked.success, unblocked.failures
    assert fingerprint(settings) != before
    gate = query(
        settings.duckdb_path,
        "select table_name, passed from ops.check_results where run_id = ? and check_name = 'no_rejected_batch' "
        "and table_name in ('crm__customers', 'support__surveys') order by 1",
        [unblocked.run_id],
    )
    assert gate == [("crm__customers", True), ("support__surveys", True)]
    shown = cx360("status", "--warehouse", str(settings.warehouse_dir), cwd=tmp_path).stdout
    assert "crm/customers/2026-02-01.csv: required column" in shown
    assert "corrected by crm/customers/2026-02-02.csv" in shown
    assert "accepted by ana at " in shown and "UTC: a test export, not a real one" in shown


def test_a_failing_model_check_blocks_publishing_and_names_table_check_and_rows(no_contact, tmp_path):
    """Bad data that got past ingestion (written straight into a loaded raw file) is caught by the audit."""
    settings = copy_of(no_contact, tmp_path)
    before = fingerprint(settings)
    loaded = sorted((settings.raw_dir / "support" / "surveys").glob("*.parquet"))[0]
    con = duckdb.connect()
    # the file's rows and a forged one, as if loaded after every other (the incremental models read
    # only rows of batches they have not seen)
    con.execute(f"""
        copy (from read_parquet('{loaded}') union all
              select * replace ('JS99' as response_id, 42::bigint as score, 999999::bigint as _batch_seq)
              from (from read_parquet('{loaded}') limit 1))
        to '{loaded}.new' (format parquet)
    """)
    con.close()
    loaded.with_name(loaded.name + ".new").replace(loaded)
    _, outcome = build(settings.landing_dir, settings.warehouse_dir, dbt_threads=2)
    assert not outcome.success
    text = "\n".join(outcome.failures)
    assert "on marts/fct_customer_journey failed" in text and "experience_score" in text
    # the run's setting reached dbt (CX360_DBT_THREADS)
    assert json.loads((settings.dbt_target_dir / "run_results.json").read_text())["args"]["threads"] == 2
    assert "sample failing rows" in text and "420" in text  # NPS 42 x 10
    assert fingerprint(settings) == before


def test_the_volume_guard_blocks_a_collapse_unless_allowed(no_contact, tmp_path):
    """The publish step itself, on a copy whose last publication had four times the journey."""
    settings = copy_of(no_contact, tmp_path)
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
    con = duckdb.connect(str(settings.duckdb_path))
    con.execute("insert into ops.publications values ('earlier', ?, 'bi', 'fct_customer_journey', 48)", [later])
    con.execute("drop table ops.builds")  # as a warehouse an earlier cx360 built: it still publishes
    con.close()
    before = fingerprint(settings)
    models = published_models()
    with pytest.raises(PublishBlocked) as blocked:
        publish(settings, "blocked", models["bi"], models["restricted"], published_months())
    assert "volume guard on fct_customer_journey: 48 rows last published, 11 now (-77%" in str(blocked.value)
    assert "--allow-volume-drop" in str(blocked.value)
    assert fingerprint(settings) == before
    published = publish(
        settings.with_(allow_volume_drop=True), "allowed", models["bi"], models["restricted"], published_months()
    )
    assert ("bi", "fct_customer_journey", 11) in [(p.database, p.name, p.rows) for p in published]
    assert fingerprint(settings) != before


def test_the_publish_step_refuses_tables_changed_since_a_run_checked_them(no_contact, tmp_path):
    """The publish step alone (a Dagster UI run of `published_marts`) publishes only what the last
    audit counted, and nothing once the models were rebuilt after it."""
    settings = copy_of(no_contact, tmp_path)
    _, audited_by = no_contact
    before = fingerprint(settings)
    models = published_models()
    con = duckdb.connect(str(settings.duckdb_path))
    con.execute("delete from marts.fct_customer_journey where source_id = 'JA2'")
    con.close()
    with pytest.raises(PublishBlocked) as changed:
        publish(settings, "alone", models["bi"], models["restricted"], published_months())
    assert str(changed.value) == (
        f"count reconciliation on fct_customer_journey: 11 rows audited by run {audited_by}, 10 now: "
        "run the whole job (cx360 run) to check them before they are published"
    )
    con = duckdb.connect(str(settings.duckdb_path))
    con.execute("insert into ops.builds values ('rebuilding', now()::timestamp + interval 1 second)")
    con.close()
    with pytest.raises(PublishBlocked) as rebuilt:
        publish(settings, "alone", models["bi"], models["restricted"], published_months())
    assert "the models were rebuilt by run rebuilding at " in str(rebuilt.value)
    assert f"no run has checked them since (the last audit: run {audited_by})" in str(rebuilt.value)
    assert fingerprint(settings) == before
