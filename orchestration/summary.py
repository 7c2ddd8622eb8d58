"""The figures a data engineer reads after a run: what was loaded, resolved and published."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.ingest.discover import strays
from orchestration.settings import Settings
from orchestration.warehouse import connect, table_exists


@dataclass
class RunSummary:
    batches: dict[str, int]  # status -> count, this run
    entities: list[tuple[str, int, int, int]]  # entity, batches, rows loaded, rows quarantined (this run)
    identity: list[tuple]  # department, records, crm matched, prospects, ambiguous, no customer
    published: list[tuple[str, str, int]]  # database, table, rows
    rejected: list[tuple[str, str]]  # file, reason
    strays: list[str]  # what lies in the landing zone outside every entity's folder (discover.strays)


def _relation(con, name: str) -> str | None:
    row = con.execute(
        "select table_schema from information_schema.tables where table_name = ? limit 1", [name]
    ).fetchone()
    return f'"{row[0]}"."{name}"' if row else None


def summarise(settings: Settings, run_id: str) -> RunSummary:
    with connect(settings, read_only=True) as con:
        batches = dict(
            con.execute(
                "select status, count(*) from ops.load_batches where run_id = ? group by 1", [run_id]
            ).fetchall()
        )
        entities = con.execute(
            "select source || '/' || entity, count(*), sum(rows_loaded), sum(rows_quarantined) "
            "from ops.load_batches where run_id = ? group by 1 order by 1",
            [run_id],
        ).fetchall()
        rejected = con.execute(
            "select source || '/' || entity || '/' || file_name, reason from ops.load_batches "
            "where run_id = ? and status = 'rejected' order by 1",
            [run_id],
        ).fetchall()
        identity = []
        assignments = _relation(con, "int_identity__assignments")
        if assignments:
            identity = con.execute(f"""
                select source_system, count(*),
                    count(*) filter (where crm_customer_id is not null),
                    count(*) filter (where is_prospect),
                    count(*) filter (where match_rule = 'ambiguous'),
                    count(*) filter (where customer_key is null and match_rule <> 'ambiguous')
                from {assignments} group by 1 order by 1
            """).fetchall()
        published = []
        if table_exists(con, "ops", "publications"):
            published = con.execute(
                "select database, table_name, row_count from ops.publications where run_id = ? order by 1, 2",
                [run_id],
            ).fetchall()
    return RunSummary(batches, entities, identity, published, rejected, strays(settings.landing_dir))
