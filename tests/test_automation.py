"""The sensor, the schedule, retries on a busy database and freshness, with Dagster's test utilities."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import dagster as dg
import pytest

from orchestration.assets.ingest import ingest_assets
from orchestration.contracts import entity
from orchestration.resources import WarehouseResource
from orchestration.settings import ENV_LANDING, ENV_WAREHOUSE
from tests.conftest import write_landing

CUSTOMERS = "customer_id,created_at,updated_at\nC1,2026-01-01,2026-01-01\n"


@pytest.fixture
def defs(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_LANDING, str(tmp_path / "landing"))
    monkeypatch.setenv(ENV_WAREHOUSE, str(tmp_path / "warehouse"))
    from orchestration.definitions import defs

    return defs


def test_the_sensor_requests_a_run_only_when_files_land(defs, tmp_path):
    sensor = defs.resolve_sensor_def("landing_zone_sensor")
    with dg.instance_for_test() as instance:
        empty = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert not empty.run_requests and "no files" in empty.skip_message
        write_landing(tmp_path / "landing", {"crm/customers/a.csv": CUSTOMERS})
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert len(first.run_requests) == 1 and first.run_requests[0].tags["cx360/files"] == "1"
        same = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert not same.run_requests and "no new or changed files" in same.skip_message
        write_landing(tmp_path / "landing", {"sales/orders/b.csv": "order_id\n"})
        second = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert len(second.run_requests) == 1 and second.run_requests[0].run_key != first.run_requests[0].run_key


def test_the_daily_schedule_runs_the_build(defs):
    schedule = defs.resolve_schedule_def("daily_build")
    assert schedule.cron_schedule == "0 6 * * *" and schedule.job_name == "cx360_build"
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC))
    result = schedule.evaluate_tick(context)
    assert len(result.run_requests) == 1


def customers_asset():
    key = dg.AssetKey(["raw", "crm", "customers"])
    return next(a for a in ingest_assets if key in a.keys)


def test_a_busy_database_is_retried_with_back_off(tmp_path):
    landing = write_landing(tmp_path / "landing", {"crm/customers/a.csv": CUSTOMERS})
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    db = warehouse / "cx.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(4)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    result = dg.materialize(
        [customers_asset()],
        resources={"warehouse": WarehouseResource(landing_dir=str(landing), warehouse_dir=str(warehouse))},
    )
    holder.wait()
    assert result.success
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retries
    error, messages = retries[0].event_specific_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    assert any("is in use by another process" in m for m in messages), messages
    assert time.monotonic() - started >= 4


def test_freshness_warns_when_a_source_has_not_delivered(tmp_path, monkeypatch):
    landing = write_landing(tmp_path / "landing", {"crm/customers/a.csv": CUSTOMERS})
    resources = {"warehouse": WarehouseResource(landing_dir=str(landing), warehouse_dir=str(tmp_path / "wh"))}
    monkeypatch.setenv("CX360_FRESHNESS_HOURS", "0")
    result = dg.materialize([customers_asset()], resources=resources)
    fresh = [e for e in result.get_asset_check_evaluations() if e.check_name == "delivered_recently"]
    assert result.success  # a warning never blocks
    assert [(e.passed, e.severity) for e in fresh] == [(False, dg.AssetCheckSeverity.WARN)]
    monkeypatch.setenv("CX360_FRESHNESS_HOURS", "36")
    result = dg.materialize([customers_asset()], resources=resources)
    fresh = [e for e in result.get_asset_check_evaluations() if e.check_name == "delivered_recently"]
    assert [e.passed for e in fresh] == [True]
    assert entity("crm/customers").required
