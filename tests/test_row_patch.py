"""Patching a serving table by row: what a build rewrote replaces what it supersedes, and a patch
whose rows do not add up to the new snapshot is not kept (the table is written whole instead)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration import serving_db, snapshots
from orchestration.sql import literal

COLUMNS = ["journey_event_key", "customer_key", "touchpoint"]
PUBLISHED = f"select {', '.join(COLUMNS)} from wh.main.journey"


def _working(db: Path) -> None:
    """A journey of three customers and a fourth with ten web visits, built at stamp 1 (a patch
    of more than half the rows is not tried: the table is written whole)."""
    con = duckdb.connect(str(db))
    con.execute(
        "create table journey as select * from (values "
        "('e1', 'c1', 'order_placed', 1), ('e2', 'c1', 'order_delivered', 1), "
        "('e3', 'c2', 'ticket_opened', 1), ('e4', 'c3', 'web_visit', 1)"
        ") as t(journey_event_key, customer_key, touchpoint, _built)"
    )
    con.execute("insert into journey select 'v' || i, 'c9', 'web_visit', 1 from range(10) as r(i)")
    con.close()


def _publish(working: Path, folder: Path, previous: tuple[Path, Path] | None, since: int | None) -> str:
    """Snapshot the working journey into `folder` and write its serving file from the previous
    publication's (file, snapshot folder), patching the rows stamped after `since`: how it was
    written, and why when not by row."""
    con = duckdb.connect()
    con.execute(f"attach {literal(str(working))} as wh (read_only)")
    reuse = previous[1] if previous else None
    snap = snapshots.write_files(
        con, snapshots.hash_parts(con, "journey", PUBLISHED, COLUMNS), folder / "parquet", None, reuse
    )
    con.close()
    changed = f"{PUBLISHED} where _built > {since}" if since is not None else None
    before = (
        (previous[0], {"journey": [p.name for p in (previous[1] / "journey").glob("*.parquet")]}) if previous else None
    )
    written = serving_db.write(
        folder / "serving.duckdb",
        {"journey": snap},
        {},
        {},
        working,
        before,
        {"journey": serving_db.RowPatch(changed, "journey_event_key", "customer_key")},
    )
    return written["journey"].how + (f": {written['journey'].why}" if written["journey"].why else "")


def _rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select * from journey where customer_key <> 'c9' order by journey_event_key").fetchall()
    finally:
        con.close()


@pytest.fixture
def first(tmp_path) -> tuple[Path, Path]:
    working = tmp_path / "working.duckdb"
    _working(working)
    assert _publish(working, tmp_path / "p1", None, None) == "rewritten: no previous publication's file holds it"
    return working, tmp_path / "p1"


def _next_day(first: tuple[Path, Path], tmp_path: Path, statements: list[str]) -> tuple[str, list[tuple]]:
    """The day's build (`statements` on the working database), published on top of the first
    publication: how the table was published, and the rows the new serving database holds."""
    working, p1 = first
    con = duckdb.connect(str(working))
    for sql in statements:
        con.execute(sql)
    con.close()
    how = _publish(working, tmp_path / "p2", (p1 / "serving.duckdb", p1 / "parquet"), since=1)
    return how, _rows(tmp_path / "p2" / "serving.duckdb")


def test_a_rebuilt_customer_is_patched_in_by_row(first, tmp_path):
    # the build re-derives customer c1, stamped 2: e2 gone, e5 new, and e3 moved to c1 from c2
    how, rows = _next_day(
        first,
        tmp_path,
        [
            "delete from journey where customer_key = 'c1'",
            "insert into journey values ('e1', 'c1', 'order_placed', 2), ('e5', 'c1', 'order_returned', 2)",
            "update journey set customer_key = 'c1', _built = 2 where journey_event_key = 'e3'",
        ],
    )
    assert how == serving_db.BY_ROW
    assert rows == [
        ("e1", "c1", "order_placed"),
        ("e3", "c1", "ticket_opened"),
        ("e4", "c3", "web_visit"),
        ("e5", "c1", "order_returned"),
    ]


def test_a_customer_left_without_any_row_loses_its_rows_in_the_patch(first, tmp_path):
    # c3's only touch is gone from the build (its ticket reopened, its prospect turned out to be a
    # CRM customer...): no changed row names c3, yet e4 must go; c1 was rebuilt as it was
    how, rows = _next_day(
        first,
        tmp_path,
        ["delete from journey where customer_key = 'c3'", "update journey set _built = 2 where customer_key = 'c1'"],
    )
    assert how == serving_db.BY_ROW
    assert rows == [("e1", "c1", "order_placed"), ("e2", "c1", "order_delivered"), ("e3", "c2", "ticket_opened")]


def test_a_patch_that_misses_a_changed_row_is_not_kept_and_the_table_is_written_whole(first, tmp_path):
    # a row changed without its build stamp: the rows stamped later do not add up to the snapshot
    how, rows = _next_day(
        first,
        tmp_path,
        [
            "update journey set touchpoint = 'complaint' where journey_event_key = 'e4'",
            "insert into journey values ('e6', 'c2', 'ticket_solved', 2)",
        ],
    )
    # and the publication says why: c2's e6 came stamped, c2's e3 did not, so the patch took e3 out
    # with its customer and put back only e6
    assert how == "rewritten: the rows patched in do not add up to the snapshot (14 rows against 15)"
    assert rows == [
        ("e1", "c1", "order_placed"),
        ("e2", "c1", "order_delivered"),
        ("e3", "c2", "ticket_opened"),
        ("e4", "c3", "complaint"),
        ("e6", "c2", "ticket_solved"),
    ]


def _publish_table(
    working: Path, folder: Path, previous: Path | None, name: str, columns: list[str], month_column: str | None = None
) -> tuple[str, snapshots.Snapshot]:
    """Snapshot table `name` of the working database into `folder` and write its serving file from
    the previous publication's folder (without a row patch): how it was written, and the snapshot."""
    con = duckdb.connect()
    con.execute(f"attach {literal(str(working))} as wh (read_only)")
    select = f"select {', '.join(columns)} from wh.main.{name}"
    reuse = previous / "parquet" if previous else None
    hashed = snapshots.hash_parts(con, name, select, columns, month_column)
    snap = snapshots.write_files(con, hashed, folder / "parquet", month_column, reuse)
    con.close()
    parts = {name: [p.name for p in (previous / "parquet" / name).glob("*.parquet")]} if previous else {}
    before = (previous / "serving.duckdb", parts) if previous else None
    months = {name: month_column} if month_column else {}
    return serving_db.write(folder / "serving.duckdb", {name: snap}, months, {}, working, before)[name].how, snap


def _blocks(db: Path) -> int:
    """The blocks a DuckDB file holds, used or free."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("pragma database_size").fetchone()[3]
    finally:
        con.close()


def test_a_table_cut_by_month_is_patched_by_the_months_that_changed(tmp_path):
    """Without a row patch, a table cut by month replaces the months whose rows changed, read from
    the working database; the other months' files are the previous publication's."""
    working = tmp_path / "working.duckdb"
    con = duckdb.connect(str(working))
    con.execute(
        "create table orders as select 'o' || i as order_id, "
        "timestamp '2026-01-15' + to_months(i % 3) as placed_at, i as amount from range(9) as r(i)"
    )
    con.close()
    columns = ["order_id", "placed_at", "amount"]

    def publish(folder: Path, previous: Path | None) -> tuple[str, snapshots.Snapshot]:
        return _publish_table(working, folder, previous, "orders", columns, "placed_at")

    assert publish(tmp_path / "p1", None)[0] == serving_db.REWRITTEN
    con = duckdb.connect(str(working))
    con.execute("update orders set amount = amount * 10 where month(placed_at) = 2")  # o1, o4, o7
    con.close()
    how, snap = publish(tmp_path / "p2", tmp_path / "p1")
    assert how == serving_db.BY_MONTH and (snap.written, len(snap.files)) == (1, 3)
    served = duckdb.connect(str(tmp_path / "p2" / "serving.duckdb"), read_only=True)
    rows = served.execute("select order_id, amount from orders order by order_id").fetchall()
    served.close()
    assert rows == [(f"o{i}", i * 10 if i % 3 == 1 else i) for i in range(9)]


def test_a_table_written_whole_again_takes_the_blocks_of_the_one_it_replaces(tmp_path):
    """A publication starts from a copy of the previous file: a large table written whole again
    (no month cut, no row patch) must not leave the file holding the old table's blocks as well."""
    working = tmp_path / "working.duckdb"
    con = duckdb.connect(str(working))
    con.execute(
        "create table visits as select 'v' || i as visit_id, md5(i::varchar) as page from range(400000) as r(i)"
    )
    con.close()
    columns = ["visit_id", "page"]

    def publish(folder: Path, previous: Path | None) -> tuple[str, int]:
        how, _ = _publish_table(working, folder, previous, "visits", columns)
        return how, _blocks(folder / "serving.duckdb")

    first = publish(tmp_path / "p1", None)
    con = duckdb.connect(str(working))
    con.execute("update visits set page = upper(page)")  # every row changed: written whole
    con.close()
    second = publish(tmp_path / "p2", tmp_path / "p1")
    assert first[0] == second[0] == serving_db.REWRITTEN
    assert first[1] > 10  # blocks of the table, not only the file's header
    # holding both tables would take about twice the blocks; DuckDB's parallel writers use a few
    # more or fewer blocks from one write to the next on a busy machine (34, then 34-37)
    assert second[1] <= first[1] * 5 // 4, f"{first[1]} blocks, then {second[1]}: the old table's blocks stayed"
