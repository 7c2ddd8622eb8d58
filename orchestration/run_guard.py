"""Around every run: one writer per warehouse, a busy database refused at once, a killed run recovered.

A run holds `<warehouse>/.writer.lock` (an fcntl lock: the kernel lets go of it when the process
dies, even by SIGKILL) from start to end; a second run on the same warehouse stops at once and
says which process writes. Holding the lock also proves that every earlier run of this warehouse
has ended, so what an earlier run left unfinished is recovered before anything else: its Dagster
run is marked failed and its concurrency slot freed (else the next run waits for it forever),
it is recorded in ops.runs, a publication it switched in but did not record is recorded, and raw
files it wrote without committing their load record are swept (their landing files load again).
A run refused before it could open the working database is written to a small file beside it and
moved into ops.runs by the next run that can.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from orchestration.settings import Settings

LAUNCHED_BY_TAG = "cx360/launched_by"
KILLED = "the run ended without finishing (its process was killed or the machine stopped): recovered at the next start"


class RunRefused(Exception):
    """The run could not start; the message is one line saying why and what to do."""


def _lock_path(settings: Settings) -> Path:
    return settings.warehouse_dir / ".writer.lock"


def _owner_path(settings: Settings) -> Path:
    return settings.warehouse_dir / ".writer.owner.json"


@contextlib.contextmanager
def writer(settings: Settings) -> Iterator[None]:
    """Hold the warehouse's writer lock for the duration, or refuse at once."""
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    # one lock object per path in this process: the publish step takes it again inside a CLI run
    # (re-entrant), and on its own when the Dagster UI launched the run
    lock = FileLock(str(_lock_path(settings)), timeout=0, is_singleton=True, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise RunRefused(
            f"another cx360 run is writing to {settings.warehouse_dir} ({_owner(settings)}): "
            "wait for it to finish, then run again"
        ) from None
    outermost = lock.lock_counter == 1
    try:
        if outermost:
            _owner_path(settings).write_text(
                json.dumps({"pid": os.getpid(), "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
            )
        yield
    finally:
        if outermost:
            _owner_path(settings).unlink(missing_ok=True)
        lock.release()


def _owner(settings: Settings) -> str:
    try:
        owner = json.loads(_owner_path(settings).read_text())
        return f"process {owner['pid']}, started {owner['started_at']}"
    except (OSError, ValueError, KeyError):
        return "process unknown"


def holder(busy: Exception) -> str:
    """The process holding the working database, as DuckDB's lock error names it."""
    found = re.search(r"held in (.+?) \(PID (\d+)\)", str(busy.__cause__ or busy))
    return f"process {found.group(2)}, {found.group(1)}" if found else "another process"


def refuse_if_busy(settings: Settings) -> None:
    """A working database another process holds open stops the run now, in one line."""
    from orchestration.warehouse import BusyWarehouse, connect

    try:
        with connect(settings):
            pass
    except BusyWarehouse as busy:
        message = (
            f"the working database {settings.duckdb_path} is open in {holder(busy)}: close that connection "
            f"(BI tools and notebooks should read {settings.marts_db_path}), then run again"
        )
        note_unrecorded_run(settings, f"refused-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}", message)
        raise RunRefused(message) from None


def refusal(settings: Settings) -> str | None:
    """Why a run could not start now (a second writer, a held working database), asked without
    starting one: a command can answer before it loads Dagster and dbt. The run itself takes the
    lock again and decides; any other error (a full disk, a forbidden folder) is left to it, which
    says it in one line."""
    try:
        with writer(settings):
            refuse_if_busy(settings)
    except RunRefused as refused:
        return str(refused)
    except Exception:  # noqa: BLE001  (left to the run, see above)
        return None
    return None


def _unrecorded_path(settings: Settings) -> Path:
    return settings.warehouse_dir / "logs" / "unrecorded_runs.jsonl"


def note_unrecorded_run(settings: Settings, run_id: str, failure: str) -> None:
    """A failed run the working database could not take (busy, disk full): kept for ops.runs."""
    path = _unrecorded_path(settings)
    with contextlib.suppress(OSError):  # a full disk may refuse this too: the message was printed
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            at = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()
            f.write(json.dumps({"run_id": run_id, "finished_at": at, "failures": [failure]}) + "\n")


def unrecorded_runs(settings: Settings) -> list[dict]:
    path = _unrecorded_path(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def recover(settings: Settings, instance) -> list[str]:
    """Clean up after earlier runs that did not finish (the writer lock is held). Returns their ids."""
    import dagster as dg

    from orchestration.publish import record_current
    from orchestration.rawzone import sweep_orphans
    from orchestration.warehouse import connect

    unfinished = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[
                dg.DagsterRunStatus.NOT_STARTED,
                dg.DagsterRunStatus.QUEUED,
                dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED,
                dg.DagsterRunStatus.CANCELING,
            ],
            tags={LAUNCHED_BY_TAG: "cli"},
        )
    )
    for run in unfinished:
        instance.report_run_failed(run, message=KILLED)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    killed = [run.run_id for run in unfinished]
    with connect(settings) as con:
        known = {r[0] for r in con.execute("select run_id from ops.runs").fetchall()}
        for run_id in killed:
            if run_id not in known:
                con.execute("insert into ops.runs values (?, now()::timestamp, false, ?)", [run_id, [KILLED]])
        for run in unrecorded_runs(settings):
            if run["run_id"] not in known:
                con.execute(
                    "insert into ops.runs values (?, ?::timestamp, false, ?)",
                    [run["run_id"], run["finished_at"], run["failures"]],
                )
        _unrecorded_path(settings).unlink(missing_ok=True)
        record_current(con, settings)
        sweep_orphans(con, settings.raw_dir)
    return killed


_ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
_ENVIRONMENT_TEXTS = (
    "no space left",
    "disk is full",
    "read-only file system",
    "permission denied",
    "quota",
    "disk i/o error",
)
# below this, a storage error is taken for a full disk whatever its words (SQLite says "disk I/O error")
_NEARLY_FULL_BYTES = 64 << 20


def environment_problem(error: BaseException, folder: Path) -> str | None:
    """What an error says about the machine (disk full, read-only or forbidden folder), in one
    line, or None if it is not such an error. Looks through the chain of causes."""
    seen: BaseException | None = error
    found = None
    while seen is not None and found is None:
        if isinstance(seen, OSError) and seen.errno in _ENVIRONMENT_ERRNOS:
            where = f": {seen.filename}" if seen.filename else ""
            found = f"{seen.strerror or os.strerror(seen.errno)}{where}"
        else:
            text = str(seen).strip().splitlines()[0] if str(seen).strip() else ""
            if any(t in text.lower() for t in _ENVIRONMENT_TEXTS):
                found = text[:300]
        seen = seen.__cause__ or seen.__context__
    if found is None:
        return None
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(folder).free
        if free < _NEARLY_FULL_BYTES and "space" not in found.lower():
            found = f"No space left on device ({free >> 10:,} KB free under {folder}; {found})"
    return found
