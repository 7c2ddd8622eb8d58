"""The CX marts on a small hand-made landing zone whose every figure was computed by hand (model.md).

As of 2026-03-31: the last 90 days run from 2026-01-01 00:00 and the last 30 days from 2026-03-02
00:00, both to the end of 2026-03-31. Events after the as-of date (order O9, activity A4, ticket
T7's response and solve, the return of O3 and the cancellation of O8) count in no figure: O3 and O8
count as the valid orders they were on 2026-03-31.

Who is who:
  C1 Anna (consumer)    web visit, CRM call, valid orders O1 (Dec), O2 (Jan), O3 (Mar)
  C2 Bogdan (smb)       e-mail click, valid order O4 (2025-12-31 23:30), cancelled O5, O9 after D
  C3 Clara (enterprise) returned order O6 (Jan), valid order O7 (Feb)
  C4 Dan (consumer)     no order: a ticket and survey answers only
  P  pete@example.com   a prospect (sales customer N9 without a CRM record): valid order O8 (Mar)
  anon-1                a prospect by marketing anonymous_id: one web visit
  S5, F2                tied to no customer (no e-mail, no CRM id)

Value tiers (revenue of the last 365 days, 4 buyers): C3 300 high (ceil(4 x 20%) = 1), C2 200 mid
(ceil(4 x 50%) = 2 less 1), C1 100+50+30 = 180 low, P 40 low; C4 none. Survey marts report prospects
and answers without a customer under segment `unknown` and value tier `none` (model.md).
"""

from __future__ import annotations

import pytest

from tests.conftest import query, write_landing
from tests.pipeline import build

AS_OF = "2026-03-31"

LANDING = {
    "crm/customers/customers.csv": (
        "customer_id,email,first_name,last_name,country,segment,created_at,updated_at\n"
        "C1,anna@example.com,Anna,Nowak,PL,consumer,2025-10-01,2025-10-01\n"
        "C2,bogdan@example.com,Bogdan,Ionescu,RO,smb,2025-11-15,2025-11-15\n"
        "C3,clara@example.com,Clara,Schmidt,DE,enterprise,2026-01-10,2026-01-10\n"
        "C4,dan@example.com,Dan,Kowalski,PL,consumer,2026-02-01,2026-02-01\n"
    ),
    "crm/activities/activities.csv": (
        "activity_id,customer_id,activity_type,occurred_at\n"
        "A1,C1,call,2025-12-10T10:00:00Z\n"
        "A2,C2,call,2026-03-10T09:00:00Z\n"  # exactly at C2's detractor answer S2: does not close it
        "A3,C3,meeting,2026-03-07T10:00:00Z\n"  # after C3's low CSAT S9: closes it
        "A4,C4,call,2026-04-01T09:00:00Z\n"  # after the as-of date: closes nothing
    ),
    "marketing/events/events.csv": (
        "event_id,event_type,occurred_at,contact_email,anonymous_id,crm_customer_id\n"
        "E1,web_visit,2025-12-01T00:00:00Z,,,C1\n"
        "E2,web_visit,2026-03-01T00:00:00Z,,anon-1,\n"
        "E3,email_click,2025-12-20T10:00:00Z,bogdan@example.com,,\n"
    ),
    "sales/customers/customers.csv": (
        "customer_number,email,full_name,country,crm_customer_id,created_at,updated_at\n"
        "N1,anna@example.com,Anna Nowak,PL,C1,2025-10-01,2025-10-01\n"
        "N2,bogdan@example.com,Bogdan Ionescu,RO,C2,2025-11-15,2025-11-15\n"
        "N3,clara@example.com,Clara Schmidt,DE,C3,2026-01-10,2026-01-10\n"
        "N9,pete@example.com,Pete Brown,PL,,2026-03-05,2026-03-05\n"
    ),
    "sales/orders/orders.csv": (
        "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,"
        "delivered_at,updated_at\n"
        "O1,N1,2025-12-15T10:00:00Z,web,delivered,EUR,100,2025-12-18,2025-12-17T10:00:00Z,2025-12-17T10:00:00Z\n"
        "O2,N1,2026-01-20T10:00:00Z,web,delivered,EUR,50,2026-01-23,2026-01-22T10:00:00Z,2026-01-22T10:00:00Z\n"
        "O3,N1,2026-03-10T10:00:00Z,app,delivered,EUR,30,2026-03-13,2026-03-12T10:00:00Z,2026-03-12T10:00:00Z\n"
        "O4,N2,2025-12-31T23:30:00Z,web,delivered,EUR,200,2026-01-05,2026-01-03T10:00:00Z,2026-01-03T10:00:00Z\n"
        "O5,N2,2026-02-05T10:00:00Z,web,cancelled,EUR,80,,,2026-02-06T10:00:00Z\n"
        "O6,N3,2026-01-15T10:00:00Z,store,returned,EUR,60,2026-01-15,2026-01-15T12:00:00Z,2026-01-25T10:00:00Z\n"
        "O7,N3,2026-02-10T10:00:00Z,store,delivered,EUR,300,2026-02-12,2026-02-11T10:00:00Z,2026-02-11T10:00:00Z\n"
        "O8,N9,2026-03-05T10:00:00Z,web,placed,EUR,40,2026-03-09,,2026-03-05T10:00:00Z\n"
        "O9,N2,2026-04-02T10:00:00Z,web,delivered,EUR,500,2026-04-05,2026-04-04T10:00:00Z,2026-04-04T10:00:00Z\n"
    ),
    # later versions: O3 returned and O8 cancelled, both after the as-of date
    "sales/orders/orders_later.csv": (
        "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,"
        "delivered_at,updated_at\n"
        "O3,N1,2026-03-10T10:00:00Z,app,returned,EUR,30,2026-03-13,2026-03-12T10:00:00Z,2026-04-03T10:00:00Z\n"
        "O8,N9,2026-03-05T10:00:00Z,web,cancelled,EUR,40,2026-03-09,,2026-04-01T00:00:00Z\n"
    ),
    "support/tickets/tickets.csv": (
        "ticket_id,created_at,channel,category,status,requester_email,crm_customer_id,first_response_at,"
        "solved_at,agent_replies,reopened_count,updated_at\n"
        # first response 0.5 h, resolved in 2 h, 1 reply, never reopened: one-touch
        "T1,2026-03-01T09:00:00Z,chat,delivery,solved,,C1,2026-03-01T09:30:00Z,2026-03-01T11:00:00Z,1,0,"
        "2026-03-01T11:00:00Z\n"
        # 2 h, 24 h, 2 replies: not one-touch
        "T2,2026-03-03T10:00:00Z,chat,delivery,closed,,C2,2026-03-03T12:00:00Z,2026-03-04T10:00:00Z,2,0,"
        "2026-03-05T10:00:00Z\n"
        # 4 h, 24 h, 1 reply but reopened: not one-touch
        "T3,2026-03-05T08:00:00Z,chat,delivery,closed,,C3,2026-03-05T12:00:00Z,2026-03-06T08:00:00Z,1,1,"
        "2026-03-06T08:00:00Z\n"
        # 6 h, 10 h, replies unknown: not one-touch
        "T4,2026-03-20T10:00:00Z,chat,delivery,solved,,C4,2026-03-20T16:00:00Z,2026-03-20T20:00:00Z,,0,"
        "2026-03-20T20:00:00Z\n"
        "T5,2026-03-25T10:00:00Z,email,billing,open,pete@example.com,,,,0,0,2026-03-25T10:00:00Z\n"
        # C1's second ticket: its first response (09:00) answers C1's detractor S19 (08:00)
        "T6,2026-03-02T07:00:00Z,email,account,solved,,C1,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,1,0,"
        "2026-03-02T10:00:00Z\n"
        # answered and solved only after the as-of date: open and unanswered as of D
        "T7,2026-03-30T10:00:00Z,chat,delivery,solved,,C2,2026-04-01T08:00:00Z,2026-04-01T09:00:00Z,1,0,"
        "2026-04-01T09:00:00Z\n"
    ),
    "support/surveys/surveys.csv": (
        "response_id,survey_type,score,responded_at,touchpoint,respondent_email,crm_customer_id,ticket_id\n"
        "S1,nps,9,2026-01-25T10:00:00Z,relationship,,C1,\n"
        "S2,nps,6,2026-03-10T09:00:00Z,delivery,,C2,\n"
        "S3,nps,7,2026-03-12T10:00:00Z,delivery,,C3,\n"
        "S4,nps,10,2026-03-15T10:00:00Z,delivery,pete@example.com,,\n"
        "S5,nps,3,2026-03-20T10:00:00Z,delivery,,,\n"
        "S6,nps,8,2026-02-14T10:00:00Z,relationship,,C4,\n"
        "S19,nps,4,2026-03-02T08:00:00Z,relationship,,C1,\n"
        "S7,csat,4,2026-03-01T12:00:00Z,support,,C1,T1\n"
        "S8,csat,3,2026-03-04T11:00:00Z,support,,C2,T2\n"
        "S9,csat,2,2026-03-06T09:00:00Z,support,,C3,T3\n"
        "S20,csat,1,2026-03-01T23:59:59Z,support,,C2,\n"
        "S16,csat,5,2026-02-10T10:00:00Z,support,,C1,\n"
        "S10,csat,5,2026-03-12T12:00:00Z,delivery,,C1,\n"
        "S11,csat,1,2026-03-21T10:00:00Z,delivery,,C4,\n"
        "S17,csat,4,2026-01-10T10:00:00Z,delivery,,C2,\n"
        "S18,csat,5,2026-02-15T10:00:00Z,delivery,,C3,\n"
        "S12,ces,5,2026-03-01T13:00:00Z,support,,C1,\n"
        "S13,ces,4,2026-03-04T12:00:00Z,support,,C2,\n"
        "S14,ces,7,2026-03-06T10:00:00Z,support,,C3,\n"
        "S15,ces,6,2026-03-20T21:00:00Z,support,,C4,\n"
    ),
    "support/feedback/feedback.csv": (
        "feedback_id,created_at,source,kind,topic,department,author_email,author_handle,crm_customer_id,rating\n"
        "F1,2026-03-28T10:00:00Z,complaint_form,complaint,delivery delay,logistics,pete@example.com,,,1\n"
        "F2,2026-03-29T10:00:00Z,social_media,complaint,double charge,billing,,@someone,,\n"
        "F3,2026-02-10T10:00:00Z,review_site,compliment,fast delivery,logistics,,,C1,5\n"
        "F4,2026-01-15T10:00:00Z,email,complaint,delivery delay,logistics,,,C2,2\n"
    ),
}

CX_MARTS = [
    "mart_nps",
    "mart_touchpoint_experience",
    "mart_cx_targets",
    "mart_journey_funnel",
    "mart_retention_cohorts",
    "mart_support_performance",
    "mart_voice_of_customer",
    "mart_touchpoint_nps_impact",
    "mart_cx_kpis_daily",
]


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    root = tmp_path_factory.mktemp("cx_marts")
    landing = write_landing(root / "landing", LANDING)
    settings, outcome = build(landing, root / "warehouse", as_of=AS_OF)
    assert outcome.success, outcome.failures
    return settings, landing


def bi(marts, sql: str) -> list[tuple]:
    return query(marts[0].marts_db_path, sql)


def crm_ids(marts) -> dict[str, str]:
    """customer_key -> CRM id, `P` for the e-mail prospect and `anon-1` for the anonymous one."""
    rows = bi(marts, "select customer_key, crm_customer_id, is_prospect from dim_customer")
    keys = {k: c for k, c, _ in rows if c}
    prospects = [k for k, c, p in rows if p]
    assert len(prospects) == 2
    restricted = dict(
        query(marts[0].restricted_db_path, "select customer_key, pii_email from dim_customer where is_prospect")
    )
    for k in prospects:
        keys[k] = "P" if restricted[k] == "pete@example.com" else "anon-1"
    return keys


def test_every_mart_is_published_where_it_belongs(marts):
    settings, _ = marts
    bi_tables = {r[0] for r in query(settings.marts_db_path, "select table_name from information_schema.tables")}
    restricted = {r[0] for r in query(settings.restricted_db_path, "select table_name from information_schema.tables")}
    assert set(CX_MARTS) <= bi_tables
    assert "mart_follow_up_queue" not in bi_tables and "mart_follow_up_queue" in restricted
    assert not set(CX_MARTS) & restricted  # BI marts go to the BI database only (meta.publish: bi)


# model.md, "Names BI tools rely on": dashboards break when these move
BI_NAMES = {
    "mart_nps": "month segment value_tier responses promoters passives detractors nps",
    "mart_touchpoint_experience": "month touchpoint csat_responses csat_satisfied csat_pct ces_responses ces_avg "
    "ces_easy ces_easy_pct friction_events complaints",
    "mart_support_performance": "month channel category tickets solved_tickets one_touch_tickets one_touch_rate "
    "reopened_tickets reopen_rate median_first_response_hours p90_first_response_hours median_resolution_hours",
    "mart_cx_targets": "touchpoint value_tier metric target actual gap status responses",
    "mart_retention_cohorts": "cohort_month months_since_first_order cohort_customers active_customers retention_rate",
    "mart_journey_funnel": "cohort_month journey_stage customers conversion_rate median_days_from_first_seen",
    "mart_voice_of_customer": "month department kind topic mentions share_pct avg_rating",
    "mart_touchpoint_nps_impact": "touchpoint respondents_with nps_with respondents_without nps_without nps_difference",
    "mart_cx_kpis_daily": "day nps csat_pct ces_avg revenue valid_orders active_customers repeat_purchase_rate "
    "tickets complaints",
}


def test_names_bi_tools_rely_on(marts):
    settings = marts[0]
    for mart, names in BI_NAMES.items():
        columns = dict(query(settings.marts_db_path, f"select column_name, column_type from (describe {mart})"))
        assert set(names.split()) <= set(columns), mart
        assert not [c for c in columns if c.startswith("pii_")], mart
        for time_grain in {"month", "cohort_month", "day"} & set(columns):
            assert columns[time_grain] == "DATE", (mart, time_grain)
    queue = {
        r[0] for r in query(settings.restricted_db_path, "select column_name from (describe mart_follow_up_queue)")
    }
    assert {
        "customer_key",
        "signal",
        "signal_at",
        "source_id",
        "pii_email",
        "pii_phone",
        "latest_touchpoints",
    } <= queue


def test_value_tiers_and_segments_behind_the_survey_marts(marts):
    ids = crm_ids(marts)
    got = {ids[k]: (s, t) for k, s, t in bi(marts, "select customer_key, segment, value_tier from dim_customer")}
    assert got == {
        "C1": ("consumer", "low"),  # 180, rank 3 of 4
        "C2": ("smb", "mid"),  # 200, rank 2: top ceil(4 x 50%) = 2 less the high one
        "C3": ("enterprise", "high"),  # 300, rank 1 = ceil(4 x 20%)
        "C4": ("consumer", "none"),  # no order
        "P": ("unknown", "low"),  # 40, rank 4; the survey marts still report P under unknown / none
        "anon-1": ("unknown", "none"),
    }


def test_orders_count_as_they_stood_on_the_as_of_date(marts):
    """O3 returned and O8 cancelled after the as-of date: valid on it, their revenue counted, and
    neither the return nor the cancellation is a journey event yet (model.md, valid order)."""
    ids = crm_ids(marts)
    profile = bi(marts, "select customer_key, valid_orders, revenue, avg_order_value from dim_customer")
    got = {ids[k]: (n, float(r) if r is not None else None, a) for k, n, r, a in profile}
    assert got["C1"] == (3, 180.0, 60.0) and got["P"] == (1, 40.0, 40.0)
    journey = bi(
        marts,
        "select source_id, touchpoint, is_valid_order, revenue from fct_customer_journey "
        "where source_id in ('O3', 'O8') order by all",
    )
    assert [(s, t, v, float(r) if r is not None else None) for s, t, v, r in journey] == [
        ("O3", "order_delivered", True, None),
        ("O3", "order_placed", True, 30.0),
        ("O8", "order_placed", True, 40.0),
    ]


def test_nps_per_month_segment_and_tier_with_totals(marts):
    rows = bi(
        marts,
        "select month::varchar, segment, value_tier, responses, promoters, passives, detractors, nps "
        "from mart_nps order by all",
    )
    got = {(m, s, t): (n, p, pa, d, nps) for m, s, t, n, p, pa, d, nps in rows}
    expected = {
        # January: S1 C1 9
        ("2026-01-01", "consumer", "low"): (1, 1, 0, 0, 100.0),
        ("2026-01-01", "consumer", "all"): (1, 1, 0, 0, 100.0),
        ("2026-01-01", "all", "low"): (1, 1, 0, 0, 100.0),
        ("2026-01-01", "all", "all"): (1, 1, 0, 0, 100.0),
        # February: S6 C4 8, a passive only: NPS 0
        ("2026-02-01", "consumer", "none"): (1, 0, 1, 0, 0.0),
        ("2026-02-01", "consumer", "all"): (1, 0, 1, 0, 0.0),
        ("2026-02-01", "all", "none"): (1, 0, 1, 0, 0.0),
        ("2026-02-01", "all", "all"): (1, 0, 1, 0, 0.0),
        # March: S2 C2 6, S3 C3 7, S4 P 10, S5 (no customer) 3, S19 C1 4
        ("2026-03-01", "smb", "mid"): (1, 0, 0, 1, -100.0),
        ("2026-03-01", "enterprise", "high"): (1, 0, 1, 0, 0.0),
        ("2026-03-01", "unknown", "none"): (2, 1, 0, 1, 100 * (1 - 1) / 2),  # the prospect and the unknown
        ("2026-03-01", "consumer", "low"): (1, 0, 0, 1, -100.0),
        ("2026-03-01", "smb", "all"): (1, 0, 0, 1, -100.0),
        ("2026-03-01", "enterprise", "all"): (1, 0, 1, 0, 0.0),
        ("2026-03-01", "unknown", "all"): (2, 1, 0, 1, 0.0),
        ("2026-03-01", "consumer", "all"): (1, 0, 0, 1, -100.0),
        ("2026-03-01", "all", "mid"): (1, 0, 0, 1, -100.0),
        ("2026-03-01", "all", "high"): (1, 0, 1, 0, 0.0),
        ("2026-03-01", "all", "none"): (2, 1, 0, 1, 0.0),
        ("2026-03-01", "all", "low"): (1, 0, 0, 1, -100.0),
        ("2026-03-01", "all", "all"): (5, 1, 1, 3, 100 * (1 - 3) / 5),  # -40
    }
    assert got == expected  # exact: every NPS here is a whole number


def test_touchpoint_experience_csat_ces_and_target_gaps(marts):
    rows = bi(
        marts,
        "select month::varchar, touchpoint, csat_responses, csat_satisfied, csat_pct, csat_pct_gap, "
        "ces_responses, ces_avg, ces_easy_pct, ces_avg_gap, complaints from mart_touchpoint_experience",
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    # support, March: CSAT S7 4, S8 3, S9 2, S20 1 -> 1 of 4 satisfied; CES S12 5, S13 4, S14 7, S15 6
    assert got[("2026-03-01", "support")] == pytest.approx(
        (4, 1, 100 * 1 / 4, 25 - 80, 4, (5 + 4 + 7 + 6) / 4, 100 * 3 / 4, 5.5 - 5, 0)
    )
    # delivery, March: CSAT S10 5, S11 1; no CES; complaint F1 (logistics -> delivery)
    march_delivery = got[("2026-03-01", "delivery")]
    assert march_delivery[:4] == pytest.approx((2, 1, 50.0, 50 - 80))
    assert march_delivery[4:] == (0, None, None, None, 1)
    assert got[("2026-02-01", "support")][:3] == (1, 1, 100.0)  # S16 5
    assert got[("2026-01-01", "delivery")][:3] == (1, 1, 100.0)  # S17 4
    # complaint F2 is about billing; F4 (January, logistics) is a delivery complaint
    assert got[("2026-03-01", "billing")][-1] == 1 and got[("2026-01-01", "delivery")][-1] == 1


def test_targets_actuals_gaps_and_status_over_the_last_90_days(marts):
    rows = bi(
        marts,
        "select touchpoint, value_tier, metric, target, actual, gap, status, responses from mart_cx_targets",
    )
    got = {(r[0], r[1], r[2]): r[3:] for r in rows}
    assert len(rows) == 8 * 5 * 3  # every survey touchpoint x (all + 4 tiers) x 3 metrics
    # delivery CSAT since 2026-01-01: S17 4, S18 5, S10 5, S11 1 -> 3 of 4 = 75, exactly 5 below 80
    assert got[("delivery", "all", "csat_pct")] == pytest.approx((80, 75.0, -5.0, "at_risk", 4))
    # the high tier (C3: S18 5) has its own, tighter target
    assert got[("delivery", "high", "csat_pct")] == pytest.approx((85, 100.0, 15.0, "on_track", 1))
    # support CSAT: S16 5, S7 4, S8 3, S9 2, S20 1 -> 2 of 5 = 40
    assert got[("support", "all", "csat_pct")] == pytest.approx((80, 40.0, -40.0, "off_track", 5))
    # support CES: (5 + 4 + 7 + 6) / 4 = 5.5 against 5; C2 (mid) answered 4: 1 CES point = 16.7 points below
    assert got[("support", "all", "ces")] == pytest.approx((5, 5.5, 0.5, "on_track", 4))
    assert got[("support", "mid", "ces")] == pytest.approx((5, 4.0, -1.0, "off_track", 1))
    assert got[("support", "high", "ces")] == pytest.approx((5.5, 7.0, 1.5, "on_track", 1))
    # delivery NPS: S2 6, S3 7, S4 10, S5 3 -> 100 x (1 - 2) / 4 = -25 against 30
    assert got[("delivery", "all", "nps")] == pytest.approx((30, -25.0, -55.0, "off_track", 4))
    assert got[("delivery", "none", "nps")] == pytest.approx((30, 0.0, -30.0, "off_track", 2))  # S4, S5
    assert got[("website", "all", "nps")] == (30, None, None, None, 0)


def test_support_performance_one_touch_and_percentiles(marts):
    rows = bi(
        marts,
        "select month::varchar, channel, category, tickets, solved_tickets, one_touch_tickets, one_touch_rate, "
        "reopened_tickets, reopen_rate, median_first_response_hours, p90_first_response_hours, "
        "median_resolution_hours, csat_responses, csat_satisfied, csat_pct from mart_support_performance",
    )
    got = {r[:3]: r[3:] for r in rows}
    assert set(got) == {
        ("2026-03-01", "chat", "delivery"),
        ("2026-03-01", "email", "billing"),
        ("2026-03-01", "email", "account"),
    }
    # chat/delivery: T1 (one-touch), T2 (2 replies), T3 (reopened), T4 (replies unknown), T7 (not solved by D)
    # first response 0.5, 2, 4, 6 h (T7 not yet): median (2 + 4) / 2 = 3; p90 at rank 0.9 x 3 = 2.7: 4 + 0.7 x 2
    # resolution 2, 24, 24, 10 h -> sorted 2, 10, 24, 24: median (10 + 24) / 2 = 17
    # CSAT of rated tickets: S7 (T1) 4, S8 (T2) 3, S9 (T3) 2 -> 1 of 3
    assert got[("2026-03-01", "chat", "delivery")] == pytest.approx(
        (5, 4, 1, 1 / 4, 1, 1 / 5, 3.0, 4 + 0.7 * (6 - 4), 17.0, 3, 1, 100 / 3)
    )
    assert got[("2026-03-01", "email", "account")][:4] == (1, 1, 1, 1.0)  # T6
    # T5: open, unanswered: no solved ticket, so no one-touch rate (null, not 0)
    assert got[("2026-03-01", "email", "billing")] == (1, 0, 0, None, 0, 0.0, None, None, None, 0, 0, None)


def test_retention_cohorts_by_first_valid_order_month(marts):
    rows = bi(
        marts,
        "select cohort_month::varchar, months_since_first_order, cohort_customers, active_customers, retention_rate "
        "from mart_retention_cohorts order by 1, 2",
    )
    assert rows == [
        # December 2025: C1 (O1) and C2 (O4, 2025-12-31 23:30)
        ("2025-12-01", 0, 2, 2, 1.0),
        ("2025-12-01", 1, 2, 1, 1 / 2),  # C1's O2; C2's first order was on the last evening of the year
        ("2025-12-01", 2, 2, 0, 0.0),  # C2's February order O5 was cancelled
        ("2025-12-01", 3, 2, 1, 1 / 2),  # C1's O3; C2's O9 comes after the as-of date
        # February 2026: C3, whose January order O6 was returned
        ("2026-02-01", 0, 1, 1, 1.0),
        ("2026-02-01", 1, 1, 0, 0.0),
        # March 2026: the prospect P (O8)
        ("2026-03-01", 0, 1, 1, 1.0),
    ]


def test_journey_funnel_per_first_seen_cohort(marts):
    rows = bi(
        marts,
        "select cohort_month::varchar, journey_stage, cohort_customers, customers, converted_from_previous_stage, "
        "previous_stage_customers, conversion_rate, median_days_from_first_seen from mart_journey_funnel",
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert len(rows) == 5 * 5  # five cohorts (Oct, Nov, Jan, Feb, Mar) x five stages
    # October 2025: C1 reaches every stage; web visit E1 61 days after the CRM record (2025-10-01)
    assert got[("2025-10-01", "awareness")] == (1, 1, 0, 0, None, 61.0)
    assert [got[("2025-10-01", s)][4] for s in ("consideration", "purchase", "service", "loyalty")] == [1.0] * 4
    # November 2025: C2 starts at consideration (an e-mail click): no awareness step to convert from
    assert got[("2025-11-01", "awareness")][1] == 0
    assert got[("2025-11-01", "consideration")][1:5] == (1, 0, 0, None)
    assert got[("2025-11-01", "purchase")][1:5] == (1, 1, 1, 1.0)
    # February 2026: C4 never bought, yet had service (a ticket) and loyalty (an NPS answer)
    assert got[("2026-02-01", "purchase")][1:5] == (0, 0, 0, None)
    assert got[("2026-02-01", "service")][1:5] == (1, 0, 0, None)
    assert got[("2026-02-01", "loyalty")][1:5] == (1, 1, 1, 1.0)
    # March 2026: anon-1 (a web visit) and P (first seen 2026-03-05 00:00, order O8 at 10:00)
    assert got[("2026-03-01", "awareness")] == (2, 1, 0, 0, None, 0.0)
    assert got[("2026-03-01", "consideration")][1:5] == (0, 0, 1, 0.0)  # 0 of the 1 aware customer
    assert got[("2026-03-01", "purchase")] == pytest.approx((2, 1, 0, 0, None, 10 / 24))


def test_daily_kpis_over_the_90_days_ending_each_day(marts):
    rows = bi(
        marts,
        "select day::varchar, nps_responses, nps, csat_responses, csat_pct, ces_avg, revenue, valid_orders, "
        "active_customers, repeat_customers, repeat_purchase_rate, tickets, complaints from mart_cx_kpis_daily",
    )
    got = {r[0]: r[1:] for r in rows}
    assert min(got) == "2025-12-01" and max(got) == AS_OF and len(got) == 31 + 31 + 28 + 31
    # 2026-01-01 .. 2026-03-31: valid orders O2 (C1), O3 (C1), O7 (C3), O8 (P); O1 and O4 are older
    # NPS S1 9, S6 8, S19 4, S2 6, S3 7, S4 10, S5 3 -> 100 x (2 - 3) / 7
    # CSAT S17, S16, S18, S7, S8, S9, S20, S10, S11 -> 4, 5, 5, 4, 3, 2, 1, 5, 1: 5 of 9 satisfied
    assert got[AS_OF] == pytest.approx(
        (7, 100 * (2 - 3) / 7, 9, 100 * 5 / 9, (5 + 4 + 7 + 6) / 4, 50 + 30 + 300 + 40, 4, 3, 1, 1 / 3, 7, 3)
    )
    # 2025-10-23 .. 2026-01-20: O1 and O2 (C1), O4 (C2); the returned O6 is no order
    assert got["2026-01-20"][5:10] == pytest.approx((100 + 50 + 200, 3, 2, 1, 1 / 2))
    assert got["2025-12-01"][:2] == (0, None)  # no answers yet: null, not 0


def test_touchpoint_nps_impact_compares_respondents_with_and_without(marts):
    rows = bi(marts, "select * from mart_touchpoint_nps_impact where touchpoint = 'ticket_opened'")
    # answers with a customer: S1 C1 9, S6 C4 8, S19 C1 4, S2 C2 6, S3 C3 7, S4 P 10 (S5 has no customer)
    # a ticket opened in the 90 days before answering: S19 (T1), S2 (T2), S3 (T3) -> 4, 6, 7: NPS -200/3
    # the others: S1, S6, S4 -> 9, 8, 10: NPS 200/3
    assert rows == [
        pytest.approx(("ticket_opened", 3, 0, 2, -200 / 3, 3, 2, 0, 200 / 3, -400 / 3)),
    ]


def test_voice_of_customer_shares(marts):
    rows = bi(
        marts,
        "select month::varchar, department, kind, topic, mentions, share_pct, avg_rating from mart_voice_of_customer",
    )
    assert sorted(rows) == [
        ("2026-01-01", "logistics", "complaint", "delivery delay", 1, 100.0, 2.0),
        ("2026-02-01", "logistics", "compliment", "fast delivery", 1, 100.0, 5.0),
        ("2026-03-01", "billing", "complaint", "double charge", 1, 50.0, None),
        ("2026-03-01", "logistics", "complaint", "delivery delay", 1, 50.0, 1.0),
    ]


def test_follow_up_queue_members(marts):
    settings = marts[0]
    ids = crm_ids(marts)
    rows = query(
        settings.restricted_db_path,
        "select customer_key, signal, source_id, pii_email, latest_touchpoint from mart_follow_up_queue",
    )
    # queued: C2's detractor S2 (activity A2 at the very same second does not close it; ticket T7's reply
    # comes after the as-of date); C4's low CSAT S11 (A4 is after the as-of date); the prospect's complaint
    # F1. Not queued: C1's detractor S19 (answered by T6's first response an hour later), C3's low CSAT S9
    # (meeting A3 the next day), S20 (a second before the 30 days), S5 and F2 (no customer), F4 (January).
    assert sorted((ids[k], s, src, e, t) for k, s, src, e, t in rows) == [
        ("C2", "detractor", "S2", "bogdan@example.com", "ticket_opened"),  # T7, 2026-03-30
        ("C4", "low_csat", "S11", "dan@example.com", "survey_csat"),
        ("P", "complaint", "F1", "pete@example.com", "complaint"),
    ]
