"""The cx360 code location, built from one Settings object: what `cx360 run` executes and the UI shows."""

from __future__ import annotations

import dagster as dg

from orchestration.settings import Settings

BUILD_JOB = "cx360_build"


def build_definitions(settings: Settings) -> dg.Definitions:
    """Assets, checks, the build job, its automation and the resources configured with `settings`.

    The dbt manifest must be prepared first (dbt_manifest.prepare): building reads it, never parses.
    """
    from orchestration.assets.audit import load_records, run_audit
    from orchestration.assets.ingest import ingest_assets
    from orchestration.assets.serving import published_marts
    from orchestration.assets.transform import dbt_assets_built_on
    from orchestration.automation import build_automation
    from orchestration.dbt_manifest import dbt_resource
    from orchestration.progress import progress_logger
    from orchestration.quality.gx_checks import raw_batch_checks
    from orchestration.resources import WarehouseResource

    build_job = dg.define_asset_job(
        BUILD_JOB,
        selection=dg.AssetSelection.all(),
        description="Load every new batch, build and test the models, publish what passed.",
        # DuckDB takes one writer: steps run one after another in the run's own process
        executor_def=dg.in_process_executor,
    )
    sensors, schedules = build_automation(build_job)
    return dg.Definitions(
        assets=[*ingest_assets, *load_records, *dbt_assets_built_on(settings.engine), run_audit, published_marts],
        asset_checks=raw_batch_checks(),
        jobs=[build_job],
        sensors=sensors,
        schedules=schedules,
        resources={
            "dbt": dbt_resource(),
            "warehouse": WarehouseResource.from_settings(settings),
        },
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )
