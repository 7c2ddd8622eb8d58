"""What `cx360 status` reports, read from the working database's ops schema (what is published is
read from the serving folder, so it shows even while a run holds the working database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from orchestration.contracts import SOURCES
from orchestration.ingest.rejections import Rejection, rejections
from orchestration.privacy.suppression import suppressed_rows
from orchestration.publish import recorded_publication
from orchestration.quality.drift import never_filled
from orchestration.run_guard import holder, unrecorded_runs
from orchestration.settings import Settings
from orchestration.warehouse import BusyWarehouse, connect

SHOWN_RESOLVED = 20  # rejected batches since corrected or accepted that `cx360 status` lists


@dataclass
class Status:
    published_at: dt.datetime | None = None
    published_run: str | None = None
    published_tables: int = 0
    last_run: tuple | None = None  # run_id, evaluated_at, checks passed, checks failed
    last_run_published: bool = False
    failing_checks: list[tuple[str, str, str | None]] = field(default_factory=list)
    last_run_failures: list[str] = field(default_factory=list)
    quarantine: list[tuple[str, str, str | None, int]] = field(default_factory=list)
    withheld: int | None = None  # delivered rows of erased people, withheld (None: no quarantine table yet)
    erasures: int = 0  # people erased by `cx360 forget` (receipts in <warehouse>/privacy/receipts)
    # every rejection that stands (it blocks publishing), then the latest resolved ones (SHOWN_RESOLVED)
    rejected: list[Rejection] = field(default_factory=list)
    stale: list[tuple[str, dt.datetime | None]] = field(default_factory=list)
    never_filled: dict[str, list[str]] = field(default_factory=dict)  # entity -> columns: a warning
    busy: str | None = None  # the process writing the working database (a run): nothing above read


def read_status(settings: Settings, stale_hours: float, now: dt.datetime | None = None) -> Status:
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    st = Status()
    current = recorded_publication(settings)  # what readers see, whatever ops recorded
    if current:
        st.published_run, st.published_at, published = current
        st.published_tables = len(published)
    try:
        with connect(settings, read_only=True) as con:
            last = _read_working(con, settings, st)
    except BusyWarehouse as busy:  # a run is writing it: DuckDB lets no other process read meanwhile
        st.busy = holder(busy)
        return st
    limit = now - dt.timedelta(hours=stale_hours)
    st.stale = [(s, last.get(s)) for s in SOURCES if last.get(s) is None or last[s] < limit]
    return st


def _read_working(con, settings: Settings, st: Status) -> dict:
    """Fill `st` from the ops schema; returns each source's latest delivery loaded."""
    tables = {
        r[0]
        for r in con.execute("select table_name from information_schema.tables where table_schema = 'ops'").fetchall()
    }
    if "runs" in tables:
        row = con.execute(
            "select run_id, finished_at, published, failures from ops.runs order by finished_at desc limit 1"
        ).fetchone()
        # a run refused before it could write to the working database (busy, disk full)
        refused = [r for r in unrecorded_runs(settings) if not row or r["finished_at"] > row[1].isoformat()]
        if refused:
            last = refused[-1]
            st.last_run = (last["run_id"], dt.datetime.fromisoformat(last["finished_at"]), 0, 0)
            st.last_run_failures = last["failures"]
        elif row:
            run_id, finished_at, st.last_run_published, failures = row
            st.last_run_failures = list(failures or [])
            passed, failed = con.execute(
                "select count(*) filter (where passed), count(*) filter (where not passed) "
                "from ops.check_results where run_id = ?",
                [run_id],
            ).fetchone()
            st.last_run = (run_id, finished_at, passed, failed)
            st.failing_checks = con.execute(
                "select asset_key, check_name, description from ops.check_results "
                "where run_id = ? and not passed order by 1, 2",
                [run_id],
            ).fetchall()
    if "quarantine" in tables:
        st.quarantine = con.execute(
            "select source || '/' || entity, reason_code, column_name, count(*) from ops.quarantine "
            "group by all order by 1, 2, 3"
        ).fetchall()
        st.withheld = suppressed_rows(con)
    if "erasures" in tables:
        st.erasures = con.execute("select count(*) from ops.erasures").fetchone()[0]
    every = rejections(con)[::-1]  # newest first
    st.rejected = [r for r in every if r.outstanding] + [r for r in every if not r.outstanding][:SHOWN_RESOLVED]
    if "batch_profiles" in tables:
        st.never_filled = never_filled(con)
    return dict(
        con.execute("select source, max(loaded_at) from ops.load_batches where status = 'loaded' group by 1").fetchall()
    )
