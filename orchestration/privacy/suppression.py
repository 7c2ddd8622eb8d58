"""The suppression list: salted hashes of erased people's identifiers (identifiers.py).

A later delivery that offers one of them is not loaded: its rows go to quarantine with reason
`erased_subject`, without the delivered values, until the source system stops sending them.
"""

from __future__ import annotations

import duckdb

DDL = """
create schema if not exists ops;
create table if not exists ops.suppressed_identifiers (
    identifier_hash varchar not null,  -- sha256(salt | kind | normalised value), identifiers.py
    kind varchar not null,             -- email / phone / handle / crm_customer_id / ...
    erasure_id varchar not null,       -- the erasure that listed it (its receipt)
    added_at timestamp not null
);
"""
REASON = "erased_subject"
# a relation of every listed hash, for identifiers.match_sql
HASHES_SQL = "(select identifier_hash from ops.suppressed_identifiers)"


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def add(con: duckdb.DuckDBPyConnection, hashes: dict[str, set[str]], erasure_id: str) -> int:
    """List `hashes` ({kind: hashes}) for `erasure_id`; listing again adds nothing."""
    ensure(con)
    rows = [[h, kind, erasure_id] for kind, hs in hashes.items() for h in sorted(hs)]
    if not rows:
        return 0
    con.execute("create temp table if not exists new_hashes (h varchar, kind varchar, erasure_id varchar)")
    con.execute("delete from new_hashes")
    con.executemany("insert into new_hashes values (?, ?, ?)", rows)
    added = con.execute(
        "insert into ops.suppressed_identifiers select distinct h, kind, erasure_id, now()::timestamp "
        "from new_hashes where h not in (select identifier_hash from ops.suppressed_identifiers)"
    ).fetchone()[0]
    con.execute("drop table new_hashes")
    return added


def active(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether anyone is listed (a batch is only hashed when someone is)."""
    ensure(con)
    return con.execute("select exists (from ops.suppressed_identifiers)").fetchone()[0]


def suppressed_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Delivered rows withheld so far because they belong to an erased person."""
    return con.execute("select count(*) from ops.quarantine where reason_code = ?", [REASON]).fetchone()[0]
