"""Great Expectations suites of the published CX marts, run as blocking checks before publishing.

The suites are generated from the dbt manifest (orchestration/quality/mart_suites.py); real GX
validations on real DataFrames, one real pipeline build on a real DuckDB warehouse, and real Dagster
runs of the check and the publish step on it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.quality import mart_suites, sampling
from orchestration.quality.gx_checks import MART_CHECK, published_mart_checks, published_table_check
from orchestration.quality.gx_runner import validate
from orchestration.quality.mart_suites import (
    RECONCILIATIONS,
    SUITES_DIR,
    Ratio,
    convention,
    generate,
    load_manifest,
    marts_to_publish,
    suite_path,
)
from orchestration.resources import WarehouseResource
from orchestration.settings import EXPECTATIONS_DIR
from tests.conftest import query

NPS_SUITE = suite_path("mart_nps")


def failure(outcome, expectation: str, column: str, why: str | None = None) -> dict:
    found = [
        f
        for f in outcome.failed
        if f["expectation"] == expectation and f.get("column") == column and (why is None or why in f.get("why", ""))
    ]
    assert found, f"{expectation} on {column} did not fail; failures: {outcome.failed}"
    return found[0]


def nps_frame() -> pd.DataFrame:
    """A correct mart_nps: one month, the all x all total and two detail rows (one ratio over zero)."""
    month = pd.Timestamp("2026-03-01")
    return pd.DataFrame(
        {
            "month": [month, month, month, pd.Timestamp("2026-04-01")],
            "segment": ["all", "consumer", "unknown", "all"],
            "value_tier": ["all", "high", "none", "all"],
            "responses": [4, 3, 1, 0],
            "promoters": [2, 2, 0, 0],
            "passives": [1, 1, 0, 0],
            "detractors": [1, 0, 1, 0],
            "nps": [25.0, 100 * 2 / 3, -100.0, None],
        }
    )


# the suites ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest()


def test_suite_files_equal_a_fresh_generation_from_the_manifest(manifest):
    expected = generate(EXPECTATIONS_DIR, manifest)
    on_disk = {p: p.read_text(encoding="utf-8") for p in SUITES_DIR.glob("*.json")}
    assert sorted(on_disk) == sorted(expected), "run `python -m orchestration.quality.mart_suites`"
    for path, text in expected.items():
        assert on_disk[path] == text, (
            f"{path.name} drifted from its model: run `python -m orchestration.quality.mart_suites`"
        )


def test_every_published_mart_has_a_suite_and_nothing_else_does(manifest):
    def targets(node: dict) -> set[str]:
        publish = node["config"].get("meta", {}).get("publish") or []
        return {publish} if isinstance(publish, str) else set(publish)

    published = {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["name"].startswith("mart_") and targets(n) & {"bi", "restricted"}
    }
    assert {p.stem for p in SUITES_DIR.glob("*.json")} == published
    assert "mart_nps" in published and "mart_follow_up_queue" in published
    assert "mart_data_trust" not in published  # built by the publish step, not by dbt
    assert set(RECONCILIATIONS) <= published


def test_a_suite_holds_the_grain_the_tests_and_the_conventions():
    suite = json.loads(NPS_SUITE.read_text())
    assert suite["name"] == "marts.mart_nps"
    assert suite["meta"]["cx360"]["key"] == ["month", "segment", "value_tier"]
    kinds = {(e["type"], json.dumps(e["kwargs"], sort_keys=True)) for e in suite["expectations"]}
    assert (
        "expect_compound_columns_to_be_unique",
        json.dumps({"column_list": ["month", "segment", "value_tier"]}),
    ) in kinds
    for column in ("month", "segment", "value_tier", "responses"):
        assert ("expect_column_values_to_not_be_null", json.dumps({"column": column})) in kinds
    assert (
        "expect_column_values_to_be_between",
        json.dumps({"column": "nps", "max_value": 100.0, "min_value": -100.0}, sort_keys=True),
    ) in kinds
    [segment] = [
        e["kwargs"]["value_set"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "segment"
    ]
    assert segment == ["consumer", "smb", "enterprise", "unknown", "all"]  # the model's accepted_values
    for e in suite["expectations"]:
        assert e["meta"]["why"], e


@pytest.mark.parametrize(
    ("column", "low", "high"),
    [
        ("csat_pct", 0, 100),
        ("csat_pct_target", 0, 100),
        ("csat_pct_gap", -100, 100),
        ("nps", -100, 100),
        ("nps_with", -100, 100),
        ("nps_difference", -200, 200),
        ("nps_gap", -200, 200),
        ("nps_responses", 0, None),  # a count, though it starts with nps_
        ("repeat_purchase_rate", 0, 1),
        ("orders_missing_fx_rate", 0, None),  # a count, though it ends with _rate
        ("respondents_without", 0, None),
        ("month_feedback", 0, None),
        ("median_first_response_hours", 0, None),
        ("ces_avg", 1, 7),
    ],
)
def test_naming_conventions(column, low, high):
    c = convention(column)
    assert (c.min_value, c.max_value) == (low, high), c


def test_cx_targets_are_ranged_by_their_metric():
    suite = json.loads(suite_path("mart_cx_targets").read_text())
    ranged = {
        (e["kwargs"]["column"], e["kwargs"]["row_condition"]["parameter"]): (
            e["kwargs"]["min_value"],
            e["kwargs"]["max_value"],
        )
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_between" and e["kwargs"].get("row_condition")
    }
    assert ranged[("actual", "nps")] == (-100, 100)
    assert ranged[("actual", "csat_pct")] == (0, 100)
    assert ranged[("target", "ces")] == (1, 7)
    assert ranged[("gap", "nps")] == (-200, 200)


def _manifest_with(model: dict, tests: list[dict]) -> dict:
    """A manifest holding one model, mart_x, and the given tests of it."""
    uid = "model.cx360.mart_x"
    nodes = {uid: {"resource_type": "model", "unique_id": uid, "schema": "marts", "name": "mart_x", **model}}
    for i, t in enumerate(copy.deepcopy(tests)):
        nodes[f"test.cx360.t{i}"] = {
            "resource_type": "test",
            "unique_id": f"test.cx360.t{i}",
            "attached_node": uid,
            "config": {"severity": "ERROR", "enabled": True, **t.pop("config", {})},
            **t,
        }
    return {"nodes": nodes}


def _test(name: str, column: str | None = None, severity: str = "ERROR", **kwargs) -> dict:
    return {"column_name": column, "test_metadata": {"name": name, "kwargs": kwargs}, "config": {"severity": severity}}


def test_suites_follow_the_model_and_refuse_a_mart_without_a_grain():
    model = {
        "config": {"meta": {"publish": ["bi"]}},
        "columns": {"day": {}, "kind": {}, "tickets": {}, "solved_rate": {}},
    }
    grain = _test("unique_combination_of_columns", combination_of_columns=["day", "kind"])
    kinds = _test("accepted_values", "kind", values=["a", "b"])
    warned = _test("accepted_values", "kind", "warn", values=["a"])  # a warning does not gate publishing
    [mart] = marts_to_publish(_manifest_with(model, [grain, kinds, warned, _test("unique", "tickets")]))
    assert (mart.table, mart.grain, mart.unique, mart.accepted_values) == (
        "marts.mart_x",
        ("day", "kind"),
        ("tickets",),
        {"kind": ("a", "b")},
    )
    suite = mart_suites.build_suite(mart).to_json_dict()
    between = {
        e["kwargs"]["column"]: e["kwargs"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_between"
    }
    assert between["tickets"]["min_value"] == 0 and between["solved_rate"]["max_value"] == 1
    assert {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "tickets"}}.items() <= next(
        e for e in suite["expectations"] if e["type"] == "expect_column_values_to_be_unique"
    ).items()
    # a one-column grain may be a dbt unique test
    [by_unique] = marts_to_publish(_manifest_with(model, [_test("unique", "day")]))
    assert (by_unique.grain, by_unique.unique) == (("day",), ())
    with pytest.raises(ValueError, match="no unique_combination_of_columns test"):
        marts_to_publish(_manifest_with(model, [kinds]))
    assert marts_to_publish(_manifest_with({**model, "config": {"meta": {"publish": "nowhere"}}}, [grain])) == []


def test_a_reconciliation_naming_an_undocumented_column_is_refused(monkeypatch, manifest):
    monkeypatch.setitem(RECONCILIATIONS, "mart_nps", (Ratio("nps", "promoters", "answers", 100),))
    with pytest.raises(ValueError, match=r"mart_nps name columns \['answers'\]"):
        generate(EXPECTATIONS_DIR, manifest)


# the runner on mart rows -----------------------------------------------------------------------


def test_a_correct_mart_passes():
    outcome = validate(nps_frame(), NPS_SUITE, None)
    assert outcome.success, outcome.failed
    assert outcome.statistics["evaluated_expectations"] > 15


def test_a_range_and_the_grain_fail_with_the_expectation_and_sample_values():
    df = nps_frame()
    df.loc[1, "nps"] = 150.0  # out of -100..100 (and no longer 100 x (2 - 0) / 3)
    df.loc[2, ["month", "segment", "value_tier"]] = [pd.Timestamp("2026-03-01"), "consumer", "high"]  # grain repeated
    outcome = validate(df, NPS_SUITE, None)
    assert not outcome.success
    nps = failure(outcome, "expect_column_values_to_be_between", "nps")
    assert (nps["unexpected_count"], nps["sample_values"], nps["rule"]) == (
        1,
        [150.0],
        {"min_value": -100.0, "max_value": 100.0},
    )
    assert nps["sample_rows"] == [
        {"month": "2026-03-01T00:00:00", "segment": "consumer", "value_tier": "high", "nps": 150.0}
    ]
    grain = failure(outcome, "expect_compound_columns_to_be_unique", "month, segment, value_tier")
    assert grain["unexpected_count"] == 2
    assert {r["segment"] for r in grain["sample_rows"]} == {"consumer"}
    assert grain["why"] == "grain: month x segment x value_tier"


def test_reconciliations_fail_on_the_rows_that_break_them():
    df = nps_frame()
    df.loc[0, "passives"] = 2  # promoters + passives + detractors = 5, responses 4
    df.loc[2, "nps"] = -99.99  # rounded: -100 exactly
    df.loc[3, "nps"] = 0.0  # a ratio over zero responses is null, never 0
    df.loc[3, "month"] = pd.Timestamp("2026-04-02")  # a month is its first day
    outcome = validate(df, NPS_SUITE, None)
    parts = failure(outcome, "expect_column_values_to_be_in_set", "responses", "promoter, a passive or a detractor")
    assert (parts["sample_values"], parts["sample_rows"][0]["segment"]) == ([4], "all")
    assert "responses == promoters + passives + detractors" in parts["condition"]
    rounded = failure(outcome, "expect_column_values_to_be_in_set", "nps", "unrounded")
    assert rounded["sample_values"] == [-99.99]
    over_zero = failure(outcome, "expect_column_values_to_be_in_set", "nps", "null, never 0")
    assert over_zero["sample_values"] == [0.0]
    month = failure(outcome, "expect_column_values_to_be_in_set", "month", "first day")
    assert month["sample_values"] == ["2026-04-02T00:00:00"]
    assert len(outcome.failed) == 4, outcome.failed


# the pipeline: checks wired, blocking the publish step -----------------------------------------


@pytest.fixture(scope="module")
def warehouse(journey_warehouse):
    return journey_warehouse


def test_the_build_runs_every_mart_suite_and_publishes(warehouse):
    settings, outcome = warehouse
    rows = query(
        settings.duckdb_path,
        "select table_name, passed, metadata from ops.check_results where run_id = ? and check_name = ?",
        [outcome.run_id, MART_CHECK],
    )
    assert rows, "no gx_mart_suite check ran: wire published_mart_checks() into orchestration/definitions.py"
    assert {r[0] for r in rows} == {p.stem for p in SUITES_DIR.glob("*.json")}
    assert all(passed for _, passed, _ in rows), [r for r in rows if not r[1]]
    nps = json.loads(next(m for t, _, m in rows if t == "mart_nps"))
    assert nps["table"] == "marts.mart_nps" and nps["rows_validated"] > 0


def _publications(settings) -> int:
    return query(settings.duckdb_path, "select count(*) from ops.publications")[0][0]


def _run_check_and_publish(settings, expectations_dir: Path):
    """A Dagster run of the mart_nps check (suites of expectations_dir) and the real publish step.

    The mart itself is already built (by the pipeline), so its asset is a stand-in that does nothing.
    """
    from orchestration.assets.serving import published_marts

    [check] = [
        c
        for c in published_mart_checks(expectations_dir, every_published_mart=expectations_dir == EXPECTATIONS_DIR)
        if "mart_nps" in str(c.check_keys)
    ]
    [key] = {k.asset_key for k in check.check_keys}

    @dg.asset(key=key)
    def mart_nps_as_built() -> dg.MaterializeResult:
        return dg.MaterializeResult()

    return dg.materialize(
        [mart_nps_as_built, check, published_marts],
        resources={
            "warehouse": WarehouseResource(
                landing_dir=str(settings.landing_dir), warehouse_dir=str(settings.warehouse_dir)
            )
        },
        raise_on_error=False,
    )


def _published(result) -> bool:
    return dg.AssetKey(["serving", "published_marts"]) in {
        m.asset_key for m in result.get_asset_materialization_events()
    }


def test_a_failing_mart_suite_blocks_publishing(warehouse, tmp_path):
    settings, _ = warehouse
    # the suite as generated passes, and the publish step runs after it
    before = _publications(settings)
    passing = _run_check_and_publish(settings, EXPECTATIONS_DIR)
    assert passing.success and _published(passing)
    assert _publications(settings) > before

    # the same suite with one expectation this mart cannot meet: the one NPS answer (10) gives nps 100
    suite = json.loads(NPS_SUITE.read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "nps", "min_value": -100, "max_value": 50},
            "meta": {"why": "test: a range the mart cannot meet"},
        }
    )
    (tmp_path / "marts").mkdir()
    (tmp_path / "marts" / NPS_SUITE.name).write_text(json.dumps(suite))
    served = settings.marts_db_path.stat().st_mtime_ns
    published = _publications(settings)

    blocked = _run_check_and_publish(settings, tmp_path)
    assert not blocked.success
    assert not _published(blocked)  # blocked: the last good version stays in place, untouched
    assert settings.marts_db_path.stat().st_mtime_ns == served
    assert _publications(settings) == published
    [evaluation] = blocked.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed, evaluation.severity) == (
        MART_CHECK,
        False,
        dg.AssetCheckSeverity.ERROR,
    )
    assert "expect_column_values_to_be_between(nps)" in evaluation.description
    [failed] = evaluation.metadata["failed_expectations"].value
    assert (failed["sample_values"], failed["why"]) == ([100.0], "test: a range the mart cannot meet")
    # each failing row is named by the mart's grain
    assert ("all", "all") in {(r["segment"], r["value_tier"]) for r in failed["sample_rows"]}
    assert {tuple(r) for r in failed["sample_rows"]} == {("month", "segment", "value_tier", "nps")}

    # the published table, read directly, fails the variant in the same words
    con = duckdb.connect(str(settings.marts_db_path), read_only=True)
    try:
        table = con.execute("select * from mart_nps").df()
    finally:
        con.close()
    outcome = validate(table, tmp_path / "marts" / NPS_SUITE.name, None)
    [direct] = outcome.failed
    assert (direct["column"], direct["sample_values"], direct["unexpected_count"]) == (
        "nps",
        [100.0],
        failed["unexpected_count"],
    )


# a large mart: sampled, the grain on all rows ---------------------------------------------------


def _large_nps(db: Path, n: int, broken_at: int | None = None, duplicate: tuple[int, int] | None = None) -> None:
    """marts.mart_nps with n correct rows in the order of i (15 a month); broken_at: a row whose
    responses no longer add up; duplicate (a, b): row b gets row a's grain."""
    g = f"case when i = {duplicate[1]} then {duplicate[0]} else i end" if duplicate else "i"
    passives = "responses - promoters - detractors" + (f" + (i = {broken_at})::int" if broken_at is not None else "")
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            f"""create or replace table marts.mart_nps as
            with r as (
                select i, date '2000-01-01' + to_months(({g}) // 15) as month,
                    ['consumer', 'smb', 'enterprise', 'unknown', 'all'][({g}) % 5 + 1] as segment,
                    ['high', 'mid', 'low'][({g}) // 5 % 3 + 1] as value_tier,
                    i % 7 as responses, i % 7 // 2 as promoters, i % 7 // 3 as detractors
                from range({n}) t(i)
            )
            select month, segment, value_tier, responses, promoters, {passives} as passives, detractors,
                case when responses > 0 then 100 * (promoters - detractors) / responses end as nps
            from r order by i"""
        )
    finally:
        con.close()


def _nps_check(tmp_path) -> dg.AssetCheckEvaluation:
    @dg.asset(key=["marts", "mart_nps"])
    def mart_nps():
        return None

    result = dg.materialize(
        [mart_nps, published_table_check(["marts", "mart_nps"], "marts.mart_nps", NPS_SUITE, name=MART_CHECK)],
        resources={"warehouse": WarehouseResource(landing_dir=str(tmp_path), warehouse_dir=str(tmp_path / "wh"))},
        raise_on_error=False,
    )
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def test_a_large_mart_is_sampled_for_its_rows_and_checked_whole_for_its_grain(tmp_path, monkeypatch):
    monkeypatch.setattr(sampling, "SAMPLE_ROWS", 500)
    (tmp_path / "wh").mkdir()
    db = tmp_path / "wh" / "cx.duckdb"
    _large_nps(db, 3000)
    passing = _nps_check(tmp_path)
    assert passing.passed, passing.metadata.get("failed_expectations")
    note = "validated 500 of 3,000 rows (deterministic sample); grain (month, segment, value_tier) checked on all rows"
    assert passing.description == note[0].upper() + note[1:]

    con = duckdb.connect(str(db), read_only=True)
    try:
        sample = sampling.read(con, "marts.mart_nps", json.loads(NPS_SUITE.read_text()))
        grain = ["month", "segment", "value_tier"]
        everything = con.execute("select month, segment, value_tier from marts.mart_nps").df()
    finally:
        con.close()
    index = everything.reset_index().merge(sample.frame[grain], on=grain)["index"]  # i of the sampled rows
    broken = int(index.min())
    a, b = sorted(set(range(3000)) - set(index))[:2]
    _large_nps(db, 3000, broken_at=broken, duplicate=(a, b))
    failing = _nps_check(tmp_path)
    assert not failing.passed
    failed = {f["expectation"]: f for f in failing.metadata["failed_expectations"].value}
    assert set(failed) == {"expect_compound_columns_to_be_unique", "expect_column_values_to_be_in_set"}
    assert failed["expect_compound_columns_to_be_unique"]["unexpected_count"] == 2  # rows outside the sample
    assert failed["expect_compound_columns_to_be_unique"]["why"] == "grain: month x segment x value_tier"
    parts = failed["expect_column_values_to_be_in_set"]
    assert "responses == promoters + passives + detractors" in parts["condition"]
    assert parts["unexpected_count"] == 1
    assert failing.description.endswith(f"({note})")
