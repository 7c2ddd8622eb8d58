"""The publish step: runs only after every model was built and every blocking check passed."""

import dagster as dg

from orchestration import crashpoints, run_guard
from orchestration.assets.transform import cx360_dbt, cx360_dbt_trust
from orchestration.dbt_manifest import (
    descriptions,
    published_models,
    published_months,
    published_patches,
    published_without_files,
)
from orchestration.publish import PublishBlocked, publish, record_current
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect

_TARGETS = published_models()
_MONTHS = published_months()
_DOCS = descriptions()
_ROW_PATCHED = published_patches()
_WITHOUT_FILES = published_without_files()
_MODEL_KEYS = {k.path[-1]: k for k in (*cx360_dbt.keys, *cx360_dbt_trust.keys)}


def _build_dashboard(bi_database, out_dir) -> None:
    from orchestration.dashboard import build  # plotly is imported when a publish needs it

    build(bi_database, out_dir)


@dg.asset(
    key=dg.AssetKey(["serving", "published_marts"]),
    group_name="serving",
    pool="duckdb",
    kinds={"duckdb", "parquet"},
    deps=[_MODEL_KEYS[m] for m in sorted(set(_TARGETS["bi"]) | set(_TARGETS["restricted"]))],
    description=(
        "What BI tools read: `<warehouse>/serving/cx_marts.duckdb` (no e-mail, phone or name) and "
        "`<warehouse>/serving/cx_restricted.duckdb` (identifiers, follow-up queue), self-contained "
        "DuckDB files any DuckDB from 1.1 on opens, with the same tables as Parquet under "
        "`<warehouse>/serving/current/parquet/`. Each publication is a folder of its own, switched in "
        "as a whole by the `serving/current` pointer, with the CX dashboard built from the BI database "
        "(`<warehouse>/serving/dashboard/index.html`)."
    ),
)
def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings()
    run_id = context.run.run_id
    try:
        with run_guard.writer(settings):  # held already by `cx360 run`; a run from the UI takes it here
            published = publish(
                settings,
                run_id,
                _TARGETS["bi"],
                _TARGETS["restricted"],
                _MONTHS,
                _DOCS,
                dashboard=_build_dashboard,
                row_patched=_ROW_PATCHED,
                without_files=_WITHOUT_FILES,
            )
    except (PublishBlocked, run_guard.RunRefused) as blocked:
        raise dg.Failure(description=str(blocked)) from None
    crashpoints.reached("publish:switched")
    with connect(settings) as con:
        record_current(con, settings)
    # what the publish cost, table by table, the slowest first: where a day's publish goes
    slowest_first = sorted(published, key=lambda p: -(p.parquet_seconds + p.serving_seconds))
    for table in slowest_first:
        context.log.info(f"published {table.describe()}")
    return dg.MaterializeResult(
        metadata={
            "bi_database": dg.MetadataValue.path(str(settings.marts_db_path)),
            "restricted_database": dg.MetadataValue.path(str(settings.restricted_db_path)),
            "tables": dg.MetadataValue.md("\n".join(f"- {p.describe()}" for p in slowest_first)),
        }
    )
