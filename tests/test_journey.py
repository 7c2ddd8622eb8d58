"""The journey fact table on a hand-made journey: order, stages, gaps, scores and friction (model.md)."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import query, write_landing
from tests.pipeline import build

LANDING = {
    "crm/customers/c.csv": (
        "customer_id,email,country,created_at,updated_at\nC1,anna@example.com,PL,2025-12-01,2025-12-01\n"
    ),
    "marketing/events/e.csv": (
        "event_id,event_type,occurred_at,crm_customer_id\n"
        "E0,email_sent,2026-01-01T09:00:00Z,C1\n"
        "E1,web_visit,2026-01-01T10:00:00Z,C1\n"
        "E2,email_click,2026-01-01T10:30:00Z,C1\n"
    ),
    "crm/activities/a.csv": (
        "activity_id,customer_id,activity_type,occurred_at\n"
        "A1,C1,call,2026-01-02T10:30:00Z\n"
        "A2,C1,meeting,2026-01-12T10:30:00Z\n"
    ),
    "sales/customers/c.csv": "customer_number,crm_customer_id,created_at,updated_at\nN1,C1,2026-01-01,2026-01-01\n",
    "sales/orders/o.csv": (
        "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,"
        "delivered_at,updated_at\n"
        "O1,N1,2026-01-03T10:30:00Z,web,delivered,EUR,100,2026-01-04,2026-01-05T10:30:00Z,2026-01-05T10:30:00Z\n"
        "O2,N1,2026-01-10T10:30:00Z,app,cancelled,EUR,40,,,2026-01-11T10:30:00Z\n"
    ),
    "support/tickets/t.csv": (
        "ticket_id,created_at,channel,category,status,crm_customer_id,first_response_at,solved_at,"
        "agent_replies,reopened_count,updated_at\n"
        "T1,2026-01-06T10:30:00Z,chat,delivery,solved,C1,2026-01-06T11:00:00Z,2026-01-06T12:30:00Z,1,0,"
        "2026-01-06T12:30:00Z\n"
    ),
    "support/surveys/s.csv": (
        "response_id,survey_type,score,responded_at,touchpoint,crm_customer_id\n"
        "S1,nps,10,2026-01-07T10:30:00Z,relationship,C1\n"
        "S2,csat,2,2026-01-07T11:30:00Z,support,C1\n"
    ),
}

# (source_id, touchpoint, journey_stage, is_first_of_stage, minutes_since_previous) in time order.
EXPECTED = [
    ("E1", "web_visit", "awareness", True, None),
    ("E2", "email_click", "consideration", True, 30),
    ("A1", "crm_call", "consideration", False, 24 * 60),  # before the first order: consideration
    ("O1", "order_placed", "purchase", True, 24 * 60),
    ("O1", "order_delivered", "purchase", False, 48 * 60),  # the first order's delivery is purchase
    ("T1", "ticket_opened", "service", True, 24 * 60),
    ("T1", "ticket_solved", "service", False, 120),
    ("S1", "survey_nps", "loyalty", True, 22 * 60),  # 01-06 12:30 -> 01-07 10:30
    ("S2", "survey_csat", "service", False, 60),
    ("O2", "order_placed", "loyalty", False, 71 * 60),  # a repeat order: 01-07 11:30 -> 01-10 10:30
    ("O2", "order_cancelled", "service", False, 24 * 60),  # at updated_at
    ("A2", "crm_meeting", "loyalty", False, 24 * 60),  # after the first order: loyalty
]


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    root = tmp_path_factory.mktemp("journey")
    settings, outcome = build(write_landing(root / "landing", LANDING), root / "warehouse")
    assert outcome.success, outcome.failures
    return query(
        settings.marts_db_path,
        """
        select source_id, touchpoint, journey_stage, is_first_of_stage, minutes_since_previous, event_seq,
            experience_score, is_friction, revenue, department, journey_event_key, customer_key
        from fct_customer_journey order by event_seq
    """,
    )


def test_events_are_sequenced_and_staged(journey):
    got = [(r[0], r[1], r[2], r[3], r[4]) for r in journey]
    assert got == EXPECTED  # email_sent is outbound reach, not a journey step
    assert [r[5] for r in journey] == list(range(1, 13))


def test_keys_are_stable_hashes(journey):
    first = journey[0]
    assert first[10] == hashlib.md5(b"marketing|events|E1|web_visit").hexdigest()
    assert {r[11] for r in journey} == {hashlib.md5(b"crm:C1").hexdigest()}


def test_scores_friction_revenue_and_departments(journey):
    by = {(r[0], r[1]): r for r in journey}
    assert by[("S1", "survey_nps")][6] == 100  # NPS 10 x 10
    assert by[("S2", "survey_csat")][6] == 25  # CSAT (2 - 1) x 25
    friction = {k for k, r in by.items() if r[7]}
    assert friction == {("O1", "order_delivered"), ("S2", "survey_csat"), ("O2", "order_cancelled")}
    assert by[("O1", "order_placed")][8] == 100 and by[("O2", "order_placed")][8] is None
    assert {r[9] for r in journey} == {"marketing", "account_management", "sales", "customer_service"}
