"""The audit record of a run: what was checked and what is about to be published.

Runs once every model was built and every blocking check passed (it depends on every model to
publish). It copies the run's check results from Dagster's event log into `ops.check_results` and
counts the rows of every table to publish into `ops.table_counts`; `mart_data_trust` (a dbt model)
reads both, and the load records of `ops.load_batches`, as dbt sources, so the data-trust mart
reports the very run that publishes it.
"""

import datetime as dt

import dagster as dg

from orchestration.assets.ingest import ingest_assets
from orchestration.assets.transform import TRUST_MODEL, cx360_dbt
from orchestration.dbt_manifest import published_models
from orchestration.quality.history import record_check_results
from orchestration.resources import WarehouseResource
from orchestration.sql import ident, insert_rows
from orchestration.warehouse import connect, model_schema, retry_when_busy

CHECK_RESULTS = dg.AssetKey(["ops", "check_results"])
TABLE_COUNTS = dg.AssetKey(["ops", "table_counts"])
_TARGETS = {db: [m for m in models if m != TRUST_MODEL] for db, models in published_models().items()}
_MODEL_KEYS = {k.path[-1]: k for k in cx360_dbt.keys}

# written by every ingest asset as it loads: declared so the lineage shows ingest -> mart_data_trust
load_records = [
    dg.AssetSpec(
        ["ops", table],
        group_name="serving",
        kinds={"duckdb"},
        deps=[key for asset in ingest_assets for key in asset.keys],
        description=f"{what} (`ops.{table}`), written by the ingest assets.",
    )
    for table, what in (
        ("load_batches", "One load record per delivered file"),
        ("batch_profiles", "How full each column of each loaded batch is (the drift gate's history)"),
    )
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            CHECK_RESULTS,
            group_name="serving",
            kinds={"duckdb"},
            deps=[_MODEL_KEYS[m] for m in sorted({m for models in _TARGETS.values() for m in models})],
            description="Every check result of every run (`ops.check_results`), this run's recorded once "
            "every model was built and checked.",
        ),
        dg.AssetSpec(
            TABLE_COUNTS,
            group_name="serving",
            kinds={"duckdb"},
            deps=[CHECK_RESULTS],
            description="The rows of every table this run is about to publish (`ops.table_counts`).",
        ),
    ],
    name="run_audit",
    pool="duckdb",
)
def run_audit(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings()
    run_id = context.run.run_id
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with retry_when_busy(context, settings), connect(settings) as con:
        checks = record_check_results(con, context.instance, run_id)
        counts = [
            [run_id, now, database, model, con.execute(f"select count(*) from {_relation(con, model)}").fetchone()[0]]
            for database, models in _TARGETS.items()
            for model in models
        ]
        con.execute("delete from ops.table_counts where run_id = ?", [run_id])
        insert_rows(con, "ops.table_counts", ("run_id", "audited_at", "database", "table_name", "row_count"), counts)
    yield dg.MaterializeResult(asset_key=CHECK_RESULTS, metadata={"checks_recorded": checks})
    yield dg.MaterializeResult(asset_key=TABLE_COUNTS, metadata={"tables_counted": len(counts)})


def _relation(con, model: str) -> str:
    return f"{ident(model_schema(con, model))}.{ident(model)}"
