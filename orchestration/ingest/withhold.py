"""Rows of erased people in a batch being loaded: withheld, never loaded, their values kept nowhere.

A row is withheld when one of its identifier columns offers a hash on the suppression list
(privacy/suppression.py). It goes to ops.quarantine with reason `erased_subject` and no raw record,
and it is neither loaded nor counted as a row error. Nobody listed, nothing hashed: `flag_sql` is
then the constant false, so a warehouse without erasures loads as before at the same cost.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.contracts import Entity
from orchestration.ingest.discover import DeliveredFile
from orchestration.privacy import identifiers, row_files, suppression
from orchestration.settings import Settings
from orchestration.sql import ident

COLUMN = "_withheld"  # batch_checked's flag
MESSAGE = (
    "withheld: this row belongs to a person erased on request; it is not loaded "
    "(ask the source system to stop sending it)"
)
ORDERS = "sales/orders"


def salt_if_active(con: duckdb.DuckDBPyConnection, settings: Settings) -> str | None:
    """The warehouse's salt when someone is listed, else None (and the batch is not hashed)."""
    return identifiers.salt(settings.privacy_dir) if suppression.active(con) else None


def flag_sql(salt_hex: str | None, entity: Entity) -> str:
    """A boolean over a row of batch_checked: it belongs to someone listed."""
    if salt_hex is None:
        return "false"
    # batch_checked has every contract column (null where the file lacks it), typed: identifier
    # columns are strings with blanks as null, as the hash rule wants them
    present = {c.name for c in entity.columns}
    match = identifiers.match_sql(salt_hex, entity.qualified, suppression.HASHES_SQL, present=present)
    # an empty identifier hashes to null, and `null in (...)` is null, not false: a row offering
    # nothing listed must load, not fall between loaded and quarantined
    return f"coalesce({match}, false)"


def list_orders(con: duckdb.DuckDBPyConnection, salt_hex: str, entity: Entity) -> int:
    """List the order ids of the withheld sales/orders rows, under the erasure their row matched.

    An order line names no person, only its order, so without this an erased person's order lines
    would still load. It works for lines delivered with the order because the ingest assets run in
    contracts.ENTITIES order (sales/orders before sales/order_lines; assets/ingest.py gives each a
    Dagster priority, else the run would take them by name and order_lines first). The ids are listed
    whether the batch then loads or is rejected: the order is the erased person's either way."""
    if entity.qualified != ORDERS:
        return 0
    offered = [
        h
        for column, kind in identifiers.IDENTIFIER_COLUMNS[ORDERS].items()
        for h in identifiers.hash_sql(salt_hex, kind, f"cast({ident(column)} as varchar)")
    ]
    (order_hash,) = identifiers.hash_sql(salt_hex, identifiers.ORDER_ID, "cast(order_id as varchar)")
    found = con.execute(
        f"""
        select s.erasure_id, list(distinct b.order_hash order by b.order_hash)
        from (
            select {order_hash} as order_hash, [{", ".join(offered)}] as offered
            from batch_checked where {COLUMN}
        ) as b
        join ops.suppressed_identifiers as s on list_contains(b.offered, s.identifier_hash)
        where b.order_hash is not null
        group by 1 order by 1
        """
    ).fetchall()
    return sum(suppression.add(con, {identifiers.ORDER_ID: set(hashes)}, erasure_id) for erasure_id, hashes in found)


def quarantine(con: duckdb.DuckDBPyConnection, batch_id: str, f: DeliveredFile) -> None:
    """One quarantine row per withheld row: file and row number in words, no value of the row."""
    e = f.entity
    con.execute(
        f"""
        insert into ops.quarantine
        select ?, ?, ?, ?, _row_number, ?, null, ? || ' row ' || _row_number || ': ' || ?, null, now()::timestamp
        from batch_checked where {COLUMN}
        """,
        [batch_id, e.source, e.name, f.file_name, suppression.REASON, f.file_name, MESSAGE],
    )


def row_numbers(con: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    found = con.execute(f"select _row_number from batch_checked where {COLUMN} order by 1").fetchall()
    return tuple(r[0] for r in found)


def copy_without(f: DeliveredFile, dest: Path, rows: tuple[int, ...], rows_read: int) -> bool:
    """Write `f` to `dest` without its data rows `rows` (1 = first data row, as the readers number
    them); False, and nothing written, when the file's rows cannot be matched to the readers' count."""
    kept = row_files.without_rows(f.path, f.file_format, rows, rows_read)
    if kept is None:
        return False
    dest.write_bytes(kept)
    return True
