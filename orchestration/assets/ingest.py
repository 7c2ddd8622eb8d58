"""One Dagster asset per source entity: load its new batches into the raw zone.

Each asset carries two blocking checks, so nothing downstream (dbt, publishing) runs on a load
that did not add up: every row read is loaded or quarantined, and no batch of a required entity
was rejected in this run (quality.md; `rejected_required_batch_blocks` makes it a warning).
"""

import datetime as dt

import dagster as dg

from orchestration.contracts import ENTITIES, Entity
from orchestration.ingest import load_entity
from orchestration.rawzone import refresh_views
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect, retry_when_busy

ROWS_ACCOUNTED = "every_row_accounted_for"
NO_REJECTED = "no_rejected_batch"
FRESH = "delivered_recently"


def ingest_asset_key(entity: Entity) -> dg.AssetKey:
    return dg.AssetKey(["raw", entity.source, entity.name])


def _unbalanced_batches(con, entity: Entity) -> list[tuple]:
    return con.execute(
        "select file_name, rows_read, rows_loaded, rows_quarantined from ops.load_batches "
        "where source = ? and entity = ? and rows_read <> rows_loaded + rows_quarantined",
        [entity.source, entity.name],
    ).fetchall()


def _freshness(settings, entity: Entity, last_delivery) -> dg.AssetCheckResult:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if last_delivery is None:
        # an optional entity never delivered is simply empty (quality.md); a required one is a gap
        return dg.AssetCheckResult(
            check_name=FRESH,
            passed=not entity.required,
            severity=dg.AssetCheckSeverity.WARN,
            description="never delivered",
            metadata={"last_delivery": "never"},
        )
    hours = (now - last_delivery).total_seconds() / 3600
    return dg.AssetCheckResult(
        check_name=FRESH,
        passed=hours <= settings.freshness_hours,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"last delivery {hours:.1f} hours ago (window {settings.freshness_hours:g} h)",
        metadata={"last_delivery": last_delivery.isoformat(), "hours_since": round(hours, 2)},
    )


def _build(entity: Entity) -> dg.AssetsDefinition:
    key = ingest_asset_key(entity)

    @dg.asset(
        key=key,
        group_name="ingest",
        pool="duckdb",
        kinds={"duckdb", "parquet"},
        description=(
            f"Batches delivered to <landing>/{entity.qualified}/, typed and validated, appended to the raw "
            f"zone (<warehouse>/raw/{entity.qualified}/) and exposed to dbt as raw.{entity.raw_table}."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                ROWS_ACCOUNTED,
                asset=key,
                blocking=True,
                description="For every batch: rows read = rows loaded + rows quarantined.",
            ),
            dg.AssetCheckSpec(
                NO_REJECTED,
                asset=key,
                blocking=True,
                description="No batch of this entity was rejected in this run.",
            ),
            dg.AssetCheckSpec(
                FRESH,
                asset=key,
                description="A batch was loaded within the freshness window; a warning, never a gate.",
            ),
        ],
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = warehouse.settings()
        with retry_when_busy(context), connect(settings) as con:
            result = load_entity(con, settings, entity, context.run.run_id)
            refresh_views(con, settings.raw_dir, [entity])
            unbalanced = _unbalanced_batches(con, entity)
            total_rows = con.execute(f'select count(*) from raw."{entity.raw_table}"').fetchone()[0]
            last_delivery = con.execute(
                "select max(loaded_at) from ops.load_batches where source = ? and entity = ? and status = 'loaded'",
                [entity.source, entity.name],
            ).fetchone()[0]
        for b in result.batches:
            log = context.log.warning if b.status == "rejected" else context.log.info
            log(
                f"{entity.qualified}/{b.file_name}: {b.status}, {b.rows_loaded} loaded, "
                f"{b.rows_quarantined} quarantined" + (f" ({b.reason})" if b.reason else "")
            )
        rejected = [b for b in result.batches if b.status == "rejected"]
        blocks = entity.required and settings.rejected_required_batch_blocks
        yield dg.MaterializeResult(
            metadata={
                "batches_loaded": result.count("loaded"),
                "batches_duplicate": result.count("duplicate"),
                "batches_rejected": result.count("rejected"),
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "raw_rows_total": total_rows,
                "extra_columns": sorted({c for b in result.batches for c in b.extra_columns}),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=ROWS_ACCOUNTED,
                    passed=not unbalanced,
                    metadata={"unbalanced_batches": [list(map(str, u)) for u in unbalanced][:10]},
                ),
                _freshness(settings, entity, last_delivery),
                dg.AssetCheckResult(
                    check_name=NO_REJECTED,
                    passed=not rejected,
                    severity=dg.AssetCheckSeverity.ERROR if blocks else dg.AssetCheckSeverity.WARN,
                    description=("; ".join(b.reason or "" for b in rejected) if rejected else None),
                    metadata={"rejected_files": [b.file_name for b in rejected]},
                ),
            ],
        )

    return _ingest


ingest_assets = [_build(e) for e in ENTITIES]
