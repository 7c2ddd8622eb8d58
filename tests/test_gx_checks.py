"""Great Expectations suites as files, the runner, and the blocking Dagster checks (quality.md).

Real GX validations on real DataFrames, real Dagster runs on real DuckDB files in temporary folders.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import great_expectations as gx
import pandas as pd
import pytest

from orchestration.contracts import entity
from orchestration.quality import gx_docs_dir, gx_runner, raw_suite_path
from orchestration.quality.gx_checks import RAW_CHECK, published_table_check, raw_asset_key, raw_batch_checks
from orchestration.quality.gx_runner import validate
from orchestration.quality.suites import generate
from orchestration.resources import WarehouseResource
from orchestration.settings import EXPECTATIONS_DIR
from tests.conftest import write_landing

SURVEYS = entity("support/surveys")
CUSTOMERS = entity("crm/customers")
CUSTOMERS_HEADER = (
    "customer_id,email,phone,first_name,last_name,country,segment,marketing_consent,created_at,updated_at\n"
)


def surveys_frame(n: int = 30) -> pd.DataFrame:
    types = ["nps", "csat", "ces"]
    return pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(n)],
            "survey_type": [types[i % 3] for i in range(n)],
            "score": [[9, 4, 6][i % 3] for i in range(n)],
            "responded_at": pd.Timestamp("2026-03-01 10:00:00"),
            "touchpoint": "delivery",
            "respondent_email": None,
            "crm_customer_id": None,
            "ticket_id": None,
            "order_id": None,
            "comment": "Dziękuję, świetnie!",
        }
    )


def customers_frame(n: int = 30, with_email: int | None = None) -> pd.DataFrame:
    with_email = n if with_email is None else with_email
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "email": [f"c{i}@example.com" if i < with_email else None for i in range(n)],
            "phone": None,
            "first_name": "Ștefan",
            "last_name": "Groß",
            "country": "PL",
            "segment": "consumer",
            "marketing_consent": True,
            "created_at": pd.Timestamp("2026-03-01"),
            "updated_at": pd.Timestamp("2026-03-02"),
            "_file_name": "customers.csv",
            "_row_number": range(1, n + 1),
        }
    )


def failure(outcome, expectation: str, column: str) -> dict:
    found = [f for f in outcome.failed if f["expectation"] == expectation and f.get("column") == column]
    assert found, f"{expectation} on {column} did not fail; failures: {outcome.failed}"
    return found[0]


# the suites ------------------------------------------------------------------------------------


def test_suite_files_equal_a_fresh_generation_from_the_contract():
    expected = generate(EXPECTATIONS_DIR)
    on_disk = {p: p.read_text(encoding="utf-8") for p in (EXPECTATIONS_DIR / "raw").glob("*.json")}
    assert sorted(on_disk) == sorted(expected), "run `python -m orchestration.quality.suites`"
    for path, text in expected.items():
        assert on_disk[path] == text, f"{path.name} drifted: run `python -m orchestration.quality.suites`"


def test_suites_hold_the_contract_rules():
    suite = json.loads(raw_suite_path(entity("sales/order_lines")).read_text())
    kinds = {(e["type"], json.dumps(e["kwargs"], sort_keys=True)) for e in suite["expectations"]}
    assert (
        "expect_compound_columns_to_be_unique",
        json.dumps({"column_list": ["order_id", "line_number"]}),
    ) in kinds
    quantity = next(
        e
        for e in suite["expectations"]
        if e["kwargs"].get("column") == "quantity" and e["type"] == "expect_column_values_to_be_between"
    )
    assert quantity["kwargs"] == {"column": "quantity", "min_value": 0.0, "strict_min": True}
    fx = json.loads(raw_suite_path(entity("sales/fx_rates")).read_text())
    assert {"rate_date", "currency"} <= set(
        next(e for e in fx["expectations"] if e["type"] == "expect_compound_columns_to_be_unique")["kwargs"][
            "column_list"
        ]
    )
    # every hand-tuned share says why and how many rows it needs
    for path in (EXPECTATIONS_DIR / "raw").glob("*.json"):
        for e in json.loads(path.read_text())["expectations"]:
            assert e["meta"].get("why"), (path.name, e["type"])
            if e["kwargs"].get("mostly", 1) < 1:
                assert e["meta"]["min_rows"] > 1, (path.name, e["kwargs"])


# the runner ------------------------------------------------------------------------------------


def test_a_good_batch_passes():
    outcome = validate(surveys_frame(), raw_suite_path(SURVEYS), None)
    assert outcome.success, outcome.failed
    assert outcome.failed == []
    assert outcome.statistics["rows"] == 30
    assert outcome.statistics["evaluated_expectations"] == outcome.statistics["successful_expectations"] > 10
    assert outcome.docs_index is None


def test_a_broken_export_fails_naming_the_expectation_with_samples():
    df = customers_frame(30, with_email=3)  # 90% empty emails: the export lost the column
    df.loc[7, "segment"] = "vip"  # an enum value outside the contract's list
    outcome = validate(df, raw_suite_path(CUSTOMERS), None)
    assert not outcome.success
    email = failure(outcome, "expect_column_values_to_not_be_null", "email")
    assert (email["unexpected_count"], email["unexpected_percent"], email["rule"]) == (
        27,
        90.0,
        {"mostly": 0.5},
    )
    assert "matched across systems on email" in email["why"]
    assert len(email["sample_rows"]) == 5
    segment = failure(outcome, "expect_column_values_to_be_in_set", "segment")
    assert segment["unexpected_count"] == 1
    assert segment["sample_values"] == ["vip"]
    # the row is named by its key and where it was delivered
    assert segment["sample_rows"] == [
        {"customer_id": "C7", "segment": "vip", "_file_name": "customers.csv", "_row_number": 8}
    ]
    assert len(outcome.failed) == 2


def test_a_duplicate_compound_key_and_a_missing_column_fail():
    lines = pd.DataFrame(
        {
            "order_id": ["O1", "O1", "O2"],
            "line_number": [1, 1, 1],
            "product_id": ["P1", "P2", "P3"],
            "quantity": [1, 2, 0],  # quantity > 0
            "unit_price": [9.5, 1.0, 2.0],
            "discount_amount": [None, None, None],
        }
    )  # product_category missing
    outcome = validate(lines, raw_suite_path(entity("sales/order_lines")), None)
    assert failure(outcome, "expect_compound_columns_to_be_unique", "order_id, line_number")["unexpected_count"] == 2
    assert failure(outcome, "expect_column_values_to_be_between", "quantity")["sample_values"] == [0]
    columns = failure(outcome, "expect_table_columns_to_match_set", None)
    assert columns["details"]["mismatched"]["missing"] == ["product_category"]


def test_survey_scores_are_checked_against_their_own_type():
    df = surveys_frame()
    df.loc[1, "score"] = 7  # csat is 1-5: out of range though 0-10 overall
    df.loc[0, "score"] = 7  # nps 7 is fine
    outcome = validate(df, raw_suite_path(SURVEYS), None)
    [f] = outcome.failed
    assert (f["expectation"], f["column"], f["sample_values"]) == (
        "expect_column_values_to_be_between",
        "score",
        [7],
    )
    assert "csat" in f["condition"]
    assert f["sample_rows"][0]["response_id"] == "R1"


def test_shares_are_not_judged_on_a_handful_of_rows():
    outcome = validate(customers_frame(3, with_email=0), raw_suite_path(CUSTOMERS), None)
    assert outcome.success, outcome.failed
    assert {s["column"] for s in outcome.skipped} == {"email", "country"}


def test_data_docs_are_written_to_the_docs_folder_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs" / "gx"
    bad = customers_frame(30, with_email=3)
    bad.loc[7, "segment"] = "vip"
    validate(surveys_frame(), raw_suite_path(SURVEYS), docs, run_name="run-1")
    outcome = validate(bad, raw_suite_path(CUSTOMERS), docs, run_name="run-1")
    assert outcome.docs_index == docs / "index.html"
    index = (docs / "index.html").read_text()
    assert "raw.support__surveys" in index and "raw.crm__customers" in index
    page = Path(outcome.docs_page.removeprefix("file://")).read_text()
    assert "raw.crm__customers" in page and "Failed" in page and "vip" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]


def test_data_docs_keep_the_newest_results_of_each_suite(tmp_path, monkeypatch):
    monkeypatch.setattr(gx_runner, "DOCS_RESULTS_PER_SUITE", 2)
    docs = tmp_path / "gx"
    for run in range(3):
        validate(surveys_frame(), raw_suite_path(SURVEYS), docs, run_name=f"run-{run}")
    pages = sorted(p.parent.parent.name for p in (docs / "validations").rglob("*.html"))
    assert pages == ["run-1", "run-2"]
    index = (docs / "index.html").read_text()
    assert "run-2" in index and "run-0" not in index


# the Dagster checks ----------------------------------------------------------------------------


def _run(landing, warehouse, e, raise_on_error=True, downstream=()):
    """Materialise e's ingest asset with its GX check only (and assets that depend on it)."""
    from orchestration.assets.ingest import ingest_assets

    [asset] = [a for a in ingest_assets if raw_asset_key(e) in a.keys]
    [check] = [c for c in raw_batch_checks() if raw_asset_key(e) in {k.asset_key for k in c.check_keys}]
    return dg.materialize(
        [asset, check, *downstream],
        resources={"warehouse": WarehouseResource(landing_dir=str(landing), warehouse_dir=str(warehouse))},
        raise_on_error=raise_on_error,
    )


def _evaluation(result, e) -> dg.AssetCheckEvaluation:
    [evaluation] = [
        x for x in result.get_asset_check_evaluations() if x.asset_key == raw_asset_key(e) and x.check_name == RAW_CHECK
    ]
    return evaluation


def test_a_dagster_run_validates_the_batches_it_loaded_and_writes_data_docs(tmp_path, landing):
    rows = [f"R{i},{['nps', 'csat', 'ces'][i % 3]},{i % 5 + 1},2026-03-01T10:00:00Z,Delivery" for i in range(25)]
    write_landing(
        landing,
        {
            "support/surveys/2026-03-01.csv": "response_id,survey_type,score,responded_at,touchpoint\n"
            + "\n".join(rows)
            + "\n"
        },
    )
    warehouse = tmp_path / "warehouse"
    result = _run(landing, warehouse, SURVEYS)
    assert result.success
    evaluation = _evaluation(result, SURVEYS)
    assert evaluation.passed
    assert evaluation.metadata["batches_validated"].value == 1
    assert evaluation.metadata["rows_validated"].value == 25
    assert (warehouse / "docs" / "gx" / "index.html").exists()
    assert "raw.support__surveys" in (warehouse / "docs" / "gx" / "index.html").read_text()

    # a run that loads nothing new passes and says so
    again = _evaluation(_run(landing, warehouse, SURVEYS), SURVEYS)
    assert again.passed
    assert again.metadata["batches_validated"].value == 0
    assert "no batch" in again.metadata["note"].value


def test_a_broken_export_fails_the_blocking_check_with_sample_rows(tmp_path, landing):
    # every row is valid by the contract (email is optional), but 24 of 25 emails are empty
    rows = [
        f"C{i},{'a@example.com' if i == 0 else ''},,Anna,Nowak,PL,consumer,yes,2026-03-01,2026-03-01" for i in range(25)
    ]
    write_landing(landing, {"crm/customers/export.csv": CUSTOMERS_HEADER + "\n".join(rows) + "\n"})

    @dg.asset(deps=[raw_asset_key(CUSTOMERS)])
    def customer_model():
        return None

    result = _run(landing, tmp_path / "warehouse", CUSTOMERS, raise_on_error=False, downstream=[customer_model])
    evaluation = _evaluation(result, CUSTOMERS)
    assert not evaluation.passed
    # blocking: what depends on the asset does not run
    assert dg.AssetKey("customer_model") not in {m.asset_key for m in result.get_asset_materialization_events()}
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "expect_column_values_to_not_be_null(email)" in evaluation.description
    [failed] = evaluation.metadata["failed_expectations"].value
    assert (failed["column"], failed["unexpected_count"], failed["batch"].split(" ")[0]) == (
        "email",
        24,
        "export.csv",
    )
    assert failed["sample_rows"][0] == {
        "customer_id": "C1",
        "email": None,
        "_batch_id": failed["sample_rows"][0]["_batch_id"],
        "_file_name": "export.csv",
        "_row_number": 2,
    }
    assert "| email |" in evaluation.metadata["summary"].value
    assert (
        gx_docs_dir(WarehouseResource(warehouse_dir=str(tmp_path / "warehouse")).settings())
        .joinpath("index.html")
        .exists()
    )


def test_published_table_check_reads_the_table_by_name(tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    con = duckdb.connect(str(warehouse / "cx.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.mart_nps (month varchar, nps double)")
    con.execute("insert into marts.mart_nps values ('2026-03', 42.0), ('2026-04', -150.0)")
    con.close()
    suite = gx.ExpectationSuite(
        name="marts.mart_nps",
        expectations=[
            gx.expectations.ExpectColumnValuesToBeBetween(column="nps", min_value=-100, max_value=100),
            gx.expectations.ExpectColumnValuesToBeUnique(column="month"),
        ],
    )
    suite_path = tmp_path / "mart_nps.json"
    suite_path.write_text(json.dumps(suite.to_json_dict()))

    @dg.asset(key=["marts", "mart_nps"])
    def mart_nps():
        return None

    result = dg.materialize(
        [mart_nps, published_table_check(["marts", "mart_nps"], "mart_nps", suite_path)],
        resources={"warehouse": WarehouseResource(landing_dir=str(tmp_path), warehouse_dir=str(warehouse))},
        raise_on_error=False,
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["table"].value == "marts.mart_nps"
    [failed] = evaluation.metadata["failed_expectations"].value
    assert (failed["column"], failed["sample_values"]) == ("nps", [-150.0])


@pytest.mark.parametrize("name", ["nowhere", "marts.nowhere"])
def test_published_table_check_fails_clearly_on_a_missing_table(tmp_path, name):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    duckdb.connect(str(warehouse / "cx.duckdb")).close()

    @dg.asset(key=["marts", "x"])
    def x():
        return None

    result = dg.materialize(
        [x, published_table_check(["marts", "x"], name, raw_suite_path(SURVEYS))],
        resources={"warehouse": WarehouseResource(landing_dir=str(tmp_path), warehouse_dir=str(warehouse))},
        raise_on_error=False,
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert "not found" in evaluation.description
