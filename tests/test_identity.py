"""Identity resolution on a hand-made landing zone: one case per rule of model.md, exact assignments.

The cases (tests/landings.py, IDENTITY_LANDING) are delivered beside the demo, whose ids they never
take, and read back by id.
"""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import query


def key(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def resolved(demo_full):
    settings, _ = demo_full
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
