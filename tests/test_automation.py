"""The sensor, the schedule, retries on a busy database and freshness, with Dagster's test utilities."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import dagster as dg
import pytest

from orchestration.assets.ingest import ingest_assets
from orchestration.contracts import entity
from orchestration.location import build_definitions
from orchestration.resources import WarehouseResource
from orchestration.warehouse import BUSY_RETRIES, busy_wait_seconds
from tests.conftest import write_landing
from tests.pipeline import settings_for

CUSTOMERS = "customer_id,created_at,updated_at\nC1,2026-01-01,2026-01-01\n"


@pytest.fixture
def defs(tmp_path):
    return build_definitions(settings_for(tmp_path / "landing", tmp_path / "warehouse"))


def test_the_sensor_requests_a_run_only_when_files_land(defs, tmp_path):
    sensor = defs.resolve_sensor_def("landing_zone_sensor")
    with dg.instance_for_test() as instance:

        def tick(cursor=None):
            return sensor.evaluate_tick(
                dg.build_sensor_context(instance=instance, cursor=cursor, resources=defs.resources)
            )

        empty = tick()
        assert not empty.run_requests and "no files" in empty.skip_message
        write_landing(tmp_path / "landing", {"crm/customers/a.csv": CUSTOMERS})
        first = tick()
        assert len(first.run_requests) == 1 and first.run_requests[0].tags["cx360/files"] == "1"
        same = tick(first.cursor)
        assert not same.run_requests and "no new or changed files" in same.skip_message
        write_landing(tmp_path / "landing", {"sales/orders/b.csv": "order_id\n"})
        second = tick(first.cursor)
        assert len(second.run_requests) == 1 and second.run_requests[0].run_key != first.run_requests[0].run_key


def test_the_daily_schedule_runs_the_build(defs):
    schedule = defs.resolve_schedule_def("daily_build")
    assert schedule.cron_schedule == "0 6 * * *" and schedule.job_name == "cx360_build"
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC))
    result = schedule.evaluate_tick(context)
    assert len(result.run_requests) == 1


def customers_asset():
    key = dg.AssetKey(["raw", "crm__customers"])
    return next(a for a in ingest_assets if key in a.keys)


def test_a_busy_database_is_retried_with_back_off(tmp_path):
    landing = write_landing(tmp_path / "landing", {"crm/customers/a.csv": CUSTOMERS})
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    db = warehouse / "cx.duckdb"
    # another process holds the working database until told to let go (a notebook's connection)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(db)!r}); print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    settings = settings_for(landing, warehouse, busy_first_wait_seconds=0)
    resources = {"warehouse": WarehouseResource.from_settings(settings)}
    try:
        held = dg.materialize([customers_asset()], resources=resources, raise_on_error=False)
    finally:
        holder.stdin.close()
        holder.wait()
    assert not held.success
    retries = [e for e in held.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert len(retries) == BUSY_RETRIES
    error, messages = retries[0].event_specific_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    assert any("is in use by another process" in m for m in messages), messages
    # let go: the same step goes through
    assert dg.materialize([customers_asset()], resources=resources).success
    # the waits double from the setting: 5, 10, 20, 40 seconds by default
    assert [busy_wait_seconds(settings_for(landing, warehouse), n) for n in range(BUSY_RETRIES)] == [5, 10, 20, 40]


def test_freshness_warns_when_a_source_has_not_delivered(tmp_path):
    landing = write_landing(tmp_path / "landing", {"crm/customers/a.csv": CUSTOMERS})
    settings = settings_for(landing, tmp_path / "wh", freshness_hours=0)
    resources = {"warehouse": WarehouseResource.from_settings(settings)}
    result = dg.materialize([customers_asset()], resources=resources)
    fresh = [e for e in result.get_asset_check_evaluations() if e.check_name == "delivered_recently"]
    assert result.success  # a warning never blocks
    assert [(e.passed, e.severity) for e in fresh] == [(False, dg.AssetCheckSeverity.WARN)]
    resources = {"warehouse": WarehouseResource.from_settings(settings.with_(freshness_hours=36))}
    result = dg.materialize([customers_asset()], resources=resources)
    fresh = [e for e in result.get_asset_check_evaluations() if e.check_name == "delivered_recently"]
    assert [e.passed for e in fresh] == [True]
    assert entity("crm/customers").required
