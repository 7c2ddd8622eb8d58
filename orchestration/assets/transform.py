"""Every dbt model and seed is a Dagster asset, and every dbt test an asset check (dagster-dbt).

`dbt build` runs tests right after the model they test, and a failing test stops its downstream
models; the build then fails and the publish step never runs, which is the audit of
write-audit-publish.
"""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.dbt_manifest import dbt_project
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect, retry_when_busy


def describe_test(node: Mapping[str, Any]) -> str:
    """What a dbt test checks, in words, for the UI: its own description, else its kind and arguments."""
    if node.get("description"):
        return node["description"]
    meta = node.get("test_metadata") or {}
    kwargs = dict(meta.get("kwargs") or {})
    column = node.get("column_name") or kwargs.pop("column_name", None)
    kwargs.pop("model", None)
    name = meta.get("name")
    if name is None:  # a singular test: a query returning the rows that break a rule
        return f"No row breaks the rule of tests/{node.get('path', node['name'])}."
    if name == "not_null":
        return f"{column} is never null."
    if name == "unique":
        return f"{column} is unique."
    if name == "accepted_values":
        return f"{column} is one of: {', '.join(map(str, kwargs.get('values', [])))}."
    if name == "relationships":
        return f"Every {column} exists in {kwargs.get('to', '')}.{kwargs.get('field', '')}".replace("{{ ", "").replace(
            " }}", ""
        )
    if name == "unique_combination_of_columns":
        return f"Grain: one row per {' x '.join(kwargs.get('combination_of_columns', []))}."
    if name == "expression_is_true":
        return f"Holds on every row: {kwargs.get('expression')}" + (f" (column {column})" if column else "")
    arguments = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{name}({arguments})" + (f" on {column}" if column else "")


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # staging / intermediate / marts, from the model's folder
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "models"

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=describe_test(manifest["nodes"][unique_id]))


TRUST_MODEL = "mart_data_trust"  # built after the audit step, from its records (assets/audit.py)
_TRANSLATOR = Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    settings = warehouse.settings()
    with retry_when_busy(context, settings), connect(settings):
        pass  # dbt would fail on a locked file with a less helpful error: wait for it here instead
    # unit tests prove the SQL, not the data: `make test` runs them once (tests/test_dbt_unit.py)
    args = ["build", "--exclude-resource-type", "unit_test", "--threads", str(settings.dbt_threads)]
    args += ["--vars", json.dumps(settings.dbt_vars())]  # profiles.yml takes its connection from them
    if settings.full_refresh:
        args.append("--full-refresh")  # incremental models rebuilt from the whole raw zone
    # one target folder per warehouse, kept between runs: dbt's partial parsing then reuses the last
    # run's parse (a parse of another warehouse does not count: the profile's path is in its checksum);
    # dagster-dbt adds the selection of the asset being materialised
    yield from dbt.cli(args, context=context, target_path=settings.dbt_target_dir).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=_TRANSLATOR,
    exclude=TRUST_MODEL,
    pool="duckdb",
)
def cx360_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Every model, seed and test but the data-trust mart."""
    yield from _build(context, dbt, warehouse)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=_TRANSLATOR,
    select=TRUST_MODEL,
    name="cx360_dbt_trust",
    pool="duckdb",
)
def cx360_dbt_trust(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """mart_data_trust and its tests: it reports the run's own checks, so it is built once they are recorded."""
    yield from _build(context, dbt, warehouse)
