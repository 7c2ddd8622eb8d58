"""Identity resolution on a hand-made landing zone: one case per rule of model.md, exact assignments."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import query, write_landing
from tests.pipeline import build

CRM = """customer_id,email,phone,first_name,last_name,country,segment,marketing_consent,created_at,updated_at
C1,Anna.Kowalska@Example.com,+48 601 234 567,Anna,Kowalska,PL,consumer,yes,2026-01-01,2026-01-01
C2,jan@x.pl,601-234-568,Jan,Nowak,PL,smb,no,2026-01-01,2026-01-01
C3,dup@x.com,0040 721 234 567,Ștefan,Rădulescu,RO,consumer,,2026-01-01,2026-01-01
C4, DUP@x.com ,,Ștefan,Radulescu,RO,consumer,,2026-01-02,2026-01-02
C5,,+48 601 234 569,Jürgen,Groß,PL,enterprise,,2026-01-01,2026-01-01
C6,ana@x.ro,(030) 1234567,Ana,Popescu,DE,consumer,,2026-01-01,2026-01-01
"""
SALES_CUSTOMERS = """customer_number,email,phone,full_name,country,crm_customer_id,created_at,updated_at
N1,,,Anna K,PL,C1,2026-01-01,2026-01-01
N2,jan@x.pl,,Jan N,PL,C999,2026-01-01,2026-01-01
N3,,+48 601 234 569,J G,PL,,2026-01-01,2026-01-01
N4,New@Shop.com,,New Shopper,PL,,2026-01-01,2026-01-01
N5,,,Walk In,PL,,2026-01-01,2026-01-01
N6,dup@x.com,,S R,RO,,2026-01-01,2026-01-01
N7,ANA@x.ro,,A P,DE,,2026-01-01,2026-01-01
N8,,721 234 567,S R,RO,,2026-01-01,2026-01-01
"""
ORDERS = """order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,delivered_at,updated_at
O1,N1,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O2,N2,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O3,N3,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O4,N4,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O5,N5,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O6,N6,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O7,N404,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
"""
EVENTS = """event_id,event_type,occurred_at,campaign_id,contact_email,anonymous_id,crm_customer_id,utm_source,utm_medium,cost
E1,web_visit,2026-01-10T10:00:00Z,,anna.kowalska@example.com,,C2,,,
E2,email_click,2026-01-10T10:00:00Z,, anna.kowalska@example.com ,,,,,
E3,email_open,2026-01-10T10:00:00Z,,jan@x.pl,,C777,,,
E4,web_visit,2026-01-10T10:00:00Z,,,anon-1,,,,
E5,signup,2026-01-10T10:00:00Z,,new@shop.com,,,,,
E6,ad_click,2026-01-10T10:00:00Z,,,,,,,
E7,email_open,2026-01-10T10:00:00Z,,dup@x.com,,,,,
"""
TICKETS = """ticket_id,created_at,channel,category,status,requester_email,requester_phone,crm_customer_id,updated_at
T1,2026-02-02T10:00:00Z,phone,delivery,open,,+48601234567,,2026-02-02T10:00:00Z
T2,2026-02-02T10:00:00Z,phone,delivery,open,,601 234 568,C6,2026-02-02T10:00:00Z
T3,2026-02-02T10:00:00Z,email,billing,open,x@y.z,601 234 568,,2026-02-02T10:00:00Z
T4,2026-02-02T10:00:00Z,phone,other,open,,0048 601 234 568,,2026-02-02T10:00:00Z
"""
SURVEYS = """response_id,survey_type,score,responded_at,touchpoint,respondent_email,crm_customer_id,ticket_id,order_id
S1,nps,9,2026-02-03T10:00:00Z,delivery,jan@x.pl,,,O1
S2,csat,4,2026-02-03T10:00:00Z,support,,,T1,
"""
FEEDBACK = """feedback_id,created_at,source,kind,author_email,author_handle,crm_customer_id,text
F1,2026-02-04T10:00:00Z,social_media,complaint,,@anna,,slow
F2,2026-02-04T10:00:00Z,email,compliment,,,C3,great
"""
ACTIVITIES = """activity_id,customer_id,activity_type,occurred_at
A1,C1,call,2026-01-05T10:00:00Z
A2,C999,meeting,2026-01-05T10:00:00Z
"""


def key(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    root = tmp_path_factory.mktemp("identity")
    landing = write_landing(
        root / "landing",
        {
            "crm/customers/c.csv": CRM,
            "crm/activities/a.csv": ACTIVITIES,
            "sales/customers/c.csv": SALES_CUSTOMERS,
            "sales/orders/o.csv": ORDERS,
            "marketing/events/e.csv": EVENTS,
            "support/tickets/t.csv": TICKETS,
            "support/surveys/s.csv": SURVEYS,
            "support/feedback/f.csv": FEEDBACK,
        },
    )
    settings, outcome = build(landing, root / "warehouse")
    assert outcome.success, outcome.failures
    return settings


def assignments(settings):
    rows = query(
        settings.duckdb_path,
        """
        select source_entity, source_id, crm_customer_id, match_rule, prospect_kind, prospect_key, customer_key
        from intermediate.int_identity__assignments
    """,
    )
    return {(r[0], r[1]): r[2:] for r in rows}


EXPECTED = {
    # (source_entity, source_id): (crm_customer_id, match_rule, prospect_kind, prospect_key)
    ("customers", "C1"): ("C1", "crm_master", None, None),
    ("customers", "N1"): ("C1", "explicit_crm_id", None, None),
    ("customers", "N2"): ("C2", "email", None, None),  # unknown id C999 ignored, email next
    ("customers", "N3"): ("C5", "phone", None, None),
    ("customers", "N4"): (None, "prospect_email", "email", "new@shop.com"),
    ("customers", "N5"): (None, "prospect_customer_number", "customer_number", "N5"),
    ("customers", "N6"): (None, "ambiguous", None, None),  # C3 and C4 share dup@x.com
    ("customers", "N7"): ("C6", "email", None, None),
    ("customers", "N8"): ("C3", "phone", None, None),  # 721 234 567 in RO = C3's 0040 721 234 567
    ("orders", "O1"): ("C1", "sales_customer_crm_id", None, None),
    ("orders", "O2"): ("C2", "sales_customer_email", None, None),
    ("orders", "O3"): ("C5", "sales_customer_phone", None, None),
    ("orders", "O4"): (None, "prospect_email", "email", "new@shop.com"),
    ("orders", "O5"): (None, "prospect_customer_number", "customer_number", "N5"),
    ("orders", "O6"): (None, "ambiguous", None, None),
    ("orders", "O7"): (None, "prospect_customer_number", "customer_number", "N404"),
    ("events", "E1"): ("C2", "explicit_crm_id", None, None),  # the explicit id beats the e-mail
    ("events", "E2"): ("C1", "email", None, None),
    ("events", "E3"): ("C2", "email", None, None),  # unknown C777 falls through
    ("events", "E4"): (None, "prospect_anonymous_id", "anonymous_id", "anon-1"),
    ("events", "E5"): (None, "prospect_email", "email", "new@shop.com"),
    ("events", "E6"): (None, "no_identifier", None, None),
    ("events", "E7"): (None, "ambiguous", None, None),
    ("tickets", "T1"): ("C1", "phone", None, None),
    ("tickets", "T2"): ("C6", "explicit_crm_id", None, None),
    ("tickets", "T3"): (None, "prospect_email", "email", "x@y.z"),  # no region: 601 234 568 does not parse
    ("tickets", "T4"): ("C2", "phone", None, None),  # 0048 is read as +48
    ("surveys", "S1"): ("C2", "email", None, None),  # its order_id (O1 -> C1) is not used
    ("surveys", "S2"): (None, "no_identifier", None, None),  # nor its ticket_id
    ("feedback", "F1"): (None, "no_identifier", None, None),  # a social handle is not a prospect key
    ("feedback", "F2"): ("C3", "explicit_crm_id", None, None),
    ("activities", "A1"): ("C1", "explicit_crm_id", None, None),
}


@pytest.mark.parametrize("record", sorted(EXPECTED), ids=lambda r: f"{r[0]}-{r[1]}")
def test_each_record_is_assigned_by_the_first_rule_that_answers(resolved, record):
    got = assignments(resolved)[record]
    assert got[:4] == EXPECTED[record]


def test_customer_keys_are_stable_hashes_and_prospects_are_shared_across_systems(resolved):
    got = assignments(resolved)
    assert got[("orders", "O1")][4] == key("crm:C1")
    assert got[("events", "E5")][4] == got[("orders", "O4")][4] == key("prospect:email:new@shop.com")
    assert got[("orders", "O7")][4] == key("prospect:customer_number:N404")
    assert got[("events", "E6")][4] is None and got[("orders", "O6")][4] is None


def test_crm_duplicates_are_listed_never_merged(resolved):
    pairs = query(resolved.duckdb_path, "select * from intermediate.crm_duplicate_candidates")
    flat = [set(map(str, r)) for r in pairs]
    assert any({"C3", "C4"} <= r for r in flat)
    assert (
        len(
            {
                c
                for (c,) in query(
                    resolved.duckdb_path,
                    "select customer_key from marts.dim_customer where crm_customer_id in ('C3', 'C4')",
                )
            }
        )
        == 2
    )


def test_ambiguity_and_unknown_ids_are_reported_for_every_record(resolved):
    rows = query(resolved.duckdb_path, "select source_id, reason from intermediate.identity_exceptions")
    got = {(r[0], r[1]) for r in rows}
    assert {("N6", "ambiguous"), ("O6", "ambiguous"), ("E7", "ambiguous")} <= got
    assert {("N2", "unknown_crm_id"), ("O2", "unknown_crm_id"), ("E3", "unknown_crm_id")} <= got
    assert ("A2", "unknown_crm_id") in got


def test_phone_keys_are_e164(resolved):
    rows = dict(
        query(
            resolved.duckdb_path,
            "select source_id, phone_key from intermediate.int_identity__assignments "
            "where source_entity = 'customers' and source_system = 'crm'",
        )
    )
    assert (rows["C1"], rows["C2"], rows["C3"], rows["C6"]) == (
        "+48601234567",
        "+48601234568",
        "+40721234567",
        "+49301234567",
    )


def test_names_with_diacritics_round_trip_to_the_restricted_database(resolved):
    names = query(resolved.restricted_db_path, "select * from dim_customer where crm_customer_id = 'C3'")
    assert any("Ștefan" in str(v) and "Rădulescu" in str(v) for v in names[0]) or any(
        "Rădulescu" in str(v) for v in names[0]
    )
