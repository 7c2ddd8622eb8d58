"""Every dbt model and seed is a Dagster asset, and every dbt test an asset check (dagster-dbt).

`dbt build` runs tests right after the model they test, and a failing test stops its downstream
models; the build then fails and the publish step never runs, which is the audit of
write-audit-publish.
"""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse import connect, retry_when_busy

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path="target")
# parse on load, so the manifest always matches the project on disk (partial parsing keeps it quick)
dbt_project.preparer.prepare(dbt_project)


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # staging / intermediate / marts, from the model's folder
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "models"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    pool="duckdb",
)
def cx360_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    settings = warehouse.settings()
    settings.export()
    with retry_when_busy(context), connect(settings):
        pass  # dbt would fail on a locked file with a less helpful error: wait for it here instead
    # unit tests prove the SQL, not the data: `make test` runs them once (tests/test_dbt_unit.py)
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(settings.dbt_vars())]
    if settings.full_refresh:
        args.append("--full-refresh")  # incremental models rebuilt from the whole raw zone
    yield from dbt.cli(args, context=context).stream()


def published_models(manifest_path=None) -> dict[str, list[str]]:
    """Models to publish, from their dbt config `meta: {publish: bi | restricted}`."""
    manifest = json.loads((manifest_path or dbt_project.manifest_path).read_text())
    out: dict[str, list[str]] = {"bi": [], "restricted": []}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        target = node["config"].get("meta", {}).get("publish")
        for t in [target] if isinstance(target, str) else (target or []):
            out[t].append(node["name"])
    return {k: sorted(v) for k, v in out.items()}


def published_months(manifest_path=None) -> dict[str, str]:
    """Published models cut into one Parquet file per month: model -> column (`meta: {publish_by_month}`)."""
    manifest = json.loads((manifest_path or dbt_project.manifest_path).read_text())
    return {
        node["name"]: node["config"]["meta"]["publish_by_month"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("publish_by_month")
    }
