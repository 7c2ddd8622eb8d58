"""The journey fact table on a hand-made journey: order, stages, gaps, scores and friction (model.md)."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import query

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
def journey(journey_warehouse):
    settings, _ = journey_warehouse
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
