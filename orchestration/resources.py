"""Dagster resources, built from one Settings object (no environment round trip)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import dagster as dg

from orchestration.settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """The run's settings (settings.py), as Dagster config: shown in the UI, passed to every asset.

    One field per Settings field (tests/test_settings.py keeps them in step); `from_settings` and
    `settings()` convert, so an asset reads the same Settings object the CLI resolved.
    """

    landing_dir: str
    warehouse_dir: str
    as_of: str = ""
    max_row_error_share: float = 0.05
    rejected_required_batch_blocks: bool = True
    volume_drop_limit: float = 0.5
    allow_volume_drop: bool = False
    freshness_hours: float = 36
    reporting_currency: str = "EUR"
    full_refresh: bool = False
    duckdb_memory_limit: str = "4GB"
    dbt_threads: int = 0  # 0: the engine's
    engine: str = "duckdb"
    spark_master: str = "local[2]"
    spark_thrift: str = ""
    default_phone_region: str = ""
    future_tolerance_hours: float = 24
    timestamp_floor: str = "1970-01-01"
    busy_first_wait_seconds: float = 5
    reuse_publication: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        values = dataclasses.asdict(settings)
        values["landing_dir"] = str(settings.landing_dir)
        values["warehouse_dir"] = str(settings.warehouse_dir)
        values["as_of"] = settings.as_of.isoformat() if settings.as_of else ""
        values["default_phone_region"] = settings.default_phone_region or ""
        values["spark_thrift"] = settings.spark_thrift or ""
        values["dbt_threads"] = settings.dbt_threads or 0
        values["timestamp_floor"] = settings.timestamp_floor.isoformat()
        return cls(**values)

    def settings(self) -> Settings:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(Settings)}
        values["landing_dir"] = Path(self.landing_dir)
        values["warehouse_dir"] = Path(self.warehouse_dir)
        values["as_of"] = dt.date.fromisoformat(self.as_of) if self.as_of else None
        values["default_phone_region"] = self.default_phone_region or None
        values["spark_thrift"] = self.spark_thrift or None
        values["dbt_threads"] = self.dbt_threads or None
        values["timestamp_floor"] = dt.date.fromisoformat(self.timestamp_floor)
        return Settings(**values)
