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

from orchestration import crashpoints, spark_warehouse
from orchestration.dbt_manifest import built_tables, dbt_project, incremental_models
from orchestration.ingest.ledger import record_build_start
from orchestration.progress import announce_nodes
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect, drop_dbt_scratch, outdated_tables, release, retry_when_busy


def describe_test(node: Mapping[str, Any]) -> str:
    """What a dbt test checks, in words, for the UI: its own description, else its kind and arguments."""
    if node.get("description"):
        return node["description"]
    meta = node.get("test_metadata") or {}
    kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k not in ("model", "column_name")}
    column = node.get("column_name") or (meta.get("kwargs") or {}).get("column_name")
    name = meta.get("name")
    if name is None:  # a singular test: a query returning the rows that break a rule
        return f"No row breaks the rule of tests/{node.get('path', node['name'])}."
    described = {
        "not_null": lambda: f"{column} is never null.",
        "unique": lambda: f"{column} is unique.",
        "accepted_values": lambda: f"{column} is one of: {', '.join(map(str, kwargs.get('values', [])))}.",
        "relationships": lambda: f"Every {column} exists in {_ref_name(kwargs.get('to', ''))}.{kwargs.get('field')}.",
        "unique_combination_of_columns": lambda: f"Grain: one row per {' x '.join(kwargs['combination_of_columns'])}.",
        "expression_is_true": lambda: f"Holds on every row: {' '.join(str(kwargs.get('expression')).split())}",
        "accepted_range": lambda: (
            f"{column} lies between {kwargs.get('min_value', '-inf')} and {kwargs.get('max_value', 'inf')}."
        ),
        "ratio_of": lambda: (
            f"{column} = {kwargs.get('scale', 1)} x ({kwargs.get('numerator')}) / "
            f"{kwargs.get('denominator')}, null exactly when the denominator is 0."
        ),
        "difference_of": lambda: f"{column} = {kwargs.get('minuend')} - {kwargs.get('subtrahend')}.",
        "first_day_of_month": lambda: f"{column} is the first day of a month.",
        "not_null_columns": lambda: f"Never null: {', '.join(kwargs.get('columns', []))}.",
        "non_negative_counts": lambda: f"Counts never null nor negative: {', '.join(kwargs.get('columns', []))}.",
        "documented_columns_exist": lambda: "Every column documented in the model's YAML exists.",
        "one_row_per_row_of": lambda: f"One row per row of {_ref_name(kwargs.get('of', ''))}.",
    }
    if name in described:
        return described[name]()
    arguments = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{name}({arguments})" + (f" on {column}" if column else "")


def _ref_name(to: str) -> str:
    """`ref('dim_customer')` as written in the YAML -> dim_customer."""
    return to.split("'")[1] if "'" in to else to


# the asset-key prefix of the dbt sources that are this project's own tables as the previous build
# left them (models/intermediate/journey/_journey__sources.yml)
PREVIOUS_BUILD = "previous_build"
TABLE_NAME = "dagster/table_name"  # dg.TableMetadataSet's table_name


class Translator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.key.path[0] == PREVIOUS_BUILD:
            # Dagster matches a dependency on an undefined asset to the asset of the same table:
            # the journey's scope would depend on the journey it feeds, a cycle. Without the table
            # name it stays what it is, the table before this build.
            spec = spec.replace_attributes(metadata={k: v for k, v in spec.metadata.items() if k != TABLE_NAME})
        return spec

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
# what both dbt invocations share: the manifest, the translator, one DuckDB step at a time
_DBT_ASSETS = {
    "manifest": dbt_project.manifest_path,
    "project": dbt_project,
    "dagster_dbt_translator": Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    "pool": "duckdb",
}


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, trust: bool):
    settings = warehouse.settings()
    release(settings)  # dbt's process opens the file: this one must not hold it (warehouse.held_open)
    # dbt would fail on a locked file with a less helpful error: wait for it here instead
    with retry_when_busy(context, settings), connect(settings) as con:
        outdated = outdated_tables(con, incremental_models())
        if not trust:  # the models change from here on: nothing is published until a run audits them
            record_build_start(con, context.run.run_id)
        if settings.engine == "spark":
            spark_warehouse.export_ops(con, settings.warehouse_dir)  # what mart_data_trust reads
    # unit tests prove the SQL, not the data: `make test` runs them once (tests/test_dbt_unit.py)
    args = ["build", "--exclude-resource-type", "unit_test", "--threads", str(settings.dbt_build_threads)]
    # dbt.log at info: each node's start, result and error. At dbt's default (debug) every query's
    # text, connection and transaction is also written and flushed: ~40% of dbt's time per node on
    # small tables. The SQL each node ran stays in dbt_target/run/.
    args += ["--log-level-file", "info"]
    args += ["--vars", json.dumps(settings.dbt_vars())]  # the memory limit, currency, as-of date
    if outdated and not settings.full_refresh:
        # an upgrade changed what an incremental table holds: its rows cannot be patched in place
        missing = "; ".join(f"{model} lacks {', '.join(columns)}" for model, columns in outdated.items())
        context.log.warning(f"tables built by an earlier cx360 ({missing}): rebuilding every model in full")
    if settings.full_refresh or outdated:
        args.append("--full-refresh")  # incremental models rebuilt from the whole raw zone
    # one target folder per warehouse, kept between runs: dbt's partial parsing then reuses the last
    # run's parse (a parse of another warehouse does not count: the profile's path is in its checksum);
    # dagster-dbt adds the selection of the asset being materialised
    announce_nodes(context, "dbt build")  # so the CLI can count the nodes done: one event each
    for event in dbt.cli(args, context=context, target_path=settings.dbt_target_dir).stream():
        yield event
        crashpoints.reached("dbt:model_built")
    with connect(settings) as con:
        drop_dbt_scratch(con)
        if settings.engine == "spark":
            # the audit, the publish and the dashboard read Spark's tables through the working database
            tables = [t for t in built_tables() if trust or t[1] != TRUST_MODEL]
            missing = spark_warehouse.expose_build(con, settings.warehouse_dir, tables)
            if missing:
                raise dg.Failure(
                    f"Spark built {', '.join(missing)} but no file of theirs is under "
                    f"{spark_warehouse.tables_dir(settings.warehouse_dir)}: a Thrift server must run in "
                    "this warehouse's folder (cx360 spark-server --warehouse)"
                )


@dbt_assets(exclude=TRUST_MODEL, **_DBT_ASSETS)
def cx360_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Every model, seed and test but the data-trust mart."""
    yield from _build(context, dbt, warehouse, trust=False)


@dbt_assets(select=TRUST_MODEL, name="cx360_dbt_trust", **_DBT_ASSETS)
def cx360_dbt_trust(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """mart_data_trust and its tests: it reports the run's own checks, so it is built once they are recorded."""
    yield from _build(context, dbt, warehouse, trust=True)


def dbt_assets_built_on(engine: str) -> list[dg.AssetsDefinition]:
    """Both dbt steps, with the engine that builds their tables as a kind in the UI. dagster-dbt
    takes it from the manifest, which is parsed once with the default profile, so it says duckdb
    whatever the engine."""
    steps = [cx360_dbt, cx360_dbt_trust]
    if engine == "duckdb":
        return steps
    return [
        step.map_asset_specs(lambda spec: spec.replace_attributes(kinds=spec.kinds - {"duckdb"} | {engine}))
        for step in steps
    ]
