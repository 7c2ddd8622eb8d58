"""What the dashboard reads: the published BI marts, small and aggregated, through one read-only connection.

Only the BI database is opened (its views read the publication's own Parquet files): never the
working database, never the restricted one. Every query reads a mart, whose rows are already
aggregates (months, days, touchpoints, bands), so the cost does not grow with the customers:
nothing reads fct_customer_journey or dim_customer. Every query has a full `order by`, so the same
publication gives the same rows in the same order, and the same pages byte for byte.
"""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import duckdb

# model -> (its description, {column: description}), as the BI database's comments carry them
Docs = dict[str, tuple[str, dict[str, str]]]
Row = dict[str, object]


def connect(bi_database: Path) -> duckdb.DuckDBPyConnection:
    """Read-only; no extension fetched from the network (the views need only DuckDB's own Parquet
    reader) and no spill folder beside the database (the queries are small): nothing is written."""
    return duckdb.connect(
        str(bi_database),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False, "temp_directory": ""},
    )


def _plain(value: object) -> object:
    """JSON-ready: exact decimals as floats (presentation only), dates as ISO text."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[Row]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [{n: _plain(v) for n, v in zip(names, r, strict=True)} for r in cursor.fetchall()]


def docs(con: duckdb.DuckDBPyConnection) -> Docs:
    """Every published table's and column's dbt description, from the comments publishing puts on them
    (on views over Parquet or on tables, whichever the BI database holds)."""
    relations = con.execute(
        """
        select view_name, coalesce(comment, '') from duckdb_views()
        where database_name = current_database() and schema_name = 'main' and not internal
        union all
        select table_name, coalesce(comment, '') from duckdb_tables()
        where database_name = current_database() and schema_name = 'main' and not internal
        order by 1
        """
    ).fetchall()
    out: Docs = {name: (text, {}) for name, text in relations}
    for view, column, text in con.execute(
        "select table_name, column_name, coalesce(comment, '') from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' order by table_name, column_index"
    ).fetchall():
        if view in out:
            out[view][1][column] = text
    return out


def kpis_daily(con) -> list[Row]:
    """The daily scorecard, oldest day first (one row a day: small at any size)."""
    return rows(con, "select * from mart_cx_kpis_daily order by day")


def targets(con) -> list[Row]:
    return rows(
        con,
        """
        select touchpoint, value_tier, metric, target, actual, gap, gap_points, status, responses, actual_numerator
        from mart_cx_targets order by touchpoint, value_tier, metric
        """,
    )


def journey_map(con) -> list[Row]:
    return rows(con, "select * from mart_journey_map order by stage_number, events desc, touchpoint")


def nps_by_month(con) -> list[Row]:
    return rows(
        con,
        """
        select month, segment, value_tier, responses, promoters, passives, detractors, nps
        from mart_nps order by segment, value_tier, month
        """,
    )


def nps_impact(con) -> list[Row]:
    return rows(con, "select * from mart_touchpoint_nps_impact order by nps_difference nulls first, touchpoint")


def funnel(con) -> list[Row]:
    """The funnel of every cohort together: counts summed, conversion re-aggregated from its parts."""
    return rows(
        con,
        """
        select
            journey_stage,
            stage_number,
            sum(customers) as customers,
            sum(converted_from_previous_stage) as converted_from_previous_stage,
            sum(previous_stage_customers) as previous_stage_customers,
            sum(converted_from_previous_stage) / nullif(sum(previous_stage_customers), 0) as conversion_rate,
            sum(cohort_customers) as cohort_customers,
            min(cohort_month) as first_cohort,
            max(cohort_month) as last_cohort
        from mart_journey_funnel
        group by journey_stage, stage_number
        order by stage_number
        """,
    )


def retention(con) -> list[Row]:
    return rows(con, "select * from mart_retention_cohorts order by cohort_month, months_since_first_order")


def support_months(con) -> list[Row]:
    """Per month and channel: counts summed and rates re-aggregated (medians cannot be, see support_cells)."""
    return rows(
        con,
        """
        select
            month, channel,
            sum(tickets) as tickets,
            sum(solved_tickets) as solved_tickets,
            sum(one_touch_tickets) as one_touch_tickets,
            sum(reopened_tickets) as reopened_tickets,
            sum(csat_responses) as csat_responses,
            sum(csat_satisfied) as csat_satisfied
        from mart_support_performance
        group by month, channel
        order by month, channel
        """,
    )


def support_cells(con) -> list[Row]:
    return rows(
        con,
        """
        select month, channel, category, tickets, responded_tickets, median_first_response_hours,
            p90_first_response_hours, resolved_tickets_with_time, median_resolution_hours
        from mart_support_performance order by month, channel, category
        """,
    )


def voice_by_month(con) -> list[Row]:
    return rows(
        con,
        """
        select month, kind, sum(mentions) as mentions, max(month_feedback) as month_feedback
        from mart_voice_of_customer group by month, kind order by month, kind
        """,
    )


def voice_topics(con, since: str) -> list[Row]:
    """Department x topic over the months from `since` (a month's first day) on."""
    return rows(
        con,
        """
        with months as (
            select distinct month, month_feedback from mart_voice_of_customer where month >= cast(? as date)
        )
        select
            department, topic,
            sum(mentions) as mentions,
            (select sum(month_feedback) from months) as feedback,
            sum(rated_mentions) as rated_mentions,
            sum(rating_sum) as rating_sum,
            sum(rating_sum) / nullif(sum(rated_mentions), 0) as avg_rating,
            count(distinct kind) as kinds,
            string_agg(distinct kind, ', ' order by kind) as kind_list
        from mart_voice_of_customer
        where month >= cast(? as date)
        group by department, topic
        order by mentions desc, department, topic
        """,
        [since, since],
    )


def backlog(con) -> list[Row]:
    return rows(con, "select * from mart_follow_up_backlog order by signal_number, age_band_number")


def trust(con) -> list[Row]:
    """One row per published table; the run- and source-level figures repeat on every row."""
    return rows(con, "select * from mart_data_trust order by table_name")


def as_of(con) -> str | None:
    """The publication's as-of date: the last day of the daily scorecard (model.md: it runs to the as-of date)."""
    day = con.execute("select max(day) from mart_cx_kpis_daily").fetchone()[0]
    return day.isoformat() if day is not None else None
