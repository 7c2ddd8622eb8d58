"""The rules of the published CX marts, written once as dbt tests in the marts' YAML.

No pipeline build of its own: hand-made, broken mart tables and a real `dbt test` of the real project
on them (tests/dbt_tests.py). What a reader
of a failed run sees: the failing test, its count of failing rows, and those rows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orchestration.runner import failing_rows


@pytest.fixture(scope="module")
def dbt_test(dbt_tests) -> tuple[Path, dict, dict]:
    """(database, manifest, {(model, test, column): (status, failures, node)}) of the marts' data tests."""
    db, target = Path(dbt_tests["db"]), Path(dbt_tests["target"])
    assert dbt_tests["returncode"] == 1, dbt_tests["stdout"]  # tests failed; dbt itself ran
    manifest = json.loads((target / "manifest.json").read_text())
    outcomes = {}
    for r in json.loads((target / "run_results.json").read_text())["results"]:
        node = manifest["nodes"].get(r["unique_id"])
        if node is None or node["resource_type"] != "test":  # a unit test (test_dbt_unit.py), the run's hooks
            continue
        if "test_metadata" in node:
            key = (
                manifest["nodes"][node["attached_node"]]["name"],
                node["test_metadata"]["name"],
                node.get("column_name"),
            )
        else:  # a singular test (dbt_project/tests/), by its own name
            key = (None, node["name"], None)
        assert key not in outcomes, key
        outcomes[key] = (r["status"], r["failures"], node)
    return db, manifest, outcomes


def _failing_rows(db: Path, node: dict, columns: str) -> list[tuple]:
    """The rows a failed test returns, as a blocked run shows them (runner.failing_rows)."""
    rows = failing_rows(db, db.parent / "target", node["unique_id"])
    return sorted((tuple(row[c.strip()] for c in columns.split(",")) for row in rows), key=repr)


def test_broken_mart_rows_fail_the_dbt_tests_that_hold_their_rules(dbt_test):
    db, _, outcomes = dbt_test
    failed = {key: failures for key, (status, failures, _) in outcomes.items() if status == "fail"}
    assert failed == {
        ("mart_nps", "ratio_of", "nps"): 3,  # rounded, not null over zero responses, 140
        ("mart_nps", "accepted_range", "nps"): 1,
        ("mart_nps", "first_day_of_month", "month"): 1,
        ("mart_voice_of_customer", "accepted_range", "share_pct"): 1,
        ("mart_voice_of_customer", "expression_is_true", None): 2,  # 7 mentions of 5; a null count
        ("mart_voice_of_customer", "non_negative_counts", None): 1,
        ("mart_voice_of_customer", "documented_columns_exist", None): 1,
        (None, "assert_every_staged_event_in_journey_once", None): 2,
        ("int_experience_events_mapped", "one_row_per_row_of", None): 1,
    }
    # a missing column also breaks the tests that read it; documented_columns_exist names it
    errors = {key for key, (status, _, _) in outcomes.items() if status == "error"}
    assert errors == {
        ("mart_voice_of_customer", "accepted_range", "avg_rating"),
        ("mart_voice_of_customer", "ratio_of", "avg_rating"),
    }
    assert all(status == "pass" for key, (status, _, _) in outcomes.items() if key not in failed and key not in errors)

    # the failing rows, as a data engineer reads them after a blocked run
    _, _, ratio = outcomes[("mart_nps", "ratio_of", "nps")]
    assert _failing_rows(db, ratio, "segment, responses, nps") == [
        ("all", 0, 0.0),
        ("all", 1, 140.0),
        ("unknown", 1, -99.99),
    ]
    _, _, share = outcomes[("mart_voice_of_customer", "accepted_range", "share_pct")]
    assert _failing_rows(db, share, "topic, share_pct") == [("delivery delay", 140.0)]
    _, _, month = outcomes[("mart_nps", "first_day_of_month", "month")]
    assert [str(m) for (m,) in _failing_rows(db, month, "month")] == ["2026-04-02"]
    _, _, documented = outcomes[("mart_voice_of_customer", "documented_columns_exist", None)]
    assert _failing_rows(db, documented, "missing_column") == [("avg_rating",)]


def _published_marts(manifest: dict) -> dict[str, dict]:
    def targets(node: dict) -> set[str]:
        publish = node["config"].get("meta", {}).get("publish") or []
        return {publish} if isinstance(publish, str) else set(publish)

    return {
        n["unique_id"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["name"].startswith("mart_") and targets(n) & {"bi", "restricted"}
    }


# model.md's naming conventions, and the test that holds each in the marts' YAML
CONVENTIONS = (
    (r"\w+_pct|nps(_with|_without)?|\w+_rate|ces_avg|avg_rating", "accepted_range"),
    (r"(\w+_)?month", "first_day_of_month"),
)
NOT_RATES = {"orders_missing_fx_rate"}  # a count, though it ends with _rate


def test_every_published_mart_tests_its_grain_columns_counts_and_conventions(dbt_test):
    _, manifest, _ = dbt_test
    marts = _published_marts(manifest)
    assert "mart_nps" in {m["name"] for m in marts.values()} and len(marts) == 13
    tests: dict[str, set[tuple[str, str | None]]] = {uid: set() for uid in marts}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node") in marts and node.get("test_metadata"):
            tests[node["attached_node"]].add((node["test_metadata"]["name"], node.get("column_name")))
    for uid, mart in marts.items():
        found = tests[uid]
        name = mart["name"]
        assert {("documented_columns_exist", None), ("non_negative_counts", None)} <= found, name
        assert ("unique_combination_of_columns", None) in found, f"{name}: its grain is untested"
        for column in mart["columns"]:
            for pattern, test in CONVENTIONS:
                if re.fullmatch(pattern, column) and column not in NOT_RATES:
                    assert (test, column) in found, f"{name}.{column} has no {test} test"


def test_the_reconciliation_names_the_staged_event_the_journey_lost_and_the_one_it_holds_twice(dbt_test, dbt_tests):
    db, _, outcomes = dbt_test
    _, _, node = outcomes[(None, "assert_every_staged_event_in_journey_once", None)]
    rows = _failing_rows(db, node, "source_entity, source_id, touchpoint, occurrences_in_journey, is_staged")
    assert rows == sorted([(*dbt_tests["journey_lost"], 0, True), (*dbt_tests["journey_doubled"], 2, True)], key=repr)


def test_a_lookup_row_held_twice_fans_out_the_view_and_its_counts_say_by_how_much(dbt_test, dbt_tests):
    db, _, outcomes = dbt_test
    _, _, node = outcomes[("int_experience_events_mapped", "one_row_per_row_of", None)]
    rows = _failing_rows(db, node, "model_rows, of_rows")
    journey = dbt_tests["journey_rows"]
    assert rows == [(journey + dbt_tests["fanned_out_rows"], journey)]
