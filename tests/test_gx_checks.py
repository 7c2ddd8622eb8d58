"""Great Expectations suites as files, the runner, and the blocking Dagster checks (quality.md).

Real GX validations on real DataFrames, real Dagster runs on real DuckDB files in temporary folders.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import dagster as dg
import duckdb
import great_expectations as gx
import pandas as pd
import pytest

from orchestration.assets.ingest import ingest_asset_key as raw_asset_key
from orchestration.contracts import entity
from orchestration.quality import gx_checks, gx_docs_dir, gx_runner, raw_suite_path, sampling
from orchestration.quality.gx_checks import RAW_CHECK, raw_batch_checks, read_batch
from orchestration.quality.gx_runner import validate
from orchestration.quality.suites import generate
from orchestration.rawzone import column_list
from orchestration.resources import WarehouseResource
from orchestration.settings import EXPECTATIONS_DIR
from tests.conftest import write_landing
from tests.pipeline import settings_for

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
    # only what the contract says: no fixed share (how full a column is, is judged by drift.py)
    for path in (EXPECTATIONS_DIR / "raw").glob("*.json"):
        for e in json.loads(path.read_text())["expectations"]:
            assert e["meta"]["why"].startswith("contract:"), (path.name, e["type"])
            assert "mostly" not in e["kwargs"], (path.name, e["kwargs"])


# the runner ------------------------------------------------------------------------------------


def test_a_good_batch_passes():
    outcome = validate(surveys_frame(), raw_suite_path(SURVEYS), None)
    assert outcome.success, outcome.failed
    assert outcome.failed == []
    assert outcome.statistics["rows"] == 30
    assert outcome.statistics["evaluated_expectations"] == outcome.statistics["successful_expectations"] > 10
    assert outcome.docs_index is None


def test_a_contract_breach_fails_naming_the_expectation_with_samples():
    df = customers_frame(30, with_email=0)  # no e-mail at all: a CRM's nature, no breach
    df.loc[7, "segment"] = "vip"  # an enum value outside the contract's list
    outcome = validate(df, raw_suite_path(CUSTOMERS), None)
    assert not outcome.success
    [segment] = outcome.failed
    assert segment == failure(outcome, "expect_column_values_to_be_in_set", "segment")
    assert segment["unexpected_count"] == 1
    assert segment["sample_values"] == ["vip"]
    assert segment["why"] == "contract: segment is an enumeration"
    # the row is named by its key and where it was delivered
    assert segment["sample_rows"] == [
        {"customer_id": "C7", "segment": "vip", "_file_name": "customers.csv", "_row_number": 8}
    ]


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


def test_data_docs_are_written_to_the_docs_folder_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs" / "gx"
    bad = customers_frame(30)
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


def _run(landing, warehouse, e, raise_on_error=True, downstream=(), expectations_dir=EXPECTATIONS_DIR):
    """Materialise e's ingest asset with its GX check only (and assets that depend on it)."""
    from orchestration.assets.ingest import ingest_assets

    [asset] = [a for a in ingest_assets if raw_asset_key(e) in a.keys]
    [check] = [
        c
        for c in raw_batch_checks(expectations_dir=expectations_dir)
        if raw_asset_key(e) in {k.asset_key for k in c.check_keys}
    ]
    return dg.materialize(
        [asset, check, *downstream],
        resources={"warehouse": WarehouseResource(landing_dir=str(landing), warehouse_dir=str(warehouse))},
        raise_on_error=raise_on_error,
    )


def _with_email_share(tmp_path, mostly: float) -> Path:
    """An expectations folder whose crm/customers suite also wants `mostly` of the rows with an e-mail.

    The generated suites hold only the contract, which ingestion already enforces row by row, so
    nothing delivered can fail them; a hand-written share gives the check something to fail on."""
    suite = json.loads(raw_suite_path(CUSTOMERS).read_text(encoding="utf-8"))
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "email", "mostly": mostly},
            "meta": {"why": "test: most customers have an e-mail"},
        }
    )
    root = tmp_path / "expectations"
    raw_suite_path(CUSTOMERS, root).parent.mkdir(parents=True)
    raw_suite_path(CUSTOMERS, root).write_text(json.dumps(suite), encoding="utf-8")
    return root


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


def test_a_failed_expectation_fails_the_blocking_check_with_sample_rows(tmp_path, landing):
    # every row is valid by the contract (email is optional), but 24 of 25 emails are empty, and the
    # suite (hand-written here) wants half of them filled
    rows = [
        f"C{i},{'a@example.com' if i == 0 else ''},,Anna,Nowak,PL,consumer,yes,2026-03-01,2026-03-01" for i in range(25)
    ]
    write_landing(landing, {"crm/customers/export.csv": CUSTOMERS_HEADER + "\n".join(rows) + "\n"})

    @dg.asset(deps=[raw_asset_key(CUSTOMERS)])
    def customer_model():
        return None

    result = _run(
        landing,
        tmp_path / "warehouse",
        CUSTOMERS,
        raise_on_error=False,
        downstream=[customer_model],
        expectations_dir=_with_email_share(tmp_path, 0.5),
    )
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
    assert gx_docs_dir(settings_for(landing, tmp_path / "warehouse")).joinpath("index.html").exists()


# large tables and batches: a deterministic sample, and the grain on all rows ---------------------

BIG_SUITE = gx.ExpectationSuite(
    name="marts.big",
    expectations=[
        gx.expectations.ExpectTableColumnsToMatchSet(column_set=["id", "score"], exact_match=False),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="id"),
        gx.expectations.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=10),
        gx.expectations.ExpectColumnValuesToBeUnique(column="id", meta={"why": "grain: id"}),
    ],
    meta={"cx360": {"key": ["id"]}},
)


def _big_table(db: Path, n: int, bad_score_at: int | None = None, duplicate: tuple[int, int] | None = None) -> None:
    """marts.big: n rows `I<i>` in the order of i, scores 0-10, and a column no expectation reads.

    bad_score_at: the row whose score is 99; duplicate (a, b): row b gets row a's id.
    """
    score = f"case when i = {bad_score_at} then 99 else i % 11 end" if bad_score_at is not None else "i % 11"
    key = f"'I' || case when i = {duplicate[1]} then {duplicate[0]} else i end" if duplicate else "'I' || i"
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            f"create or replace table marts.big as select {key} as id, {score} as score, 'x' || i as unused "
            f"from range({n}) t(i) order by i"
        )
    finally:
        con.close()


def _sample(db: Path, suite: dict) -> sampling.Rows:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sampling.read(con, "marts.big", suite)
    finally:
        con.close()


def _big_check(tmp_path, suite_path) -> dg.AssetCheckResult:
    """The check's result for marts.big, read and validated as a raw batch is (read_batch, _validate)."""
    suite = json.loads(Path(suite_path).read_text())
    rows = _sample(tmp_path / "wh" / "cx.duckdb", suite)
    if rows.refused:
        return gx_checks._refused("marts.big", rows, suite_path)
    outcome = gx_checks._validate(rows, suite_path, tmp_path / "docs", "run-1")
    return gx_checks._check_result([("marts.big", outcome)], suite_path)


def _failed(evaluation) -> dict:
    return {
        (f["expectation"], f["column"]): (f["unexpected_count"], f["sample_values"])
        for f in evaluation.metadata["failed_expectations"].value
    }


def test_a_large_table_is_validated_on_a_sample_and_its_grain_on_all_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(sampling, "SAMPLE_ROWS", 1000)
    (tmp_path / "wh").mkdir()
    db = tmp_path / "wh" / "cx.duckdb"
    suite = BIG_SUITE.to_json_dict()
    suite_path = tmp_path / "big.json"
    suite_path.write_text(json.dumps(suite))

    # which rows the sample holds: the same rows for the same row order, whatever their values
    _big_table(db, 5000)
    clean = _sample(db, suite)
    assert (clean.total, len(clean.frame), clean.sampled) == (5000, 1000, True)
    assert list(clean.frame.columns) == ["id", "score"]  # only what the suite reads
    sampled = {int(i[1:]) for i in clean.frame["id"]}
    assert sampled == {int(i[1:]) for i in _sample(db, suite).frame["id"]}  # deterministic
    bad = min(sampled)
    a, b = sorted(set(range(5000)) - sampled)[:2]

    # a bad score inside the sample, a duplicated id on two rows outside it
    _big_table(db, 5000, bad_score_at=bad, duplicate=(a, b))
    rows = _sample(db, suite)
    assert {int(i[1:]) for i in rows.frame["id"]} == sampled and f"I{a}" not in set(rows.frame["id"])

    evaluation = _big_check(tmp_path, suite_path)
    assert not evaluation.passed
    assert _failed(evaluation) == {
        ("expect_column_values_to_be_unique", "id"): (2, [f"I{a}"]),
        ("expect_column_values_to_be_between", "score"): (1, [99]),
    }
    failures = {f["expectation"]: f for f in evaluation.metadata["failed_expectations"].value}
    assert failures["expect_column_values_to_be_unique"]["sample_rows"] == [{"id": f"I{a}"}, {"id": f"I{a}"}]
    assert failures["expect_column_values_to_be_unique"]["why"] == "grain: id"
    assert failures["expect_column_values_to_be_between"]["sample_rows"] == [{"id": f"I{bad}", "score": 99}]
    note = "validated 1,000 of 5,000 rows (deterministic sample); grain (id) checked on all rows"
    assert note in evaluation.description
    assert "expect_column_values_to_be_unique(id) 2 row(s)" in evaluation.description
    assert evaluation.metadata["sampling"].value == note
    assert (evaluation.metadata["rows_validated"].value, evaluation.metadata["rows_total"].value) == (1000, 5000)
    # the Data Docs page shows the grain's result on all rows, and says the rest is a sample
    page = Path(evaluation.metadata["data_docs_failed_page"].value.removeprefix("file://")).read_text()
    assert note in page and "2 unexpected values found" in page and "of 5000 total rows" in page

    # under the limit, every row is validated by GX alone, and fails the same way
    monkeypatch.setattr(sampling, "SAMPLE_ROWS", 5000)
    whole = _big_check(tmp_path, suite_path)
    assert _failed(whole) == _failed(evaluation)
    assert "sampling" not in whole.metadata and "deterministic sample" not in whole.description
    assert (whole.metadata["rows_validated"].value, whole.metadata["rows_total"].value) == (5000, 5000)


def test_a_large_table_that_passes_says_it_was_sampled(tmp_path, monkeypatch):
    monkeypatch.setattr(sampling, "SAMPLE_ROWS", 1000)
    (tmp_path / "wh").mkdir()
    _big_table(tmp_path / "wh" / "cx.duckdb", 3000)
    suite_path = tmp_path / "big.json"
    suite_path.write_text(json.dumps(BIG_SUITE.to_json_dict()))
    evaluation = _big_check(tmp_path, suite_path)
    assert evaluation.passed
    assert evaluation.description == (
        "Validated 1,000 of 3,000 rows (deterministic sample); grain (id) checked on all rows"
    )
    [batch] = evaluation.metadata["batches"].value
    assert (batch["rows"], batch["rows_total"], batch["evaluated_expectations"]) == (1000, 3000, 4)


def test_expectations_a_sample_cannot_judge_fail_the_check_unless_evaluated_on_all_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(sampling, "SAMPLE_ROWS", 1000)
    (tmp_path / "wh").mkdir()
    _big_table(tmp_path / "wh" / "cx.duckdb", 3000)
    counted = copy.deepcopy(BIG_SUITE)
    counted.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(min_value=1, max_value=2999))
    suite_path = tmp_path / "counted.json"
    suite_path.write_text(json.dumps(counted.to_json_dict()))
    evaluation = _big_check(tmp_path, suite_path)
    assert not evaluation.passed  # 3,000 rows counted on the table, not 1,000 in the sample
    [failed] = evaluation.metadata["failed_expectations"].value
    assert (failed["expectation"], failed["observed_value"]) == ("expect_table_row_count_to_be_between", 3000)
    assert "row count checked on all rows" in evaluation.description

    meaned = copy.deepcopy(BIG_SUITE)
    meaned.add_expectation(gx.expectations.ExpectColumnMeanToBeBetween(column="score", min_value=0, max_value=10))
    suite_path.write_text(json.dumps(meaned.to_json_dict()))
    evaluation = _big_check(tmp_path, suite_path)
    assert not evaluation.passed
    assert "expect_column_mean_to_be_between" in evaluation.description
    assert "cannot judge" in evaluation.description


def test_every_expectation_of_the_suites_is_classified_for_sampling():
    kinds = {
        e["type"]
        for path in EXPECTATIONS_DIR.glob("*/*.json")
        for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]
    }
    assert kinds - (sampling.ON_SAMPLE | sampling.ON_ALL_ROWS | sampling.NEEDS_ALL_COLUMNS) == set()
    assert sampling.LINEAGE == gx_runner.LINEAGE


def test_the_sample_is_the_same_whatever_the_number_of_threads(tmp_path):
    path = tmp_path / "b1.parquet"
    _order_lines_batch(path, 50_000)
    suite = json.loads(raw_suite_path(entity("sales/order_lines")).read_text())
    samples = []
    for threads in (1, 2, 4):
        con = duckdb.connect()
        try:
            con.execute(f"set threads = {threads}")
            samples.append(list(sampling.read(con, f"read_parquet('{path}')", suite, limit=1000).frame["_row_number"]))
        finally:
            con.close()
    assert samples[0] == samples[1] == samples[2] and len(samples[0]) == 1000


def _order_lines_batch(path: Path, n: int, duplicate: tuple[int, int] | None = None, bad: int | None = None) -> None:
    """A raw-zone file of sales/order_lines as rawzone.py writes it: contract columns and lineage."""
    values = {
        "order_id": "'O' || (i // 3)",
        "line_number": "i % 3 + 1",
        "product_id": "'P' || (i % 50)",
        "product_category": "'books'",
        "quantity": f"case when i = {bad} then 0 else 1 + i % 4 end" if bad is not None else "1 + i % 4",
        "unit_price": "9.5",
        "discount_amount": "null",
        "_batch_id": "'b1'",
        "_batch_seq": "1",
        "_file_name": "'lines.csv'",
        "_row_number": "i + 1",
        "_loaded_at": "timestamp '2026-03-01 10:00:00'",
    }
    if duplicate:
        a, b = duplicate
        values["order_id"] = f"'O' || case when i = {b} then {a} // 3 else i // 3 end"
        values["line_number"] = f"case when i = {b} then {a} % 3 else i % 3 end + 1"
    select = ", ".join(f"cast({values[c]} as {t}) as {c}" for c, t in column_list(entity("sales/order_lines")))
    con = duckdb.connect()
    try:
        con.execute(f"copy (select {select} from range({n}) t(i) order by i) to '{path}' (format parquet)")
    finally:
        con.close()


def test_a_large_raw_batch_names_file_rows_of_a_sampled_failure_and_of_a_duplicate_key(tmp_path, monkeypatch):
    monkeypatch.setattr(sampling, "SAMPLE_ROWS", 1000)
    suite_path = raw_suite_path(entity("sales/order_lines"))
    suite = json.loads(suite_path.read_text())
    path = tmp_path / "b1.parquet"
    _order_lines_batch(path, 4000)
    settings = settings_for(tmp_path, tmp_path / "wh")
    in_sample = set(read_batch(path, suite, settings).frame["_row_number"])
    bad = min(in_sample) - 1  # i of the row numbered min(in_sample)
    a, b = sorted(set(range(4000)) - {r - 1 for r in in_sample})[:2]
    _order_lines_batch(path, 4000, duplicate=(a, b), bad=bad)
    rows = read_batch(path, suite, settings)
    assert set(rows.frame["_row_number"]) == in_sample and b + 1 not in in_sample
    assert list(rows.frame["_row_number"]) == sorted(in_sample)  # in file order
    assert set(rows.frame.columns) == {
        *suite["meta"]["cx360"]["key"],
        *next(e for e in suite["expectations"] if e["type"] == "expect_table_columns_to_match_set")["kwargs"][
            "column_set"
        ],
        "_batch_id",
        "_file_name",
        "_row_number",
    }  # not _batch_seq nor _loaded_at: no expectation reads them

    outcome = gx_checks._validate(rows, suite_path, None, "run-1")
    assert outcome.statistics["rows"] == 1000 and outcome.statistics["rows_total"] == 4000
    quantity = failure(outcome, "expect_column_values_to_be_between", "quantity")
    assert quantity["sample_values"] == [0]
    assert [(r["_file_name"], r["_row_number"]) for r in quantity["sample_rows"]] == [("lines.csv", bad + 1)]
    key = failure(outcome, "expect_compound_columns_to_be_unique", "order_id, line_number")
    assert key["unexpected_count"] == 2
    assert key["sample_values"] == [{"order_id": f"O{a // 3}", "line_number": a % 3 + 1}]
    assert [r["_row_number"] for r in key["sample_rows"]] == [a + 1, b + 1]
    assert key["sample_rows"][0] == {
        "order_id": f"O{a // 3}",
        "line_number": a % 3 + 1,
        "_batch_id": "b1",
        "_file_name": "lines.csv",
        "_row_number": a + 1,
    }
    assert outcome.note == (
        "validated 1,000 of 4,000 rows (deterministic sample); grain (order_id, line_number) within each batch checked on all rows"
    )


@pytest.mark.parametrize("ignore_row_if", ["all_values_are_missing", "any_value_is_missing", "never"])
def test_keys_evaluated_on_all_rows_count_like_great_expectations(ignore_row_if):
    """The SQL of the grain on all rows counts duplicates and leaves out nulls as GX does on a frame."""
    frame = pd.DataFrame(
        {
            "a": ["x", "x", "y", None, None, "z", "z", None, "w"],
            "b": [1, 1, 2, None, None, None, None, 3, 4],
        }
    )
    suite = {
        "name": "keys",
        "expectations": [
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "a"}, "meta": {}},
            {
                "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": ["a", "b"], "ignore_row_if": ignore_row_if},
                "meta": {},
            },
        ],
    }
    con = duckdb.connect()
    try:
        con.register("frame", frame)
        rows = sampling.read(con, "frame", suite, limit=3)
    finally:
        con.close()
    assert rows.sampled and set(rows.on_all_rows) == {0, 1}
    gx_suite = gx.ExpectationSuite(**suite)
    ws = gx_runner._workspace()
    by_gx = ws.batch_definition("keys").get_batch(batch_parameters={"dataframe": frame})
    for i, result in enumerate(by_gx.validate(gx_suite, result_format=gx_runner.RESULT_FORMAT).results):
        ours = rows.on_all_rows[i]
        assert ours["success"] == result.success, (i, ours, result.result)
        for k in ("element_count", "missing_count", "unexpected_count", "unexpected_percent"):
            assert ours["result"][k] == pytest.approx(result.result[k]), (i, k)
        # the same duplicated values, shown the same way
        listed = [gx_runner._plain(r.get("partial_unexpected_list", [])) for r in (ours["result"], result.result)]
        assert sorted(map(repr, listed[0])) == sorted(map(repr, listed[1])), (i, ignore_row_if)


def test_a_dagster_run_validates_a_large_batch_on_a_sample_with_file_rows(tmp_path, landing, monkeypatch):
    monkeypatch.setattr(sampling, "SAMPLE_ROWS", 1000)
    # valid by the contract, but 9 in 10 emails are empty: a share (hand-written here) fails on the sample
    rows = [
        f"C{i},{'a@example.com' if i % 10 == 0 else ''},,Anna,Nowak,PL,consumer,yes,2026-03-01,2026-03-01"
        for i in range(1500)
    ]
    write_landing(landing, {"crm/customers/export.csv": CUSTOMERS_HEADER + "\n".join(rows) + "\n"})
    expectations = _with_email_share(tmp_path, 0.5)
    result = _run(landing, tmp_path / "warehouse", CUSTOMERS, raise_on_error=False, expectations_dir=expectations)
    evaluation = _evaluation(result, CUSTOMERS)
    assert not evaluation.passed
    assert (evaluation.metadata["rows_validated"].value, evaluation.metadata["rows_total"].value) == (1000, 1500)
    assert evaluation.description.endswith(
        "(validated 1,000 of 1,500 rows (deterministic sample); grain (customer_id) within each batch checked on all rows)"
    )
    [failed] = evaluation.metadata["failed_expectations"].value
    assert (failed["column"], failed["rule"]) == ("email", {"mostly": 0.5})
    assert 850 <= failed["unexpected_count"] <= 950  # ~90% of the 1,000 sampled rows
    for row in failed["sample_rows"]:  # named by the delivered file and its row number
        assert row["_file_name"] == "export.csv"
        assert row["customer_id"] == f"C{row['_row_number'] - 1}"


def test_the_batches_of_a_run_are_validated_together_with_keys_unique_within_each_batch(tmp_path):
    """One GX validation for all of a run's batches: a key delivered again in a later batch (a newer
    version) is fine; the same key twice in one batch is not, and the failure names that file."""
    suite_path = raw_suite_path(entity("sales/order_lines"))
    suite = json.loads(suite_path.read_text())
    first, again = tmp_path / "b1.parquet", tmp_path / "b2.parquet"
    _order_lines_batch(first, 30)
    _order_lines_batch(again, 30)
    settings = settings_for(tmp_path, tmp_path / "wh")
    con = duckdb.connect()
    con.execute(f"copy (select * replace ('b2' as _batch_id, 'again.csv' as _file_name) from '{again}') to '{again}'")
    con.close()
    rows = gx_checks.read_batches([first, again], suite, settings)
    assert rows.total == 60 and len(rows.frame) == 60
    assert validate(rows.frame, suite_path, total_rows=rows.total, on_all_rows=rows.on_all_rows).success
    _order_lines_batch(again, 30, duplicate=(3, 4))
    con = duckdb.connect()
    con.execute(f"copy (select * replace ('b2' as _batch_id, 'again.csv' as _file_name) from '{again}') to '{again}'")
    con.close()
    rows = gx_checks.read_batches([first, again], suite, settings)
    outcome = validate(rows.frame, suite_path, total_rows=rows.total, on_all_rows=rows.on_all_rows)
    [failed] = outcome.failed
    assert failed["expectation"] == "expect_compound_columns_to_be_unique" and failed["unexpected_count"] == 2
    assert {r["_file_name"] for r in failed["sample_rows"]} == {"again.csv"}
