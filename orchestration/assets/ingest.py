"""One Dagster asset per source entity: load its new batches into the raw zone.

Each asset carries three blocking checks, so nothing downstream (dbt, publishing) runs on a load
that did not add up or is broken: every row read is loaded or quarantined; no rejected batch of a
required entity stands, in this run or an earlier one, until a corrected delivery loads or someone
accepts it (quality.md; ingest/rejections.py; `rejected_required_batch_blocks` makes it a warning);
no batch of this run fills a column far less than the entity's earlier batches did (drift.py). Two
warnings never block: no recent delivery, and columns the entity has never filled (a source's
nature, not a broken export: a CRM without e-mails still gets its figures).
"""

import datetime as dt

import dagster as dg

from orchestration.contracts import ENTITIES, Entity
from orchestration.ingest import load_entity
from orchestration.ingest.rejections import ACCEPT_COMMAND, rejections
from orchestration.quality import drift
from orchestration.rawzone import refresh_views
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect, retry_when_busy

ROWS_ACCOUNTED = "every_row_accounted_for"
NO_REJECTED = "no_rejected_batch"
FRESH = "delivered_recently"
NO_SHARP_DROP = "no_sharp_drop"
NEVER_FILLED = "columns_never_filled"
SHOWN_DROPS = 20  # sharp drops kept in the check's metadata


def ingest_asset_key(entity: Entity) -> dg.AssetKey:
    # raw/<source>__<entity>, like the raw view dbt reads: the graph labels a node by its last part,
    # and crm/customers and sales/customers would both read "customers"
    return dg.AssetKey(["raw", entity.raw_table])


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


def _drift(comparisons: list[drift.Comparison]) -> dg.AssetCheckResult:
    drops = [c for c in comparisons if c.dropped]
    judged = sum(c.judged for c in comparisons)
    batches = len({c.file_name for c in comparisons})
    return dg.AssetCheckResult(
        check_name=NO_SHARP_DROP,
        passed=not drops,
        description=(
            "; ".join(d.describe() for d in drops)
            if drops
            else f"{judged} share(s) of {batches} batch(es) judged against earlier batches: no sharp drop"
            if comparisons
            else "no batch loaded in this run"
        ),
        metadata={
            "shares_judged": judged,
            "shares_not_judged": len(comparisons) - judged,  # fewer than drift.MIN_ROWS rows on either side
            "sharp_drops": dg.MetadataValue.json([d.describe() for d in drops][:SHOWN_DROPS]),
        },
    )


def _never_filled(entity: Entity, columns: list[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=NEVER_FILLED,
        passed=not columns,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{entity.qualified}: never filled in any loaded batch: {', '.join(columns)} (reported, not blocked)"
            if columns
            else None
        ),
        metadata={"columns": columns},
    )


def _build(entity: Entity, priority: int) -> dg.AssetsDefinition:
    key = ingest_asset_key(entity)

    @dg.asset(
        key=key,
        group_name="ingest",
        pool="duckdb",
        op_tags={"dagster/priority": str(priority)},
        kinds={"duckdb", "parquet"},
        description=(
            f"Batches delivered to `<landing>/{entity.qualified}/`, typed and validated, appended to the raw "
            f"zone (`<warehouse>/raw/{entity.qualified}/`) and exposed to dbt as `raw.{entity.raw_table}`."
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
                description=(
                    "No rejected batch of this entity stands: each is followed by a corrected delivery (a "
                    f"later batch of the entity that loaded) or accepted with `{ACCEPT_COMMAND}`."
                ),
            ),
            dg.AssetCheckSpec(
                NO_SHARP_DROP,
                asset=key,
                blocking=True,
                description=(
                    "No batch of this run fills a column (or holds well-formed codes) far less than the "
                    f"entity's earlier batches: below {drift.DROP_RATIO:.0%} of their share and "
                    f"{drift.DROP_POINTS * 100:.0f} points under it, on {drift.MIN_ROWS}+ rows each side."
                ),
            ),
            dg.AssetCheckSpec(
                FRESH,
                asset=key,
                description="A batch was loaded within the freshness window; a warning, never a gate.",
            ),
            dg.AssetCheckSpec(
                NEVER_FILLED,
                asset=key,
                description="Optional columns no loaded batch has filled: a warning, never a gate.",
            ),
        ],
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = warehouse.settings()
        with retry_when_busy(context, settings), connect(settings) as con:
            result = load_entity(con, settings, entity, context.run.run_id)
            refresh_views(con, settings.raw_dir, [entity])
            unbalanced = _unbalanced_batches(con, entity)
            total_rows = con.execute(f'select count(*) from raw."{entity.raw_table}"').fetchone()[0]
            last_delivery = con.execute(
                "select max(loaded_at) from ops.load_batches where source = ? and entity = ? and status = 'loaded'",
                [entity.source, entity.name],
            ).fetchone()[0]
            comparisons = drift.compare(con, entity, context.run.run_id)
            never_filled = drift.never_filled(con, entity).get(entity.qualified, [])
            standing = [r for r in rejections(con, entity.source, entity.name) if r.outstanding]
        for b in result.batches:
            log = context.log.warning if b.status == "rejected" else context.log.info
            log(
                f"{entity.qualified}/{b.file_name}: {b.status}, {b.rows_loaded} loaded, "
                f"{b.rows_quarantined} quarantined" + (f" ({b.reason})" if b.reason else "")
            )
        for c in comparisons:
            if c.dropped:
                context.log.error(f"sharp drop: {c.describe()}")
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
                    passed=not standing,
                    severity=dg.AssetCheckSeverity.ERROR if blocks else dg.AssetCheckSeverity.WARN,
                    description="; ".join(r.what_to_do(blocks) for r in standing) or None,
                    metadata={
                        "rejected_files": [r.file_name for r in standing],
                        "rejected_batch_ids": [r.batch_id or "" for r in standing],
                    },
                ),
                _drift(comparisons),
                _never_filled(entity, never_filled),
            ],
        )

    return _ingest


# Entities load in contracts.ENTITIES order: the run takes the highest priority first (by name
# otherwise, and sales/order_lines would come before sales/orders). A withheld order lists its order
# id (ingest/withhold.py) before the lines delivered with it are read, so they are withheld too.
ingest_assets = [_build(e, len(ENTITIES) - i) for i, e in enumerate(ENTITIES)]
