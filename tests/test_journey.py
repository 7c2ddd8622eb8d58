"""The journey fact table on a hand-made journey: order, stages, gaps, scores and friction (model.md).

The journey (tests/landings.py, JOURNEY_LANDING) is delivered beside the demo and read back by its
customer, JC1.
"""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import query

CUSTOMER_KEY = hashlib.md5(b"crm:JC1").hexdigest()

# (source_id, touchpoint, journey_stage, is_first_of_stage, minutes_since_previous) in time order.
EXPECTED = [
    ("JE1", "web_visit", "awareness", True, None),
    ("JE2", "email_click", "consideration", True, 30),
    ("JA1", "crm_call", "consideration", False, 24 * 60),  # before the first order: consideration
    ("JO1", "order_placed", "purchase", True, 24 * 60),
    ("JO1", "order_delivered", "purchase", False, 48 * 60),  # the first order's delivery is purchase
    ("JT1", "ticket_opened", "service", True, 24 * 60),
    ("JT1", "ticket_solved", "service", False, 120),
    ("JS1", "survey_nps", "loyalty", True, 22 * 60),  # 01-06 12:30 -> 01-07 10:30
    ("JS2", "survey_csat", "service", False, 60),
    ("JO2", "order_placed", "loyalty", False, 71 * 60),  # a repeat order: 01-07 11:30 -> 01-10 10:30
    ("JO2", "order_cancelled", "service", False, 24 * 60),  # at updated_at
    ("JA2", "crm_meeting", "loyalty", False, 24 * 60),  # after the first order: loyalty
]


@pytest.fixture(scope="module")
def journey(demo_full):
    settings, _ = demo_full
    return query(
        settings.marts_db_path,
        """
        select source_id, touchpoint, journey_stage, is_first_of_stage, minutes_since_previous, event_seq,
            experience_score, is_friction, revenue, department, journey_event_key, customer_key
        from fct_customer_journey where customer_key = ? order by event_seq
    """,
        [CUSTOMER_KEY],
    )


def test_events_are_sequenced_and_staged(journey):
    got = [(r[0], r[1], r[2], r[3], r[4]) for r in journey]
    assert got == EXPECTED  # email_sent is outbound reach, not a journey step
    assert [r[5] for r in journey] == list(range(1, 13))


def test_keys_are_stable_hashes(journey):
    first = journey[0]
    assert first[10] == hashlib.md5(b"marketing|events|JE1|web_visit").hexdigest()
    assert {r[11] for r in journey} == {CUSTOMER_KEY}


def test_scores_friction_revenue_and_departments(journey):
    by = {(r[0], r[1]): r for r in journey}
    assert by[("JS1", "survey_nps")][6] == 100  # NPS 10 x 10
    assert by[("JS2", "survey_csat")][6] == 25  # CSAT (2 - 1) x 25
    friction = {k for k, r in by.items() if r[7]}
    assert friction == {("JO1", "order_delivered"), ("JS2", "survey_csat"), ("JO2", "order_cancelled")}
    assert by[("JO1", "order_placed")][8] == 100 and by[("JO2", "order_placed")][8] is None
    assert {r[9] for r in journey} == {"marketing", "account_management", "sales", "customer_service"}
