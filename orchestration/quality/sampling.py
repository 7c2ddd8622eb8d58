"""Reading a table or a raw batch for a Great Expectations suite, at any size, with DuckDB.

GX validates pandas DataFrames, and a DataFrame of a whole 20-million-row table costs minutes and
gigabytes. So a relation (a table, a Parquet batch) is read in one of two ways:

- up to `SAMPLE_ROWS` rows: every row, and GX judges every expectation on them, as before;
- more rows: a deterministic sample of `SAMPLE_ROWS` rows. GX judges the expectations that hold row
  by row (`ON_SAMPLE`: not null, in set, between, regex, types, pair comparisons, the column set) on
  the sample; what a sample would get wrong (`ON_ALL_ROWS`: uniqueness of a column or of a compound
  key, the row count) is evaluated here in DuckDB SQL on every row, and reported in GX's result form,
  with the same words, counts, sample values and sample rows as GX gives on a small table.

The sample is DuckDB's reservoir sample with a fixed seed (`USING SAMPLE reservoir(n ROWS) REPEATABLE
(SAMPLE_SEED)`): uniform, so a bad row is as likely to be in it as any other, and the same for the
same stored rows, whatever the number of threads or the run. Only the columns the suite reads are
read, plus the suite's key and the lineage columns that say where a failing row came from.

A suite holding an expectation of another type (a mean, a distinct count...) cannot be judged on a
sample: such a relation is refused (the check fails and says so) until the type is classified here.
A share (`mostly` below 1, which no generated raw suite holds any more: drift.py profiles every row)
is judged on the sample: at 100,000 rows it is known to within a few tenths of a percentage point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from orchestration.sql import ident, literal

# Relations with more rows than this are validated on a deterministic sample of this many rows: GX
# runs a 20-expectation suite on 100,000 rows in ~3 s, and a defect on 1 row in 10,000 is in the
# sample with a probability above 99.99% (one on 1 row in a million, with about 10%).
SAMPLE_ROWS = 100_000
SAMPLE_SEED = 42

# Expectations judged row by row (or on the columns' names and types): a sample tells about the rows
# it holds, and the sample has every column the table has that the suite names.
ON_SAMPLE = frozenset(
    {
        "expect_column_to_exist",
        "expect_table_columns_to_match_set",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_not_match_regex_list",
        "expect_column_values_to_match_like_pattern",
        "expect_column_values_to_match_strftime_format",
        "expect_column_values_to_be_of_type",
        "expect_column_values_to_be_in_type_list",
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_to_be_in_set",
        "expect_multicolumn_sum_to_equal",
        "expect_select_column_values_to_be_unique_within_record",
    }
)
# Expectations on the table's whole column list: the sample then holds every column of the table.
NEEDS_ALL_COLUMNS = frozenset(
    {
        "expect_table_columns_to_match_ordered_list",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
    }
)
# Expectations a sample would get wrong: evaluated on every row, in DuckDB (see _evaluate).
ON_ALL_ROWS = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_table_row_count_to_equal",
        "expect_table_row_count_to_be_between",
    }
)
LINEAGE = ("_batch_id", "_file_name", "_row_number")  # where a raw row came from: gx_runner.LINEAGE
PARTIAL_ROWS = 20  # unexpected values and rows reported, as gx_runner.RESULT_FORMAT asks of GX
_IDENTIFIER = re.compile(r"(?<![.\w])[A-Za-z_]\w*")


@dataclass
class Rows:
    """The rows of a relation that GX validates, and what was judged on all of its rows instead."""

    frame: pd.DataFrame
    total: int  # rows in the relation
    on_all_rows: dict[int, dict] = field(default_factory=dict)  # suite position -> result on every row
    refused: list[str] = field(default_factory=list)  # expectations that cannot be judged on a sample

    @property
    def sampled(self) -> bool:
        return len(self.frame) < self.total

    def note(self) -> str | None:
        """What was validated on what, when a sample was: None when every row was validated."""
        if not self.sampled:
            return None
        judged = "; ".join(dict.fromkeys(r["judged"] for r in self.on_all_rows.values()))
        return f"validated {len(self.frame):,} of {self.total:,} rows (deterministic sample)" + (
            f"; {judged} checked on all rows" if judged else ""
        )


BATCH = "_batch_id"  # the raw zone's batch column: keys are unique within a batch (contracts.py)


def read(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    raw_suite: dict,
    *,
    limit: int | None = None,
    per_batch: bool = False,
) -> Rows:
    """The rows of relation (SQL: a quoted table name, `read_parquet(...)`) to validate raw_suite on.

    limit: the sample size, SAMPLE_ROWS unless given (read when called, so a test may lower it).
    per_batch: relation holds several raw batches (column _batch_id), validated together in one
    GX run (each validation costs ~0.5 s whatever its size), while uniqueness is judged within each
    batch, in DuckDB, as a batch's key is unique only within it.
    """
    limit = SAMPLE_ROWS if limit is None else limit
    expectations = raw_suite.get("expectations", [])
    table_columns = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
    columns = columns_to_read(raw_suite, table_columns)
    total = con.execute(f"select count(*) from {relation}").fetchone()[0]
    if not columns:  # the table has none of the suite's columns: GX says which are missing
        return Rows(pd.DataFrame(index=pd.RangeIndex(min(total, limit))), total)
    select = ", ".join(ident(c) for c in columns)
    within = BATCH if per_batch else None
    if total <= limit:
        frame = con.execute(f"select {select} from {relation}").df()
        if not within:
            return Rows(frame, total)
        on_all_rows = {
            i: _evaluate(con, relation, e, total, table_columns, _key(raw_suite), within)
            for i, e in enumerate(expectations)
            if e["type"] in ON_ALL_ROWS and not e["type"].startswith("expect_table_row_count")
        }
        return Rows(frame, total, on_all_rows)

    refused = sorted(
        {
            e["type"]
            for e in expectations
            if e["type"] not in ON_SAMPLE | NEEDS_ALL_COLUMNS | ON_ALL_ROWS
            or (e["type"] in ON_ALL_ROWS and e["kwargs"].get("row_condition"))
        }
    )
    order = [c for c in ("_row_number", *_key(raw_suite)) if c in columns]
    sample = f"select {select} from {relation} using sample reservoir({int(limit)} rows) repeatable ({SAMPLE_SEED})"
    # in file order (raw batches) or key order: the sample reads like the relation
    frame = con.execute(
        f"select * from ({sample})" + (f" order by {', '.join(ident(c) for c in order)}" if order else "")
    ).df()
    if refused:  # the check fails on these before anything is validated
        return Rows(frame, total, refused=refused)
    on_all_rows = {
        i: _evaluate(con, relation, e, total, table_columns, _key(raw_suite), within)
        for i, e in enumerate(expectations)
        if e["type"] in ON_ALL_ROWS
    }
    return Rows(frame, total, on_all_rows)


def columns_to_read(raw_suite: dict, table_columns: list[str]) -> list[str]:
    """The table's columns the suite names (expectations, row conditions, key) and the lineage ones."""
    if any(e["type"] in NEEDS_ALL_COLUMNS for e in raw_suite.get("expectations", [])):
        return list(table_columns)
    named: set[str] = set(_key(raw_suite)) | set(LINEAGE)
    for e in raw_suite.get("expectations", []):
        kwargs = e.get("kwargs", {})
        for k in ("column", "column_A", "column_B"):
            if isinstance(kwargs.get(k), str):
                named.add(kwargs[k])
        for k in ("column_list", "column_set"):
            named.update(kwargs.get(k) or ())
        named.update(_condition_columns(kwargs.get("row_condition")))
    return [c for c in table_columns if c in named]


def _condition_columns(condition: Any) -> set[str]:
    """Names a row condition may read: its columns, or the identifiers of a pandas filter."""
    if isinstance(condition, str):
        return set(_IDENTIFIER.findall(re.sub(r"'[^']*'|\"[^\"]*\"", "", condition)))
    if isinstance(condition, list):
        return set().union(*map(_condition_columns, condition)) if condition else set()
    if isinstance(condition, dict):
        out: set[str] = set()
        for k, v in condition.items():
            if k == "column":
                out |= {v["name"]} if isinstance(v, dict) and "name" in v else _condition_columns(v)
            elif k in ("pass_through_filter", "conditions"):
                out |= _condition_columns(v)
        return out
    return set()


def _key(raw_suite: dict) -> list[str]:
    return list(raw_suite.get("meta", {}).get("cx360", {}).get("key", []))


# on all rows -----------------------------------------------------------------------------------


def _evaluate(
    con, relation: str, expectation: dict, total: int, table_columns: list[str], key: list[str], within: str | None
) -> dict:
    """One ON_ALL_ROWS expectation on every row: {success, result (GX's SUMMARY form), judged}; uniqueness
    within each value of the column `within` when given (each raw batch)."""
    kind, kwargs = expectation["type"], expectation["kwargs"]
    if kind == "expect_table_row_count_to_equal":
        return {"success": total == kwargs["value"], "result": {"observed_value": total}, "judged": "row count"}
    if kind == "expect_table_row_count_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        ok = (low is None or (total > low if kwargs.get("strict_min") else total >= low)) and (
            high is None or (total < high if kwargs.get("strict_max") else total <= high)
        )
        return {"success": ok, "result": {"observed_value": total}, "judged": "row count"}

    columns = [kwargs["column"]] if kind == "expect_column_values_to_be_unique" else list(kwargs["column_list"])
    judged = (
        f"grain ({', '.join(columns)})"
        if columns == key
        else f"uniqueness of {columns[0]}"
        if len(columns) == 1
        else f"uniqueness of ({', '.join(columns)})"
    )
    if within:
        judged += f" within each {within.strip('_').replace('_id', '')}"
    missing = [c for c in [*columns, *([within] if within else [])] if c not in table_columns]
    if missing:
        message = f"column(s) {', '.join(missing)} not in the table"
        return {
            "success": False,
            "result": {},
            "judged": judged,
            "exception_info": {"raised_exception": True, "exception_message": message, "exception_traceback": None},
        }
    grouped = [*columns, *([within] if within else [])]
    cols = ", ".join(ident(c) for c in grouped)
    nulls = [f"{ident(c)} is null" for c in columns]
    # the rows GX leaves out: a null value; for a compound key, by ignore_row_if
    ignore = (
        {
            "all_values_are_missing": " and ".join(nulls),
            "any_value_is_missing": " or ".join(nulls),
            "never": "false",
        }[kwargs.get("ignore_row_if", "all_values_are_missing")]
        if len(columns) > 1
        else nulls[0]
    )
    # one aggregation: the counts, and the first duplicated keys, to show their rows
    struct = "{" + ", ".join(f"{literal(c)}: {ident(c)}" for c in grouped) + "}"
    counted, unexpected, duplicated = con.execute(
        f"select coalesce(sum(n) filter (where not ({ignore})), 0), "
        f"coalesce(sum(n) filter (where not ({ignore}) and n > 1), 0), "
        f"min({struct}, {PARTIAL_ROWS}) filter (where not ({ignore}) and n > 1) "
        f"from (select {cols}, count(*) as n from {relation} group by all)"
    ).fetchone()
    result: dict[str, Any] = {
        "element_count": total,
        "missing_count": total - counted,
        "missing_percent": _percent(total - counted, total),
        "unexpected_count": unexpected,
        "unexpected_percent": _percent(unexpected, counted),
        "unexpected_percent_total": _percent(unexpected, total),
        "unexpected_percent_nonmissing": _percent(unexpected, counted),
    }
    mostly = kwargs.get("mostly", 1)
    success = unexpected == 0 if mostly >= 1 else (counted == 0 or (counted - unexpected) / counted >= mostly)
    if unexpected:
        # the rows are shown like gx_runner shows a failing row: key, the expectation's columns, lineage
        shown = [c for c in dict.fromkeys([*key, *columns, *LINEAGE]) if c in table_columns]
        result.update(_duplicates(con, relation, grouped, duplicated, shown, columns))
    return {"success": success, "result": result, "judged": judged}


def _duplicates(
    con, relation: str, grouped: list[str], duplicated: list[dict], shown: list[str], columns: list[str]
) -> dict:
    """GX's partial lists for duplicated keys (a few, as DuckDB returned them): the values of `columns`,
    and the rows holding them (shown columns), found by one scan (on `grouped`) without aggregating again."""
    on = " and ".join(f"r.{ident(c)} is not distinct from d.k[{literal(c)}]" for c in grouped)
    order = ", ".join(f"r.{ident(c)}" for c in dict.fromkeys([*columns, *(c for c in LINEAGE if c in shown)]))
    cursor = con.execute(
        f"select {', '.join(f'r.{ident(c)}' for c in shown)} from {relation} r "
        f"join (select unnest($keys) as k) d on {on} order by {order} limit {PARTIAL_ROWS}",
        {"keys": duplicated},
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    values = [r[columns[0]] if len(columns) == 1 else {c: r[c] for c in columns} for r in rows]
    counts: dict[str, dict] = {}
    for v in values:
        shown_value = v if len(columns) == 1 else [v[c] for c in columns]
        counts.setdefault(repr(shown_value), {"value": shown_value, "count": 0})["count"] += 1
    return {
        "partial_unexpected_list": values,
        "partial_unexpected_counts": list(counts.values()),
        # rows as {column: value}, as GX reports rows of a compound expectation (gx_runner._sample_rows)
        "partial_unexpected_index_list": rows,
    }


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None
