"""The drift gate (quality.md): a sharp drop from an entity's own usual level blocks, a source's nature
(a CRM without e-mails, a shop without delivery times) never does.

Pure functions tested directly; real Dagster materialisations of the ingest assets (and their GX
checks) on real DuckDB files in temporary folders; no dbt build.
"""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.assets.ingest import NEVER_FILLED, NO_SHARP_DROP, ingest_asset_key, ingest_assets
from orchestration.contracts import ENTITIES, entity
from orchestration.quality import drift
from orchestration.quality.gx_checks import raw_batch_checks
from orchestration.resources import WarehouseResource
from orchestration.settings import Settings
from orchestration.status import read_status
from orchestration.warehouse import connect
from tests.conftest import write_landing

CRM = entity("crm/customers")
SHOP = entity("sales/customers")
ORDERS = entity("sales/orders")
CRM_HEADER = "customer_id,email,country,created_at,updated_at\n"
SHOP_HEADER = "customer_number,email,country,created_at,updated_at\n"
ORDERS_HEADER = (
    "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,delivered_at,updated_at\n"
)


def crm_customers(prefix: str, n: int, with_email: int) -> str:
    rows = [
        f"{prefix}{i},{f'c{prefix}{i}@example.com' if i < with_email else ''},PL,2026-03-01,2026-03-01"
        for i in range(n)
    ]
    return CRM_HEADER + "\n".join(rows) + "\n"


def orders(prefix: str, statuses: list[str], delivered_at: bool = True) -> str:
    rows = []
    for i, status in enumerate(statuses):
        when = "2026-03-03T10:00:00Z" if status == "delivered" and delivered_at else ""
        rows.append(f"{prefix}{i},N{i},2026-03-01T10:00:00Z,web,{status},EUR,10.5,{when},2026-03-03T10:00:00Z")
    return ORDERS_HEADER + "\n".join(rows) + "\n"


def materialize(landing, warehouse, entities, raise_on_error=False) -> dg.ExecuteInProcessResult:
    """The ingest assets of entities with all their checks (their own and gx_raw_suite), and a model after them."""
    keys = {ingest_asset_key(e) for e in entities}

    @dg.asset(deps=sorted(keys, key=str))
    def model_after_ingest():
        return None

    return dg.materialize(
        [
            *(a for a in ingest_assets if keys & set(a.keys)),
            *(c for c in raw_batch_checks() if keys & {k.asset_key for k in c.check_keys}),
            model_after_ingest,
        ],
        resources={"warehouse": WarehouseResource(landing_dir=str(landing), warehouse_dir=str(warehouse))},
        raise_on_error=raise_on_error,
    )


def evaluation(result, e, check_name) -> dg.AssetCheckEvaluation:
    [found] = [
        x
        for x in result.get_asset_check_evaluations()
        if x.asset_key == ingest_asset_key(e) and x.check_name == check_name
    ]
    return found


def model_ran(result) -> bool:
    return dg.AssetKey("model_after_ingest") in {m.asset_key for m in result.get_asset_materialization_events()}


# pure functions ----------------------------------------------------------------------------------


def test_the_measures_come_from_the_contract():
    measures = {(m.column, m.kind): m for m in drift.measures(ORDERS)}
    # every optional column is profiled as filled; a required one never (a null is a row error)
    optional = {c.name for c in ORDERS.columns if not c.required}
    assert {col for col, kind in measures if kind == drift.FILLED} == optional
    assert ("currency", drift.WELL_FORMED) in measures and ("currency", drift.FILLED) not in measures
    assert measures["delivered_at", drift.FILLED].condition == "status delivered"
    assert measures["currency", drift.WELL_FORMED].condition == "currency filled"
    crm = {(m.column, m.kind) for m in drift.measures(CRM)}
    assert {("email", drift.FILLED), ("country", drift.FILLED), ("country", drift.WELL_FORMED)} <= crm
    tickets = {m.column: m.condition for m in drift.measures(entity("support/tickets"))}
    assert tickets["solved_at"] == "status solved or closed"
    for e in ENTITIES:  # every condition names a column the contract has
        drift.measures(e)


@pytest.mark.parametrize(
    ("rows", "meeting", "usual_rows", "usual_meeting", "dropped"),
    [
        (200, 10, 1000, 950, True),  # 95% -> 5%
        (200, 90, 1000, 950, True),  # 95% -> 45%: below half and 50 points under
        (200, 100, 1000, 950, False),  # 95% -> 50%: not below half
        (200, 2, 1000, 60, False),  # 6% -> 1%: below half, but only 5 points under
        (200, 0, 1000, 0, False),  # never filled: no drop
        (19, 0, 1000, 950, False),  # too few rows in this batch to judge
        (200, 0, 19, 19, False),  # too few rows before it
    ],
)
def test_a_sharp_drop_is_below_half_and_20_points_under_on_enough_rows(
    rows, meeting, usual_rows, usual_meeting, dropped
):
    assert drift.is_sharp_drop(rows, meeting, usual_rows, usual_meeting) is dropped


def test_a_drop_is_described_with_its_file_column_and_both_levels():
    drop = drift.Comparison(
        "sales/orders", "o.csv", "currency", drift.WELL_FORMED, "currency filled", 200, 1, 1000, 998, 1
    )
    assert drop.describe() == (
        "sales/orders/o.csv: currency well-formed in <1% of 200 rows with currency filled, "
        "usually >99% (1,000 rows in 1 earlier batch)"
    )


# Dagster runs ------------------------------------------------------------------------------------


def test_a_history_without_emails_and_delivery_times_passes_every_blocking_check_and_is_reported(tmp_path, landing):
    write_landing(
        landing,
        {
            "crm/customers/2026-03-01.csv": crm_customers("A", 30, with_email=0),
            "crm/customers/2026-03-02.csv": crm_customers("B", 30, with_email=0),
            "sales/customers/2026-03-01.csv": SHOP_HEADER
            + "".join(f"N{i},,PL,2026-03-01,2026-03-01\n" for i in range(30)),
            "sales/orders/2026-03-01.csv": orders("O", ["delivered"] * 25 + ["placed"] * 5, delivered_at=False),
            "sales/orders/2026-03-02.csv": orders("P", ["delivered"] * 25, delivered_at=False),
        },
    )
    warehouse = tmp_path / "warehouse"
    result = materialize(landing, warehouse, [CRM, SHOP, ORDERS])
    blocking = [x for x in result.get_asset_check_evaluations() if x.severity == dg.AssetCheckSeverity.ERROR]
    assert len(blocking) == 3 * 4  # rows accounted, no rejected batch, no sharp drop, gx_raw_suite
    assert all(x.passed for x in blocking), [
        (x.asset_key, x.check_name, x.description) for x in blocking if not x.passed
    ]
    assert result.success and model_ran(result)
    # the second batches were judged against the first: 0% as usual, no drop
    assert "no sharp drop" in evaluation(result, ORDERS, NO_SHARP_DROP).description
    assert evaluation(result, ORDERS, NO_SHARP_DROP).metadata["shares_judged"].value > 0

    crm = evaluation(result, CRM, NEVER_FILLED)
    assert (crm.passed, crm.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert crm.metadata["columns"].value == [
        "email",
        "phone",
        "first_name",
        "last_name",
        "segment",
        "marketing_consent",
    ]
    assert crm.description.startswith("crm/customers: never filled in any loaded batch: email, phone,")
    assert "email" in evaluation(result, SHOP, NEVER_FILLED).metadata["columns"].value
    assert "delivered_at" in evaluation(result, ORDERS, NEVER_FILLED).metadata["columns"].value

    # the same list, for `cx360 status`
    status = read_status(Settings.from_env(landing_dir=landing, warehouse_dir=warehouse), stale_hours=36)
    assert status.never_filled["crm/customers"][0] == "email"
    assert "email" in status.never_filled["sales/customers"]
    assert "delivered_at" in status.never_filled["sales/orders"]
    assert "country" not in status.never_filled["crm/customers"]


def test_a_batch_that_lost_most_emails_blocks_naming_the_column_and_both_levels(tmp_path, landing):
    warehouse = tmp_path / "warehouse"
    write_landing(
        landing, {f"crm/customers/2026-03-0{d}.csv": crm_customers(f"D{d}", 40, with_email=38) for d in (1, 2, 3)}
    )
    first = materialize(landing, warehouse, [CRM])
    assert first.success and model_ran(first)
    assert evaluation(first, CRM, NEVER_FILLED).metadata["columns"].value == [
        "phone",
        "first_name",
        "last_name",
        "segment",
        "marketing_consent",
    ]

    # the next delivery: every row valid by the contract, but 2 e-mails in 40
    write_landing(landing, {"crm/customers/2026-03-04.csv": crm_customers("E", 40, with_email=2)})
    second = materialize(landing, warehouse, [CRM])
    drop = evaluation(second, CRM, NO_SHARP_DROP)
    assert (drop.passed, drop.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert drop.description == (
        "crm/customers/2026-03-04.csv: email filled in 5% of 40 rows, usually 95% (120 rows in 3 earlier batches)"
    )
    assert drop.metadata["sharp_drops"].value == [drop.description]
    assert not model_ran(second)  # blocking: nothing after the ingest asset runs
    # the contract was kept: the drop is the only failure
    failed = [(x.check_name, x.passed) for x in second.get_asset_check_evaluations() if not x.passed]
    assert failed == [(NO_SHARP_DROP, False), (NEVER_FILLED, False)]


def test_a_daily_delta_of_orders_mostly_placed_does_not_trip_delivered_at(tmp_path, landing):
    warehouse = tmp_path / "warehouse"
    write_landing(landing, {"sales/orders/2026-03.csv": orders("M", ["delivered"] * 40 + ["cancelled"] * 5)})
    assert materialize(landing, warehouse, [ORDERS]).success

    # a day's delta: 28 orders just placed, 2 delivered with their time; delivered_at on 7% of the rows
    write_landing(landing, {"sales/orders/2026-04-01.csv": orders("D", ["placed"] * 28 + ["delivered"] * 2)})
    result = materialize(landing, warehouse, [ORDERS])
    drop = evaluation(result, ORDERS, NO_SHARP_DROP)
    assert drop.passed, drop.description
    assert result.success and model_ran(result)
    # delivered_at is judged on delivered orders only: 2 of them, too few to judge
    with connect(Settings.from_env(landing_dir=landing, warehouse_dir=warehouse), read_only=True) as con:
        [delivered] = [c for c in drift.compare(con, ORDERS, result.run_id) if c.column == "delivered_at"]
    assert (delivered.rows, delivered.meeting, delivered.usual_rows, delivered.usual_meeting) == (2, 2, 40, 40)
    assert not delivered.judged


def test_batches_loaded_before_profiles_existed_are_profiled_from_the_raw_zone(settings, landing):
    from orchestration.ingest import load_entity

    write_landing(landing, {"crm/customers/2026-03-01.csv": crm_customers("A", 30, with_email=12)})
    with connect(settings) as con:
        load_entity(con, settings, CRM, "run-1")
        profiled = "select column_name, measure, condition, rows_considered, rows_meeting from ops.batch_profiles order by 1, 2"
        at_load = con.execute(profiled).fetchall()
        assert ("email", "filled", None, 30, 12) in at_load
        assert ("country", "well_formed", "country filled", 30, 30) in at_load
        con.execute("delete from ops.batch_profiles")  # a warehouse from before ops.batch_profiles
        assert drift.profile_unprofiled(con, settings.raw_dir, CRM) == 1
        assert con.execute(profiled).fetchall() == at_load
        assert drift.profile_unprofiled(con, settings.raw_dir, CRM) == 0
