"""Every run's check results, kept in `ops.check_results` (quality.md: history of what was checked)."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import duckdb

from orchestration.sql import insert_rows

COLUMNS = (
    "run_id",
    "evaluated_at",
    "asset_key",
    "table_name",
    "check_name",
    "passed",
    "severity",
    "description",
    "metadata",
)


def _jsonable(value):
    inner = getattr(value, "value", value)
    try:
        json.dumps(inner)
        return inner
    except TypeError:
        return str(inner)


def record_check_results(con: duckdb.DuckDBPyConnection, instance: dg.DagsterInstance, run_id: str) -> int:
    """Copy the run's asset-check evaluations from Dagster's event log; safe to call twice."""
    records = instance.get_records_for_run(run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    rows = []
    for record in records:
        entry = record.event_log_entry
        ev = entry.dagster_event.event_specific_data
        rows.append(
            [
                run_id,
                dt.datetime.fromtimestamp(entry.timestamp, dt.UTC).replace(tzinfo=None),
                ev.asset_key.to_user_string(),
                ev.asset_key.path[-1],
                ev.check_name,
                ev.passed,
                ev.severity.value,
                ev.description,
                json.dumps({k: _jsonable(v) for k, v in (ev.metadata or {}).items()}, default=str),
            ]
        )
    con.execute("delete from ops.check_results where run_id = ?", [run_id])
    insert_rows(con, "ops.check_results", COLUMNS, rows)
    return len(rows)
