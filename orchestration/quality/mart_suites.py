"""Great Expectations suites of the published CX marts, derived from the dbt manifest.

`python -m orchestration.quality.mart_suites` rewrites `expectations/marts/<mart>.json`, one suite per
published mart (a dbt model named `mart_*` whose `meta.publish` names `bi` or `restricted`), and
removes the files of marts no longer published. Like the raw suites they are generated, never edited
by hand: a test fails while the files on disk differ from a fresh generation, so a mart's suite
cannot drift from its model. `mart_data_trust` is built by the publish step, not by dbt: no suite.

What a suite expects of a mart, read from the model's YAML in the manifest:
- its documented columns exist (more are welcome: model.md, "Names BI tools rely on");
- its grain, the columns of its `unique_combination_of_columns` test: unique together, never null;
- its `not_null` and `accepted_values` tests, mirrored (those of error severity without a `where`);
- the naming conventions of model.md, by column name (`CONVENTIONS`, the first match wins): `*_pct`
  0-100, `nps` and `nps_*` -100 to 100 (differences of two NPS -200 to 200), `*_rate` 0-1, counts,
  sums and durations never negative, CES 1-7, ratings 1-5; where a column holds a metric's name
  (`metric`), the columns in that metric's units (`IN_METRIC_UNITS`) get the metric's range;
- time grains: `month`, `day`, `cohort_month` never null, and a month column holds the month's
  first day;
- reconciliation within a row (`RECONCILIATIONS`, model.md "Metric definitions"): every ratio equals
  its numerator over its denominator (nothing is rounded in storage) and is null over a zero
  denominator, parts add up, a gap is the difference it names.

Reconciliations compare columns with each other, which no built-in GX 1.x expectation does on pandas
(`UnexpectedRowsExpectation` needs a SQL data source, and there is no DuckDB one). They are written as
a `DataFrame.query` filter (GX's `PassThroughCondition` row condition) that selects the rows breaking
the rule, under `expect_column_values_to_be_in_set` with an empty set: every selected row fails and is
listed with the grain and the figure. The rule in words is in the expectation's meta (`why`, `holds`).

dbt tests check the same grain and values when the model is built; the suite checks the table again,
as it is about to be published, with the conventions and reconciliations dbt does not test, and
leaves its evidence in the Data Docs.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column as Row
from great_expectations.expectations.row_conditions import PassThroughCondition

from orchestration.quality.suites import render, sync_suite_files
from orchestration.settings import ENV_DUCKDB_PATH, EXPECTATIONS_DIR, Settings

GENERATOR = "python -m orchestration.quality.mart_suites"
SUITES_DIR = EXPECTATIONS_DIR / "marts"
PUBLISH_TARGETS = ("bi", "restricted")
GRAIN_TEST = "unique_combination_of_columns"
# ratios are stored unrounded, in DOUBLE: anything further apart than this was rounded or is wrong
TOLERANCE = 1e-9


# naming conventions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Convention:
    """Columns whose whole name matches `pattern` lie in [min_value, max_value] (None: unbounded)."""

    pattern: str
    min_value: float | None
    max_value: float | None
    why: str
    not_null: bool = False

    def matches(self, name: str) -> bool:
        return re.fullmatch(self.pattern, name) is not None


# the nouns of counted things, as the marts name their counts (csat_responses, one_touch_tickets)
_COUNTED = (
    "responses|respondents|promoters|passives|detractors|satisfied"
    "|tickets|customers|mentions|complaints|events|orders|feedback"
)
_COUNT_WHY = "a count is never negative"
# model.md: every ratio comes with its numerator and denominator, so a BI tool can re-aggregate it
_COUNT_NOT_NULL_WHY = "a count is 0, never null: BI tools re-aggregate ratios from their counts"
_NPS_WHY = "model.md: NPS = 100 x (promoters - detractors) / responses, from -100 to 100"

# The first convention whose pattern matches a column's whole name gives its range; the order
# matters: counts come first because some are named like something else (orders_missing_fx_rate
# ends in _rate, nps_responses starts with nps_).
CONVENTIONS: tuple[Convention, ...] = (
    Convention(
        r"orders_missing_fx_rate|resolved_tickets_with_time|ces_easy|converted_from_previous_stage",
        0,
        None,
        _COUNT_WHY,
        not_null=True,
    ),
    Convention(rf"(\w+_)?({_COUNTED})(_with|_without)?", 0, None, _COUNT_WHY, not_null=True),
    Convention(r"\w+_score_sum|rating_sum", 0, None, "a sum of scores on a positive scale (CES 1-7, ratings 1-5)"),
    Convention(
        r"(\w+_)?(hours|days|months)(_\w+)?",
        0,
        None,
        "a duration: ingestion quarantines an end before its start, and nothing after the as-of date counts",
    ),
    Convention(r"nps_(difference|gap)", -200, 200, "the difference of two NPS, each from -100 to 100"),
    Convention(r"nps(_\w+)?", -100, 100, _NPS_WHY),
    Convention(r"\w+_pct_gap", -100, 100, "the difference of two percentages, each from 0 to 100"),
    Convention(r"\w+_pct(_target)?", 0, 100, "model.md: columns named *_pct are 0-100"),
    Convention(r"\w+_rate", 0, 1, "model.md: columns named *_rate are fractions 0-1"),
    Convention(r"ces|ces_avg(_target)?", 1, 7, "CES is scored 1-7 (7 = very easy): its mean lies in 1-7"),
    Convention(r"ces_avg_gap", -6, 6, "the difference of two CES means, each from 1 to 7"),
    Convention(r"avg_rating", 1, 5, "feedback is rated 1-5 stars: its mean lies in 1-5"),
    Convention(r"health_score", 0, 100, "model.md: the health score is 0-100"),
    Convention(r"signal_score", 0, 10, "an NPS (0-10) or CSAT (1-5) score"),
    Convention(r"revenue", 0, None, "a sum of valid orders' totals: ingestion quarantines negative amounts"),
)

# A column holding a metric's name (mart_cx_targets.metric): the columns in that metric's units,
# `value` (in the metric's range) or `difference` (of two such values).
METRIC_COLUMN = "metric"
IN_METRIC_UNITS = {"target": "value", "actual": "value", "gap": "difference"}

TIME_GRAINS = ("month", "day", "cohort_month")  # model.md: never null
MONTH_COLUMN = r"(\w+_)?month"  # a DATE, the month's first day


def convention(column: str) -> Convention | None:
    return next((c for c in CONVENTIONS if c.matches(column)), None)


# reconciliation within a row -------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """column = scale x numerator / denominator where denominator > 0, and null where it is 0.

    numerator is a pandas expression over the row's columns; where (optional, a pandas expression)
    limits the rule to the rows it selects.
    """

    column: str
    numerator: str
    denominator: str
    scale: int = 1
    where: str | None = None


@dataclass(frozen=True)
class Difference:
    """column = minuend - subtrahend, null when either is null."""

    column: str
    minuend: str
    subtrahend: str


@dataclass(frozen=True)
class Rule:
    """holds (a pandas expression) is true on every row; column is the figure shown for a failing row."""

    column: str
    holds: str
    why: str


Reconciliation = Ratio | Difference | Rule

_PARTS = "model.md: a part is never more than its whole"

RECONCILIATIONS: dict[str, tuple[Reconciliation, ...]] = {
    "mart_nps": (
        Ratio("nps", "promoters - detractors", "responses", 100),
        Rule(
            "responses",
            "responses == promoters + passives + detractors",
            "every NPS response is a promoter, a passive or a detractor",
        ),
    ),
    "mart_touchpoint_experience": (
        Ratio("csat_pct", "csat_satisfied", "csat_responses", 100),
        Ratio("ces_avg", "ces_score_sum", "ces_responses"),
        Ratio("ces_easy_pct", "ces_easy", "ces_responses", 100),
        Ratio("nps", "nps_promoters - nps_detractors", "nps_responses", 100),
        Difference("csat_pct_gap", "csat_pct", "csat_pct_target"),
        Difference("ces_avg_gap", "ces_avg", "ces_avg_target"),
        Difference("nps_gap", "nps", "nps_target"),
        Rule("csat_satisfied", "csat_satisfied <= csat_responses", _PARTS),
        Rule("ces_easy", "ces_easy <= ces_responses", _PARTS),
        Rule("nps_responses", "nps_promoters + nps_detractors <= nps_responses", _PARTS),
        Rule("complaints", "complaints <= friction_events", "a complaint is a friction event too"),
    ),
    "mart_cx_targets": (
        Ratio("actual", "actual_numerator", "responses", 100, where="metric != 'ces'"),
        Ratio("actual", "actual_numerator", "responses", 1, where="metric == 'ces'"),
        Difference("gap", "actual", "target"),
        Rule("status", "status.notna() == (responses > 0)", "a status is judged exactly where there are responses"),
        Rule("status", "status.isna() or ((status == 'on_track') == (gap >= 0))", "on_track exactly when gap >= 0"),
    ),
    "mart_journey_funnel": (
        Ratio("conversion_rate", "converted_from_previous_stage", "previous_stage_customers"),
        Rule("customers", "customers <= cohort_customers", _PARTS),
        Rule("previous_stage_customers", "previous_stage_customers <= cohort_customers", _PARTS),
        Rule(
            "converted_from_previous_stage",
            "converted_from_previous_stage <= customers and converted_from_previous_stage <= previous_stage_customers",
            "a converted customer reached both this stage and the previous one",
        ),
    ),
    "mart_retention_cohorts": (
        Ratio("retention_rate", "active_customers", "cohort_customers"),
        Rule("active_customers", "active_customers <= cohort_customers", _PARTS),
        Rule(
            "active_customers",
            "months_since_first_order > 0 or active_customers == cohort_customers",
            "every cohort customer ordered in the cohort month",
        ),
        Rule(
            "activity_month",
            "(activity_month.dt.year - cohort_month.dt.year) * 12 + activity_month.dt.month - cohort_month.dt.month"
            " == months_since_first_order",
            "activity_month is cohort_month + months_since_first_order months",
        ),
    ),
    "mart_support_performance": (
        Ratio("one_touch_rate", "one_touch_tickets", "solved_tickets"),
        Ratio("reopen_rate", "reopened_tickets", "tickets"),
        Ratio("csat_pct", "csat_satisfied", "csat_responses", 100),
        Rule("solved_tickets", "one_touch_tickets <= solved_tickets and solved_tickets <= tickets", _PARTS),
        Rule("reopened_tickets", "reopened_tickets <= tickets", _PARTS),
        Rule("responded_tickets", "responded_tickets <= tickets", _PARTS),
        Rule("resolved_tickets_with_time", "resolved_tickets_with_time <= solved_tickets", _PARTS),
        Rule("csat_satisfied", "csat_satisfied <= csat_responses", _PARTS),
        Rule(
            "median_first_response_hours",
            "median_first_response_hours.notna() == (responded_tickets > 0)",
            "a median over no answered ticket is null, never 0",
        ),
        Rule(
            "median_resolution_hours",
            "median_resolution_hours.notna() == (resolved_tickets_with_time > 0)",
            "a median over no solved ticket is null, never 0",
        ),
        Rule(
            "p90_first_response_hours",
            "median_first_response_hours.isna() or "
            f"median_first_response_hours <= p90_first_response_hours + {TOLERANCE}",
            "the median is never above the 90th percentile",
        ),
    ),
    "mart_voice_of_customer": (
        Ratio("share_pct", "mentions", "month_feedback", 100),
        Ratio("avg_rating", "rating_sum", "rated_mentions"),
        Rule("mentions", "mentions <= month_feedback", _PARTS),
        Rule("rated_mentions", "rated_mentions <= mentions", _PARTS),
    ),
    "mart_touchpoint_nps_impact": (
        Ratio("nps_with", "promoters_with - detractors_with", "respondents_with", 100),
        Ratio("nps_without", "promoters_without - detractors_without", "respondents_without", 100),
        Difference("nps_difference", "nps_with", "nps_without"),
        Rule("respondents_with", "promoters_with + detractors_with <= respondents_with", _PARTS),
        Rule("respondents_without", "promoters_without + detractors_without <= respondents_without", _PARTS),
    ),
    "mart_follow_up_queue": (
        Rule(
            "signal_score",
            "signal != 'detractor' or (signal_score >= 0 and signal_score <= 6)",
            "model.md: a detractor scored NPS 0-6",
        ),
        Rule(
            "signal_score",
            "signal != 'low_csat' or (signal_score >= 1 and signal_score <= 2)",
            "model.md: a low CSAT scored 1-2",
        ),
        Rule("signal_score", "signal != 'complaint' or signal_score.isna()", "a complaint carries no score"),
    ),
    "mart_cx_kpis_daily": (
        Ratio("nps", "promoters - detractors", "nps_responses", 100),
        Ratio("csat_pct", "csat_satisfied", "csat_responses", 100),
        Ratio("ces_avg", "ces_score_sum", "ces_responses"),
        Ratio("repeat_purchase_rate", "repeat_customers", "active_customers"),
        Rule("nps_responses", "promoters + detractors <= nps_responses", _PARTS),
        Rule("csat_satisfied", "csat_satisfied <= csat_responses", _PARTS),
        Rule(
            "active_customers",
            "repeat_customers <= active_customers and active_customers <= valid_orders",
            "a repeat customer is an active one, and every active customer placed a valid order",
        ),
        Rule("orders_missing_fx_rate", "orders_missing_fx_rate <= valid_orders", _PARTS),
    ),
}

_NOT_COLUMNS = {"and", "or", "not", "abs", "in"}


def _columns_in(expression: str) -> set[str]:
    """The column names a pandas expression reads: its names less keywords, strings and attributes."""
    without_strings = re.sub(r"'[^']*'", "", expression)
    return set(re.findall(r"(?<![.\w])[A-Za-z_]\w*", without_strings)) - _NOT_COLUMNS


def _columns_of(r: Reconciliation) -> set[str]:
    if isinstance(r, Ratio):
        return {r.column, r.denominator} | _columns_in(r.numerator) | _columns_in(r.where or "")
    if isinstance(r, Difference):
        return {r.column, r.minuend, r.subtrahend}
    return {r.column} | _columns_in(r.holds)


# the manifest ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mart:
    """What a suite needs of one published mart, from the dbt manifest."""

    name: str
    unique_id: str
    schema: str
    publish: tuple[str, ...]
    columns: tuple[str, ...]  # as documented in the model's YAML, in that order
    grain: tuple[str, ...]
    unique: tuple[str, ...]  # other columns with a dbt unique test
    not_null: tuple[str, ...]
    accepted_values: dict[str, tuple]

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"


def manifest_path() -> Path:
    """The manifest of the dbt project on disk, parsed afresh (transform.py parses on import)."""
    # dbt's profile reads this variable; parsing opens no database, so the default warehouse will do
    os.environ.setdefault(ENV_DUCKDB_PATH, str(Settings.from_env().duckdb_path))
    bin_dir = str(Path(sys.executable).parent)  # dagster-dbt runs `dbt` from PATH
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    from orchestration.assets.transform import dbt_project

    return dbt_project.manifest_path


def load_manifest(path: Path | None = None) -> dict:
    return json.loads(Path(path or manifest_path()).read_text(encoding="utf-8"))


def _publish_targets(node: dict) -> tuple[str, ...]:
    target = node["config"].get("meta", {}).get("publish")
    targets = [target] if isinstance(target, str) else (target or [])
    return tuple(t for t in targets if t in PUBLISH_TARGETS)


def marts_to_publish(manifest: dict) -> list[Mart]:
    """Every dbt model named mart_* that is published, with its documented columns and tests."""
    tests: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node") and node.get("test_metadata"):
            config = node["config"]
            # a warning does not block in dbt, and a `where` needs SQL: neither is mirrored
            blocking = config.get("enabled", True) and config.get("severity", "ERROR").upper() == "ERROR"
            if blocking and not config.get("where"):
                tests.setdefault(node["attached_node"], []).append(node)
    out = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["name"].startswith("mart_"):
            continue
        publish = _publish_targets(node)
        if not publish:
            continue
        grain, unique, not_null, accepted = (), [], [], {}
        for test in sorted(tests.get(node["unique_id"], []), key=lambda t: t["unique_id"]):
            kind, kwargs = test["test_metadata"]["name"], test["test_metadata"].get("kwargs", {})
            column = test.get("column_name") or kwargs.get("column_name")
            if kind == GRAIN_TEST:
                if grain:
                    raise ValueError(f"{node['name']} declares its grain twice ({GRAIN_TEST} tests)")
                grain = tuple(kwargs["combination_of_columns"])
            elif kind == "unique" and column:
                unique.append(column)
            elif kind == "not_null" and column:
                not_null.append(column)
            elif kind == "accepted_values" and column:
                accepted[column] = tuple(kwargs["values"])
        grain = grain or tuple(unique[:1])  # a one-column grain may be declared with dbt's unique test
        if not grain:
            raise ValueError(f"{node['name']} has no {GRAIN_TEST} test: model.md wants every mart's grain tested")
        out.append(
            Mart(
                name=node["name"],
                unique_id=node["unique_id"],
                schema=node["schema"],
                publish=publish,
                columns=tuple(node["columns"]),
                grain=grain,
                unique=tuple(c for c in dict.fromkeys(unique) if (c,) != grain),
                not_null=tuple(dict.fromkeys(not_null)),
                accepted_values=accepted,
            )
        )
    return sorted(out, key=lambda m: m.name)


# the suites ------------------------------------------------------------------------------------


def _why(why: str, **extra) -> dict:
    return {"why": why, **extra}


def _structure(mart: Mart) -> list:
    grain = " x ".join(mart.grain)
    out: list = [
        gx.expectations.ExpectTableColumnsToMatchSet(
            column_set=list(mart.columns),
            exact_match=False,
            meta=_why("the columns the model's YAML documents exist; BI tools rely on their names"),
        ),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=list(mart.grain), meta=_why(f"grain: {grain}"))
        if len(mart.grain) > 1
        else gx.expectations.ExpectColumnValuesToBeUnique(column=mart.grain[0], meta=_why(f"grain: {grain}")),
    ]
    for c in mart.unique:
        out.append(gx.expectations.ExpectColumnValuesToBeUnique(column=c, meta=_why("dbt test unique")))
    not_null = {c: f"grain: {grain}, never null" for c in mart.grain}
    for c in mart.not_null:
        not_null.setdefault(c, "dbt test not_null")
    for c in TIME_GRAINS:
        if c in mart.columns:
            not_null.setdefault(c, "model.md: a time grain is never null")
    for c in mart.columns:
        if (found := convention(c)) and found.not_null:
            not_null.setdefault(c, _COUNT_NOT_NULL_WHY)
    for column, why in not_null.items():
        out.append(gx.expectations.ExpectColumnValuesToNotBeNull(column=column, meta=_why(why)))
    for column, values in mart.accepted_values.items():
        out.append(
            gx.expectations.ExpectColumnValuesToBeInSet(
                column=column, value_set=list(values), meta=_why("dbt test accepted_values")
            )
        )
    return out


def _ranges(mart: Mart) -> list:
    out: list = []
    for column in mart.columns:
        if column in IN_METRIC_UNITS and METRIC_COLUMN in mart.accepted_values:
            continue
        c = convention(column)
        if c and (c.min_value is not None or c.max_value is not None):
            out.append(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=column, min_value=c.min_value, max_value=c.max_value, meta=_why(c.why, convention=c.pattern)
                )
            )
    for metric in mart.accepted_values.get(METRIC_COLUMN, ()):
        c = convention(metric)
        if c is None or c.min_value is None or c.max_value is None:
            raise ValueError(f"{mart.name}: metric {metric!r} has no bounded convention in CONVENTIONS")
        for column, unit in IN_METRIC_UNITS.items():
            if column not in mart.columns:
                continue
            low, high = c.min_value, c.max_value
            why = f"{column} is in {metric}'s units"
            if unit == "difference":
                low, high = low - high, high - low
                why = f"{column} is a difference in {metric}'s units"
            out.append(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=column,
                    min_value=low,
                    max_value=high,
                    row_condition=Row(METRIC_COLUMN) == metric,
                    meta=_why(why, convention=c.pattern),
                )
            )
    for column in mart.columns:
        if re.fullmatch(MONTH_COLUMN, column):
            out.append(
                _no_row_where(column, f"{column}.dt.day != 1", "model.md: a month is a DATE, the month's first day")
            )
    return out


def _no_row_where(column: str, broken: str, why: str, holds: str | None = None):
    """Fails on every row the pandas filter `broken` selects, showing column and the grain."""
    return gx.expectations.ExpectColumnValuesToBeInSet(
        column=column,
        value_set=[],
        row_condition=PassThroughCondition(pass_through_filter=broken),
        meta=_why(why, **({"holds": holds} if holds else {})),
    )


def _reconciliation(r: Reconciliation) -> list:
    if isinstance(r, Ratio):
        scaled = f"{r.scale} * ({r.numerator})" if r.scale != 1 else f"({r.numerator})"
        formula = f"{r.column} = {scaled} / {r.denominator}"
        where = f"({r.where}) and " if r.where else ""
        scope = f" where {r.where}" if r.where else ""
        return [
            _no_row_where(
                r.column,
                f"{where}{r.denominator} != 0 and not (abs({r.column} - {scaled} / {r.denominator}) <= {TOLERANCE})",
                f"reconciliation: {formula}{scope}, unrounded (model.md: nothing is rounded in storage)",
                holds=formula,
            ),
            _no_row_where(
                r.column,
                f"{where}{r.denominator} == 0 and {r.column}.notna()",
                f"model.md: a ratio over zero is null, never 0 ({r.denominator} = 0){scope}",
                holds=f"{r.column} is null where {r.denominator} = 0",
            ),
        ]
    if isinstance(r, Difference):
        formula = f"{r.column} = {r.minuend} - {r.subtrahend}"
        return [
            _no_row_where(
                r.column,
                f"not (abs({r.column} - ({r.minuend} - {r.subtrahend})) <= {TOLERANCE} or "
                f"({r.column}.isna() and ({r.minuend}.isna() or {r.subtrahend}.isna())))",
                f"reconciliation: {formula}, null when either is null",
                holds=formula,
            )
        ]
    return [_no_row_where(r.column, f"not ({r.holds})", f"reconciliation: {r.why}", holds=r.holds)]


def _reconciliations(mart: Mart) -> list:
    out: list = []
    for r in RECONCILIATIONS.get(mart.name, ()):
        unknown = _columns_of(r) - set(mart.columns)
        if unknown:
            raise ValueError(
                f"RECONCILIATIONS of {mart.name} name columns {sorted(unknown)} its YAML does not document: "
                "fix the rule in orchestration/quality/mart_suites.py"
            )
        out.extend(_reconciliation(r))
    return out


def suite_name(mart: Mart) -> str:
    """`<schema>.<model>`, e.g. `marts.mart_nps`: named like the table it checks."""
    return mart.table


def suite_path(mart_name: str, root: Path = EXPECTATIONS_DIR) -> Path:
    return root / "marts" / f"{mart_name}.json"


def build_suite(mart: Mart) -> gx.ExpectationSuite:
    """The suite of one published mart, derived from its model in the manifest."""
    expectations = [*_structure(mart), *_ranges(mart), *_reconciliations(mart)]
    return gx.ExpectationSuite(
        name=suite_name(mart),
        expectations=expectations,
        meta={
            "great_expectations_version": gx.__version__,
            "cx360": {
                "model": mart.name,
                "dbt_unique_id": mart.unique_id,
                "table": mart.table,
                "publish": list(mart.publish),
                "key": list(mart.grain),  # the runner shows these columns of a failing row
                "generated_by": GENERATOR,
            },
        },
        notes=(
            f"Generated from the dbt manifest (model {mart.name}) and orchestration/quality/mart_suites.py by "
            f"`{GENERATOR}`: do not edit by hand. Checked by the blocking Dagster asset check gx_mart_suite "
            "before publishing."
        ),
    )


def _check_reconciliations_cover(marts: Iterable[Mart]) -> None:
    stale = set(RECONCILIATIONS) - {m.name for m in marts}
    if stale:
        raise ValueError(f"RECONCILIATIONS name marts that are not published dbt models: {sorted(stale)}")


def generate(root: Path = EXPECTATIONS_DIR, manifest: dict | None = None) -> dict[Path, str]:
    """Every mart suite file and its content, without writing anything."""
    marts = marts_to_publish(manifest if manifest is not None else load_manifest())
    _check_reconciliations_cover(marts)
    return {suite_path(m.name, root): render(build_suite(m)) for m in marts}


def write_all(root: Path = EXPECTATIONS_DIR, manifest: dict | None = None) -> list[Path]:
    """Rewrite the mart suites under root and remove suite files no published mart owns any more."""
    return sync_suite_files(root / "marts", generate(root, manifest))


def main() -> None:
    for path in write_all():
        print(path.relative_to(EXPECTATIONS_DIR.parent), file=sys.stderr)


if __name__ == "__main__":
    main()
