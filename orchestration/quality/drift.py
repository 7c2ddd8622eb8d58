"""Batch profiles, and the drift gate: how full a column is, judged against the entity's own past.

quality.md: a gate blocks what the contract forbids, never a source's nature. A fixed share (at least
half the customers with an e-mail) would block forever a company whose CRM holds no e-mails, so how
full a column is, and how many of its codes are well-formed, is compared with the entity's earlier
batches instead: a sharp drop from its usual level blocks as a broken export; a column the source has
never filled is reported (a warning, `cx360 status`, mart_data_trust), never blocked.

When a batch is loaded, `record_profile` stores its profile in `ops.batch_profiles` (ledger.py), one
aggregate query over the batch's valid typed rows, one row per measure. The measures come from the
contract (contracts.py), nothing is listed twice:
- `filled`: every optional column (a required one is filled by contract: a null is a row error);
- `well_formed`: every ISO-code column (`Column.code_letters`), among its filled rows: exactly that
  many letters A-Z (ingestion upper-cases codes, so `Poland` or `zł` are what this catches).
`CONDITIONS` is the one hand-kept table: the rows a column is expected on at all, because daily delta
batches hold many orders not delivered yet and tickets not solved yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.contracts import ENTITIES, Entity
from orchestration.sql import ident, insert_rows, literal

PROFILE_COLUMNS = (
    "batch_id",
    "batch_seq",
    "source",
    "entity",
    "column_name",
    "measure",
    "condition",
    "rows_considered",
    "rows_meeting",
    "profiled_at",
)

FILLED, WELL_FORMED = "filled", "well_formed"

# (entity, column) -> (enum column, the values it holds on the rows the column is expected on)
CONDITIONS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("sales/orders", "delivered_at"): ("status", ("delivered",)),
    ("support/tickets", "solved_at"): ("status", ("solved", "closed")),
    ("support/tickets", "first_response_at"): ("status", ("open", "pending", "solved", "closed")),
}

# A drop blocks only when it is sharp both ways: below half the usual share (the export lost most of
# the column's values) and at least 20 points below it, so a rarely filled column going from 6% to
# 2% (noise, a different mix of customers that day) does not block.
DROP_RATIO = 0.5
DROP_POINTS = 0.20
# A share over a handful of rows says little (a 3-row delta with two customers without an e-mail is
# normal): a measure is judged only when this batch, and the earlier batches pooled, each have at least
# this many rows in scope.
MIN_ROWS = 20


@dataclass(frozen=True)
class Measure:
    """One profiled statistic of a column: the rows considered, and those meeting it."""

    column: str
    kind: str  # FILLED / WELL_FORMED
    when: tuple[str, tuple[str, ...]] | None = None  # (enum column, values) for FILLED
    letters: int | None = None  # for WELL_FORMED

    @property
    def condition(self) -> str | None:
        """The rows considered, in words (None: every row): `status solved or closed`, `country filled`."""
        if self.kind == WELL_FORMED:
            return f"{self.column} filled"
        if self.when is None:
            return None
        column, values = self.when
        shown = ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]
        return f"{column} {shown}"

    def considered_sql(self) -> str:
        if self.kind == WELL_FORMED:
            return f"{ident(self.column)} is not null"
        if self.when is None:
            return "true"
        column, values = self.when
        return f"{ident(column)} in ({', '.join(literal(v) for v in values)})"

    def meeting_sql(self) -> str:
        if self.kind == WELL_FORMED:
            return f"regexp_full_match({ident(self.column)}, {literal(f'[A-Z]{{{self.letters}}}')})"
        return f"{ident(self.column)} is not null"


def measures(entity: Entity) -> list[Measure]:
    """What is profiled of a batch of entity, derived from its contract (and CONDITIONS)."""
    optional = {c.name for c in entity.columns if not c.required}
    unknown = [col for (e, col) in CONDITIONS if e == entity.qualified and col not in optional]
    if unknown:
        raise ValueError(f"drift.CONDITIONS names {unknown}, which are no optional columns of {entity.qualified}")
    out = []
    for c in entity.columns:
        if not c.required:
            out.append(Measure(c.name, FILLED, when=CONDITIONS.get((entity.qualified, c.name))))
        if c.code_letters:
            out.append(Measure(c.name, WELL_FORMED, letters=c.code_letters))
    return out


# recording -------------------------------------------------------------------------------------


def record_profile(con: duckdb.DuckDBPyConnection, entity: Entity, batch_id: str, batch_seq: int, relation: str) -> int:
    """Profile relation (SQL: the batch's valid typed rows) into ops.batch_profiles, in one aggregate query."""
    ms = measures(entity)
    counts = ", ".join(
        f"count(*) filter (where {considered}), count(*) filter (where {considered} and {m.meeting_sql()})"
        for m in ms
        for considered in [m.considered_sql()]
    )
    row = con.execute(f"select {counts} from {relation}").fetchone()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    insert_rows(
        con,
        "ops.batch_profiles",
        PROFILE_COLUMNS,
        [
            [
                batch_id,
                batch_seq,
                entity.source,
                entity.name,
                m.column,
                m.kind,
                m.condition,
                row[2 * i],
                row[2 * i + 1],
                now,
            ]
            for i, m in enumerate(ms)
        ],
    )
    return len(ms)


def profile_unprofiled(con: duckdb.DuckDBPyConnection, raw_dir: Path, entity: Entity) -> int:
    """Profile loaded batches that have no profile yet (loaded before profiles existed), from the raw zone."""
    from orchestration.rawzone import entity_dir

    missing = con.execute(
        "select batch_id, batch_seq from ops.load_batches b where source = ? and entity = ? and status = 'loaded' "
        "and not exists (select 1 from ops.batch_profiles p where p.batch_id = b.batch_id) order by batch_seq",
        [entity.source, entity.name],
    ).fetchall()
    done = 0
    for batch_id, batch_seq in missing:
        path = entity_dir(raw_dir, entity) / f"{batch_id}.parquet"
        if path.exists():
            record_profile(con, entity, batch_id, batch_seq, f"read_parquet({literal(str(path))})")
            done += 1
    return done


# judging ---------------------------------------------------------------------------------------


def _pct(share: float) -> str:
    """A share as a whole percentage that never rounds a few rows away: `<1%`, `>99%`."""
    shown = round(share * 100)
    if shown == 0 and share > 0:
        return "<1%"
    if shown == 100 and share < 1:
        return ">99%"
    return f"{shown}%"


def is_sharp_drop(rows: int, meeting: int, usual_rows: int, usual_meeting: int) -> bool:
    """This batch's share is below half the usual one and at least 20 points below it, on enough rows."""
    if rows < MIN_ROWS or usual_rows < MIN_ROWS:
        return False
    share, usual = meeting / rows, usual_meeting / usual_rows
    return share < usual * DROP_RATIO and usual - share >= DROP_POINTS


@dataclass(frozen=True)
class Comparison:
    """One measure of one batch loaded in this run, beside the pooled earlier batches of its entity."""

    entity: str  # source/name
    file_name: str
    column: str
    measure: str
    condition: str | None
    rows: int
    meeting: int
    usual_rows: int
    usual_meeting: int
    earlier_batches: int

    @property
    def judged(self) -> bool:
        return self.rows >= MIN_ROWS and self.usual_rows >= MIN_ROWS

    @property
    def dropped(self) -> bool:
        return is_sharp_drop(self.rows, self.meeting, self.usual_rows, self.usual_meeting)

    def describe(self) -> str:
        """`crm/customers/x.csv: email filled in 5% of 200 rows, usually 95% (1,000 rows in 3 earlier batches)`."""
        words = "well-formed" if self.measure == WELL_FORMED else self.measure
        scope = f" with {self.condition}" if self.condition else ""
        usual = _pct(self.usual_meeting / self.usual_rows) if self.usual_rows else "unknown"
        batches = f"{self.earlier_batches} earlier batch" + ("es" if self.earlier_batches != 1 else "")
        return (
            f"{self.entity}/{self.file_name}: {self.column} {words} in {_pct(self.meeting / self.rows)} of "
            f"{self.rows:,} rows{scope}, usually {usual} ({self.usual_rows:,} rows in {batches})"
        )


def compare(con: duckdb.DuckDBPyConnection, entity: Entity, run_id: str) -> list[Comparison]:
    """Every measure of every batch of entity loaded in run_id, beside the entity's earlier loaded batches."""
    rows = con.execute(
        """
        with profiles as (
            select p.*, b.file_name, b.run_id
            from ops.batch_profiles p join ops.load_batches b on b.batch_id = p.batch_id and b.status = 'loaded'
            where p.source = $source and p.entity = $entity
        )
        select
            cur.file_name, cur.column_name, cur.measure, cur.condition, cur.rows_considered,
            cur.rows_meeting, coalesce(sum(earlier.rows_considered), 0), coalesce(sum(earlier.rows_meeting), 0),
            count(earlier.batch_id)
        from profiles cur
        left join profiles earlier
            on earlier.column_name = cur.column_name and earlier.measure = cur.measure
            and earlier.condition is not distinct from cur.condition
            and earlier.batch_seq < cur.batch_seq and earlier.rows_considered > 0
        where cur.run_id = $run_id and cur.rows_considered > 0
        group by all
        order by min(cur.batch_seq), cur.column_name, cur.measure
        """,
        {"source": entity.source, "entity": entity.name, "run_id": run_id},
    ).fetchall()
    return [Comparison(entity.qualified, *r) for r in rows]


def never_filled(con: duckdb.DuckDBPyConnection, entity: Entity | None = None) -> dict[str, list[str]]:
    """{`source/entity`: columns no loaded batch ever filled}, for entity or every entity with batches.

    Only columns with rows in scope count: delivered_at of a shop with no delivered order yet is not listed.
    """
    found = con.execute(
        """
        select p.source || '/' || p.entity, p.column_name
        from ops.batch_profiles p join ops.load_batches b on b.batch_id = p.batch_id and b.status = 'loaded'
        where p.measure = 'filled' and ($source is null or (p.source = $source and p.entity = $entity))
        group by all
        having sum(p.rows_considered) > 0 and sum(p.rows_meeting) = 0
        """,
        {"source": entity.source if entity else None, "entity": entity.name if entity else None},
    ).fetchall()
    order = {key: i for i, key in enumerate((e.qualified, c.name) for e in ENTITIES for c in e.columns)}
    out: dict[str, list[str]] = {}
    for qualified, column in sorted(found, key=lambda r: order.get(r, len(order))):
        out.setdefault(qualified, []).append(column)
    return out
