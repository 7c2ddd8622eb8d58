"""Incremental runs publish exactly what a full rebuild publishes (issue: production runs at scale).

The demo (with the journey, identity and scope cases) is built once; then two days of deliveries arrive
(tests/landings.py, deliver_days: the generator's, with identity changes, and hand-made ones
asserted one by one) and the warehouse is built incrementally, with rejected batches as warnings
(the days hold a broken survey export). The shared build `demo_full` loads
the same landing zone in one full build. Every published table must hold the same rows in both
(mart_data_trust aside: it describes the run itself).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import query
from tests.landings import CRM_ORDER, DAYS, LEAD_EMAIL, PROSPECT, PROSPECT_CRM_ID, deliver_days, demo_landing
from tests.pipeline import build

# how the people that deliver_days changes were found in the demo's first build: they must still
# play these roles (a prospect known by e-mail through the shop, an e-mail-only lead, a CRM
# customer with a delivered order)
PEOPLE_QUERIES = {
    "prospect": """
        select distinct c.customer_number from staging.stg_sales__customers c
        join intermediate.int_identity__assignments a
          on a.source_entity = 'orders' and a.match_rule = 'prospect_email'
        join staging.stg_sales__orders o on o.order_id = a.source_id and o.customer_number = c.customer_number
        where c.email is not null and c.crm_customer_id is null and c.customer_number = ?
    """,
    "lead": """
        select distinct e.contact_email from staging.stg_marketing__events e
        join intermediate.int_identity__assignments a
          on a.source_entity = 'events' and a.source_id = e.event_id and a.match_rule = 'prospect_email'
        where e.contact_email = ? and lower(trim(e.contact_email)) not in (
              select lower(trim(email)) from staging.stg_sales__customers where email is not null)
    """,
    "crm": """
        select o.order_id from staging.stg_sales__orders o
        join staging.stg_sales__customers s on s.customer_number = o.customer_number
        join staging.stg_crm__customers c on c.customer_id = s.crm_customer_id
        where o.order_status = 'delivered' and c.email is not null and o.order_id = ?
    """,
}


# the journey rows of the scope cases (tests/landings.py, SCOPE_CASES_LANDING)
SCOPE_CASES_ROWS = """
    select source_id, is_friction, cast(revenue as double), is_missing_fx_rate, channel
    from marts.fct_customer_journey
    where source_id in ('JT2', 'JT3', 'JO4', 'JE5') and touchpoint in ('ticket_opened', 'order_placed', 'ad_click')
    order by source_id
"""


def _crm_key(customer_id: str) -> str:
    return hashlib.md5(f"crm:{customer_id}".encode()).hexdigest()  # model.md's customer_key


def _published_tables(con, catalog: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = 'main'",
        [catalog],
    ).fetchall()
    return {r[0] for r in rows} - {"mart_data_trust"}


def _differences(serving_a: Path, serving_b: Path) -> list[str]:
    con = duckdb.connect()
    out = []
    try:
        for name in ("cx_marts.duckdb", "cx_restricted.duckdb"):
            con.execute(f"attach '{serving_a / name}' as a (read_only)")
            con.execute(f"attach '{serving_b / name}' as b (read_only)")
            tables_a, tables_b = _published_tables(con, "a"), _published_tables(con, "b")
            if tables_a != tables_b:
                out.append(f"{name}: tables differ: {sorted(tables_a ^ tables_b)}")
            for table in sorted(tables_a & tables_b):
                only_a = con.execute(f"select count(*) from (from a.{table} except all from b.{table})").fetchone()[0]
                only_b = con.execute(f"select count(*) from (from b.{table} except all from a.{table})").fetchone()[0]
                if only_a or only_b:
                    out.append(f"{name} {table}: {only_a} rows only incremental, {only_b} only full")
            con.execute("detach a")
            con.execute("detach b")
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    landing = demo_landing(root)
    s, base = build(landing, root / "incremental")
    assert base.success, base.failures
    db = s.duckdb_path
    roles = {
        "prospect": query(db, PEOPLE_QUERIES["prospect"], [PROSPECT["customer_number"]]),
        "lead": query(db, PEOPLE_QUERIES["lead"], [LEAD_EMAIL]),
        "crm": query(db, PEOPLE_QUERIES["crm"], [CRM_ORDER["order_id"]]),
    }
    prospect_orders = [
        r[0]
        for r in query(
            db,
            "select order_id from staging.stg_sales__orders where customer_number = ?",
            [PROSPECT["customer_number"]],
        )
    ]
    scope_cases = query(db, SCOPE_CASES_ROWS)
    # a BI tool holding the published file open while the next run publishes
    reader = duckdb.connect(str(s.marts_db_path), read_only=True)
    base_journey = reader.execute("select count(*) from fct_customer_journey").fetchone()[0]
    deliver_days(landing)
    s, outcome = build(landing, root / "incremental", rejected_required_batch_blocks=False)
    assert outcome.success, outcome.failures
    reader_after = reader.execute("select count(*) from fct_customer_journey").fetchone()[0]
    reader.close()
    return {
        "settings": s,
        "run_id": outcome.run_id,
        "roles": roles,
        "prospect_orders": prospect_orders,
        "reader": (base_journey, reader_after),
        "scope": query(db, "select * from intermediate.int_journey_scope"),
        "scope_cases": (scope_cases, query(db, SCOPE_CASES_ROWS)),
    }


def test_incremental_runs_publish_exactly_what_a_full_rebuild_publishes(runs, demo_full):
    full, _ = demo_full
    assert _differences(runs["settings"].serving_dir, full.serving_dir) == []


def test_the_changed_people_played_their_roles_before_the_days(runs):
    assert runs["roles"] == {
        "prospect": [(PROSPECT["customer_number"],)],
        "lead": [(LEAD_EMAIL,)],
        "crm": [(CRM_ORDER["order_id"],)],
    }


def test_the_run_loaded_only_the_new_deliveries_and_an_open_reader_kept_its_version(runs):
    settings = runs["settings"]
    files = query(settings.duckdb_path, "select file_name from ops.load_batches where run_id = ?", [runs["run_id"]])
    assert files and all("2026-11-0" in name for (name,) in files), files
    base_rows, rows_seen_after = runs["reader"]
    assert rows_seen_after == base_rows
    assert query(settings.marts_db_path, "select count(*) from fct_customer_journey")[0][0] > base_rows


def test_after_a_publish_that_changed_them_each_table_folder_holds_exactly_the_current_rows(runs):
    settings = runs["settings"]
    publications = sorted(p.name for p in (settings.serving_dir / "publications").iterdir())
    assert len(publications) == 2  # the current one and the one before, for readers that have it open
    assert (settings.serving_dir / "current").resolve().name == publications[-1]
    for table in ("dim_customer", "fct_customer_journey", "mart_nps"):
        in_folder = duckdb.execute(f"select count(*) from '{settings.parquet_dir}/{table}/*.parquet'").fetchone()[0]
        assert in_folder == query(settings.marts_db_path, f"select count(*) from {table}")[0][0] > 0


def test_the_daily_publication_patched_the_large_tables_by_row(runs):
    """The journey and the identity assignments are patched in the serving databases with the rows
    the day's build wrote (and they still equal a full rebuild's: the test above)."""
    serving = runs["settings"].serving_dir
    manifest = json.loads((serving / "current" / "published.json").read_text())
    how = {(t["database"], t["name"]): t["serving_table"] for t in manifest["tables"]}
    assert how[("bi", "fct_customer_journey")] == "patched by row"
    assert how[("restricted", "int_identity__assignments")] == "patched by row"
    assert how[("bi", "mart_nps")] in ("unchanged", "rewritten")
    assert {t["serving_table_why"] for t in manifest["tables"]} == {""}  # nothing meant to be patched was not
    # the assignments have no Parquet: what the previous publication held is in its manifest's parts
    (assignments,) = [t for t in manifest["tables"] if t["name"] == "int_identity__assignments"]
    assert assignments["files"] == [] and len(assignments["parts"]) == 1
    assert not list(serving.glob("publications/*/restricted/parquet/int_identity__assignments"))


def test_daily_runs_rebuild_only_the_affected_customers(runs):
    scope = runs["scope"]
    customers = query(runs["settings"].duckdb_path, "select count(*) from marts.dim_customer")[0][0]
    assert scope and not any(is_all for _, is_all, _ in scope)
    # the days re-derive a small share of the customers: under a tenth of them per day delivered
    assert len(scope) < DAYS * customers / 10
    assert {reason for _, _, reason in scope} >= {"record"}


def test_customers_whose_journey_the_days_change_without_a_record_of_theirs_are_re_derived(runs):
    before, after = runs["scope_cases"]
    # (source_id, is_friction, revenue, is_missing_fx_rate, channel)
    assert before == [
        ("JE5", False, None, None, "web"),  # its campaign is not known yet
        ("JO4", False, None, True, "web"),  # no HUF rate yet
        ("JT2", False, None, None, "email"),  # open 64 hours at the end of 2026-10-31
        ("JT3", True, None, None, "email"),  # open over 72 hours already
    ]
    assert after == [
        ("JE5", False, None, None, "paid_social"),
        ("JO4", False, 2.5, False, "web"),  # 1,000 HUF at 0.0025
        ("JT2", True, None, None, "email"),
        ("JT3", True, None, None, "email"),
    ]
    reasons = {key: reason for key, _, reason in runs["scope"]}
    assert reasons.get(_crm_key("JC2")) == "as_of"
    assert reasons.get(_crm_key("JC4")) == "fx_rate"
    assert reasons.get(_crm_key("JC5")) == "campaign"
    assert _crm_key("JC3") not in reasons  # an open ticket whose friction did not change


def test_the_prospect_joined_the_crm_and_the_corrected_e_mail_moved_the_lead(runs):
    db = runs["settings"].marts_db_path  # the journey is published to the BI database
    orders = [*runs["prospect_orders"], "O9990001-01"]
    rows = query(
        db,
        "select distinct crm_customer_id, is_prospect from fct_customer_journey "
        "where source_entity = 'orders' and list_contains(?, source_id)",
        [orders],
    )
    assert rows == [(PROSPECT_CRM_ID, False)]  # the orders placed as a prospect moved too
    lead_visit = query(db, "select crm_customer_id from fct_customer_journey where source_id = 'E9990001-001'")
    assert lead_visit == [(CRM_ORDER["customer_id"],)]
    returned = query(
        db,
        "select touchpoint from fct_customer_journey where source_id = ? order by touchpoint",
        [CRM_ORDER["order_id"]],
    )
    assert ("order_returned",) in returned


def test_a_later_batch_correcting_a_record_wins_by_updated_at(runs):
    # the demo has C0000001 as smb; the correction of 2026-11-02 makes them a consumer
    got = query(
        runs["settings"].marts_db_path,
        "select segment from dim_customer where crm_customer_id = ?",
        [CRM_ORDER["customer_id"]],
    )
    assert got == [("consumer",)]


def test_a_setting_makes_a_rejected_required_batch_a_warning(runs):
    warned = query(
        runs["settings"].duckdb_path,
        "select passed, severity, description from ops.check_results where run_id = ? "
        "and check_name = 'no_rejected_batch' and table_name = 'support__surveys'",
        [runs["run_id"]],
    )
    assert [(p, s) for p, s, _ in warned] == [(False, "WARN")]
    assert "surveys_2026-11-02_broken.csv" in warned[0][2]
