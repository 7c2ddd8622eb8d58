"""Dagster resources: where the landing zone and the warehouse are, from the one settings module."""

from __future__ import annotations

import dagster as dg

from orchestration.settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """Locations and settings of a run. Empty fields fall back to the environment (settings.py)."""

    landing_dir: str = ""
    warehouse_dir: str = ""
    as_of: str = ""

    def settings(self) -> Settings:
        overrides = {
            k: v
            for k, v in {
                "landing_dir": self.landing_dir,
                "warehouse_dir": self.warehouse_dir,
                "as_of": self.as_of,
            }.items()
            if v
        }
        return Settings.from_env(**overrides)
