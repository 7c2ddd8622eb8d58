"""The cx360 code location: what `make ui` shows and `cx360 run` materialises."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.settings import Settings

Settings.from_env().export()  # dbt's profile and the Dagster instance read the resolved paths

from orchestration.assets.ingest import ingest_assets  # noqa: E402
from orchestration.assets.serving import published_marts  # noqa: E402
from orchestration.assets.transform import cx360_dbt, dbt_project  # noqa: E402
from orchestration.automation import build_automation  # noqa: E402
from orchestration.progress import progress_logger  # noqa: E402
from orchestration.quality.gx_checks import raw_batch_checks  # noqa: E402
from orchestration.resources import WarehouseResource  # noqa: E402

BUILD_JOB = "cx360_build"

build_job = dg.define_asset_job(
    BUILD_JOB,
    selection=dg.AssetSelection.all(),
    description="Load every new batch, build and test the models, publish what passed.",
    # DuckDB takes one writer: steps run one after another in the run's own process
    executor_def=dg.in_process_executor,
)

sensors, schedules = build_automation(build_job)

defs = dg.Definitions(
    assets=[*ingest_assets, cx360_dbt, published_marts],
    asset_checks=[*raw_batch_checks()],
    jobs=[build_job],
    sensors=sensors,
    schedules=schedules,
    resources={
        "dbt": DbtCliResource(project_dir=dbt_project),
        "warehouse": WarehouseResource(),
    },
    loggers={"console": dg.colored_console_logger, "progress": progress_logger},
)
