"""Incremental runs publish exactly what a full rebuild publishes (issue: production runs at scale).

The demo landing zone is built once; then two daily deliveries arrive, each run incrementally. Each
day holds the generator's deliveries of that day (`generate_days`: sign-ups, orders and their status
updates, tickets, surveys, prospects joining the CRM, corrected CRM, shop and ticket records) and
these hand-made ones, asserted one by one:
  day 1  a new order of a prospect (a shop customer unknown to the CRM), a corrected order (returned),
         a web visit of an e-mail-only lead, an open ticket;
  day 2  the prospect's e-mail appears in a new CRM record (their orders move to a CRM customer),
         a CRM customer's e-mail is corrected to the lead's (the lead's events join them, and
         what matched the old e-mail no longer does), a new FX rate, another visit.
A second warehouse loads the same three deliveries in one full build. Every published table must
hold the same rows in both (mart_data_trust aside: it describes the run itself).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.generate import DEMO_CUSTOMERS, DEMO_SEED, generate_days
from orchestration.settings import DEMO_LANDING_DIR
from tests.conftest import query, write_landing
from tests.pipeline import build

PROSPECT_CRM_ID = "C9990001"


def _pick(db: Path) -> dict:
    """People of the demo to change: a prospect known by e-mail through the shop, an e-mail-only
    marketing lead, and a CRM customer with a delivered order."""
    prospect = query(
        db,
        """
        select c.customer_number, c.email, c.country
        from staging.stg_sales__customers c
        join intermediate.int_identity__assignments a
          on a.source_entity = 'orders' and a.match_rule = 'prospect_email'
        join staging.stg_sales__orders o on o.order_id = a.source_id and o.customer_number = c.customer_number
        where c.email is not null and c.crm_customer_id is null
        order by c.customer_number limit 1
        """,
    )[0]
    lead = query(
        db,
        """
        select e.contact_email from staging.stg_marketing__events e
        join intermediate.int_identity__assignments a
          on a.source_entity = 'events' and a.source_id = e.event_id and a.match_rule = 'prospect_email'
        where e.contact_email is not null
          and lower(trim(e.contact_email)) not in (
              select lower(trim(email)) from staging.stg_sales__customers where email is not null)
        order by e.event_id limit 1
        """,
    )[0][0]
    crm = query(
        db,
        """
        select o.order_id, o.customer_number, o.ordered_at, o.sales_channel, o.currency, o.order_total,
               o.promised_delivery_on, o.delivered_at, c.customer_id, c.first_name, c.last_name, c.country,
               c.created_at
        from staging.stg_sales__orders o
        join staging.stg_sales__customers s on s.customer_number = o.customer_number
        join staging.stg_crm__customers c on c.customer_id = s.crm_customer_id
        where o.order_status = 'delivered' and c.email is not null
        order by o.order_id limit 1
        """,
    )[0]
    keys = ("order_id", "customer_number", "ordered_at", "sales_channel", "currency", "order_total")
    keys += ("promised_delivery_on", "delivered_at", "customer_id", "first_name", "last_name", "country", "created_at")
    return {"prospect": prospect, "lead": lead, "crm": dict(zip(keys, crm, strict=True))}


def _day_1(landing: Path, people: dict) -> None:
    number, _, _ = people["prospect"]
    o = people["crm"]
    orders = "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,"
    orders += "delivered_at,updated_at\n"
    orders += f"O9990001-01,{number},2026-11-01 09:00:00,web,placed,EUR,120.00,2026-11-04,,2026-11-01 09:00:00\n"
    orders += (
        f"{o['order_id']},{o['customer_number']},{o['ordered_at']:%Y-%m-%d %H:%M:%S},{o['sales_channel']},returned,"
        f"{o['currency']},{o['order_total']},{o['promised_delivery_on']},{o['delivered_at']:%Y-%m-%d %H:%M:%S},"
        "2026-11-01 10:00:00\n"
    )
    visit = {"event_id": "E9990001-001", "event_type": "web_visit", "occurred_at": "2026-11-01T11:00:00Z"}
    visit["contact_email"] = people["lead"]
    tickets = "ticket_id,created_at,channel,category,priority,status,requester_email,requester_phone,"
    tickets += "crm_customer_id,order_id,first_response_at,solved_at,agent_replies,reopened_count,updated_at\n"
    tickets += f"T9990001-1,2026-11-01T08:00:00Z,email,delivery,high,open,,,{o['customer_id']},,,,0,0,"
    tickets += "2026-11-01T08:00:00Z\n"
    write_landing(
        landing,
        {
            "sales/orders/orders_2026-11-01_corrections.csv": orders,
            "marketing/events/events_2026-11-01_web.jsonl": json.dumps(visit) + "\n",
            "support/tickets/tickets_2026-11-01_desk.csv": tickets,
        },
    )


def _day_2(landing: Path, people: dict) -> None:
    _, email, country = people["prospect"]
    o = people["crm"]
    crm = "customer_id,email,phone,first_name,last_name,country,segment,marketing_consent,created_at,updated_at\n"
    crm += f"{PROSPECT_CRM_ID},{email},,New,Member,{country},consumer,true,2026-11-02 08:00:00,2026-11-02 08:00:00\n"
    crm += (
        f"{o['customer_id']},{people['lead']},,{o['first_name']},{o['last_name']},{o['country']},consumer,true,"
        f"{o['created_at']:%Y-%m-%d %H:%M:%S},2026-11-02 09:00:00\n"
    )
    visit = {"event_id": "E9990002-001", "event_type": "web_visit", "occurred_at": "2026-11-02T12:00:00Z"}
    visit["crm_customer_id"] = PROSPECT_CRM_ID
    write_landing(
        landing,
        {
            "crm/customers/customers_2026-11-02_corrections.csv": crm,
            "sales/fx_rates/fx_rates_daily_2026-11-02_manual.csv": "rate_date,currency,rate_to_reporting\n2026-11-02,PLN,0.2301\n",
            "marketing/events/events_2026-11-02_web.jsonl": json.dumps(visit) + "\n",
        },
    )


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
    landing = root / "landing"
    shutil.copytree(DEMO_LANDING_DIR, landing)
    incremental = root / "incremental"
    s, outcome = build(landing, incremental)
    assert outcome.success, outcome.failures
    people = _pick(s.duckdb_path)
    scopes = []
    for day, deliver in enumerate((_day_1, _day_2)):
        after = dt.date(2026, 10, 31) + dt.timedelta(days=day)
        generate_days(landing, after, 1, DEMO_CUSTOMERS, DEMO_SEED)
        deliver(landing, people)
        _, outcome = build(landing, incremental)
        assert outcome.success, outcome.failures
        scopes.append(query(s.duckdb_path, "select * from intermediate.int_journey_scope"))
    full_settings, outcome = build(landing, root / "full")
    assert outcome.success, outcome.failures
    return {"incremental": s, "full": full_settings, "people": people, "scopes": scopes}


def test_incremental_runs_publish_exactly_what_a_full_rebuild_publishes(runs):
    differences = _differences(runs["incremental"].serving_dir, runs["full"].serving_dir)
    assert differences == []


def test_daily_runs_rebuild_only_the_affected_customers(runs):
    day_1, day_2 = runs["scopes"]
    customers = query(runs["full"].duckdb_path, "select count(*) from marts.dim_customer")[0][0]
    for scope in (day_1, day_2):
        assert scope and not any(is_all for _, is_all, _ in scope)
        assert len(scope) < customers / 10
    assert {reason for _, _, reason in day_2} >= {"identity"}


def test_the_prospect_joined_the_crm_and_the_corrected_e_mail_moved_the_lead(runs):
    db = runs["incremental"].serving_dir / "cx_restricted.duckdb"
    number = runs["people"]["prospect"][0]
    rows = query(
        db,
        """
        select distinct crm_customer_id, is_prospect from fct_customer_journey
        where source_entity = 'orders' and source_id in (
            select order_id from (values ('O9990001-01')) v(order_id))
        """,
    )
    assert rows == [(PROSPECT_CRM_ID, False)], number
    lead_visit = query(db, "select crm_customer_id from fct_customer_journey where source_id = 'E9990001-001'")
    assert lead_visit == [(runs["people"]["crm"]["customer_id"],)]
    returned = query(
        db,
        "select touchpoint from fct_customer_journey where source_id = ? order by touchpoint",
        [runs["people"]["crm"]["order_id"]],
    )
    assert ("order_returned",) in returned
