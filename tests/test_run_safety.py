"""Runs that are killed, run twice at once, or meet a busy database or a full disk: the next plain run
publishes without a hand, nothing is counted twice, and readers always see one whole publication."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration import run_guard
from orchestration.crashpoints import ENV as KILL_AT
from tests.conftest import query, write_landing
from tests.pipeline import cx360, settings_for

NEW_CUSTOMER = {"crm/customers/later.csv": "customer_id,country,created_at,updated_at\nJC2,PL,2025-12-02,2025-12-02\n"}


def _copy(no_contact, tmp_path: Path):
    settings, _ = no_contact
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(settings.landing_dir, landing)
    shutil.copytree(settings.warehouse_dir, warehouse, symlinks=True)
    write_landing(landing, NEW_CUSTOMER)
    return settings_for(landing, warehouse)


def _run(settings, kill_at: str | None = None) -> subprocess.CompletedProcess:
    args = ["run", "--landing", str(settings.landing_dir), "--warehouse", str(settings.warehouse_dir)]
    return cx360(*args, cwd=settings.warehouse_dir.parent, env={KILL_AT: kill_at} if kill_at else None)


def _publish_alone(settings, kill_at: str | None = None) -> subprocess.CompletedProcess:
    """The publish step alone (`_publish_here`) in a process of its own, as the Dagster UI runs it
    when someone materialises only `published_marts`, so that it can be killed: prints the run's
    step failures."""
    code = (
        "from tests.pipeline import settings_for; from tests.test_run_safety import _publish_here; "
        f"print(_publish_here(settings_for({str(settings.landing_dir)!r}, {str(settings.warehouse_dir)!r})))"
    )
    env = os.environ | ({KILL_AT: kill_at} if kill_at else {})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)


def _publish_here(settings) -> str:
    """The publish step alone, materialised in this process: its step failures."""
    import dagster as dg

    from orchestration.assets.serving import published_marts
    from orchestration.resources import WarehouseResource

    done = dg.materialize(
        [published_marts], resources={"warehouse": WarehouseResource.from_settings(settings)}, raise_on_error=False
    )
    return str([e.step_failure_data.error.message for e in done.all_events if e.event_type_value == "STEP_FAILURE"])


def _serving_files(settings) -> dict[str, str]:
    """What a reader sees: the files of the current publication, through `current`, and the stable names."""
    files = [settings.serving_dir / name for name in ("cx_marts.duckdb", "cx_restricted.duckdb", "published.json")]
    for folder, _, names in os.walk(settings.serving_dir / "current", followlinks=True):
        files += [Path(folder) / n for n in names]
    return {str(p.relative_to(settings.serving_dir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _raw_rows_match_load_records(settings) -> list[str]:
    """Per entity: rows in the raw files against rows the load records say were loaded."""
    out = []
    loaded = query(
        settings.duckdb_path,
        "select source, entity, sum(rows_loaded) from ops.load_batches where status = 'loaded' group by all",
    )
    for source, entity, rows in loaded:
        files = str(settings.raw_dir / source / entity / "*.parquet")
        in_files = query(settings.duckdb_path, f"select count(*) from read_parquet('{files}')")[0][0]
        if in_files != rows:
            out.append(f"{source}/{entity}: {in_files} raw rows, {rows} loaded")
    return out


@contextlib.contextmanager
def _holding(db: Path, read_only: bool = True):
    """Another process (a notebook; a writer such as a run) with the working database open until told to let go."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(db)!r}, read_only={read_only}); "
            "print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    try:
        yield holder.pid
    finally:
        holder.stdin.close()
        holder.wait()


def _one_error_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr, done.stdout[-3000:]
    errors = [line for line in done.stdout.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stdout[-3000:]
    return errors[0]


def test_status_while_a_run_writes_shows_what_is_published_and_who_writes(no_contact, tmp_path):
    """DuckDB lets no other process open a database one process writes: status says so, in one line,
    under what is published (read from the serving folder), instead of a lock error's traceback."""
    settings = _copy(no_contact, tmp_path)
    with _holding(settings.duckdb_path, read_only=False) as pid:
        status = cx360("status", "--warehouse", str(settings.warehouse_dir), cwd=tmp_path)
    text = " ".join(status.stdout.split())
    assert status.returncode == 0 and "Traceback" not in status.stdout + status.stderr, status.stdout[-3000:]
    assert "Published" in text and f"The working database is being written by process {pid}," in text
    assert "Last run" not in text  # nothing of the working database was read


def test_refused_and_killed_runs_are_recovered_by_the_next_plain_run(no_contact, tmp_path):
    """One warehouse through a busy database and kills at four points, each run recovering the one
    before; then a plain run publishes, with every failure on record and nothing counted twice. The
    publish step alone (the Dagster UI's way) refuses the models a killed build left unchecked, and is
    killed after its switch."""
    settings = _copy(no_contact, tmp_path)
    before = _serving_files(settings)

    with _holding(settings.duckdb_path) as pid:
        started = time.monotonic()
        refused = _run(settings)
        took = time.monotonic() - started
        status = cx360("status", "--warehouse", str(settings.warehouse_dir), cwd=tmp_path)
    error = _one_error_line(refused)
    assert took < 60 and f"process {pid}" in error and "close that connection" in error
    assert "open in" in status.stdout and "blocked" in status.stdout  # status tells the truth
    assert _serving_files(settings) == before

    killed = _run(settings, "ingest:raw_file_written")
    assert killed.returncode == -9
    recorded = {r[0] for r in query(settings.duckdb_path, "select batch_id from ops.load_batches")}
    orphans = [p for p in settings.raw_dir.glob("crm/customers/*.parquet") if p.stem not in recorded]
    assert len(orphans) == 1  # the batch's file, without its load record
    assert _serving_files(settings) == before

    assert _run(settings, "dbt:model_built").returncode == -9  # also recovers the kill before
    assert not _raw_rows_match_load_records(settings)
    assert _serving_files(settings) == before
    unchecked = _publish_here(settings)  # half the models rebuilt, none checked: not published
    assert "the models were rebuilt by run" in unchecked and "run the whole job (cx360 run)" in unchecked, unchecked
    assert _serving_files(settings) == before

    assert _run(settings, "publish:staged").returncode == -9
    assert _serving_files(settings) == before  # staged whole, not switched in: readers see nothing new
    assert list((settings.serving_dir / "publications").glob(".staging-*"))

    # that run had checked every model: the publish alone goes ahead, and is killed once switched
    assert _publish_alone(settings, "publish:switched").returncode == -9
    switched = (settings.serving_dir / "current").resolve().name
    assert _serving_files(settings) != before

    done = _run(settings)
    assert done.returncode == 0, done.stdout[-3000:]
    runs = query(settings.duckdb_path, "select run_id, published, failures from ops.runs")
    assert len({r[0] for r in runs}) == len(runs)  # each run recorded once
    assert len([r for r in runs if r[2] == [run_guard.KILLED]]) == 3  # the cx360 runs killed
    assert [r[2][0] for r in runs if r[0].startswith("refused-")] == [error.removeprefix("error: ")]
    published = query(settings.duckdb_path, "select run_id from ops.publications group by 1")
    assert len(published) == 3  # the shared build's, the publish killed after its switch, this run's
    assert not _raw_rows_match_load_records(settings)
    customers = "select count(*) from staging.stg_crm__customers where customer_id = 'JC2'"
    assert query(settings.duckdb_path, customers)[0][0] == 1
    # only the current publication and the one before it remain, nothing half-written
    kept = sorted(p.name for p in (settings.serving_dir / "publications").iterdir())
    assert len(kept) == 2 and switched in kept
    assert not [p for p in settings.serving_dir.rglob("*") if p.name.endswith(".tmp") or ".staging-" in p.name]
    status = " ".join(cx360("status", "--warehouse", str(settings.warehouse_dir), cwd=tmp_path).stdout.split())
    assert f"Last run {done.stdout.split('(run ')[-1].split(')')[0]}" in status and "UTC: published" in status


def test_a_second_run_on_the_same_warehouse_stops_with_a_clear_message(no_contact, tmp_path):
    settings = _copy(no_contact, tmp_path)
    before = _serving_files(settings)
    with run_guard.writer(settings):  # a run in progress
        error = _one_error_line(_run(settings))
        from_ui = _publish_alone(settings)
    assert "another cx360 run is writing to" in error and "wait for it to finish" in error
    assert "another cx360 run is writing to" in from_ui.stdout, from_ui.stdout[-2000:] + from_ui.stderr[-2000:]
    assert _serving_files(settings) == before


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


def test_a_full_disk_ends_the_run_in_one_line_recorded_and_keeps_the_publication(no_contact, tmp_path):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "256m"):
        pytest.skip("needs to mount a small tmpfs (root), to fill a disk without filling the machine's")
    try:
        settings = _copy(no_contact, disk)
        before = _serving_files(settings)
        # fill the disk but for a little room: the run starts, then runs out of space
        with (disk / "filler").open("wb") as f:
            f.write(b"\0" * max(shutil.disk_usage(disk).free - (256 << 10), 0))
        error = _one_error_line(_run(settings))
        assert "No space left on device" in error and "the last publication stays in place" in error
        assert _serving_files(settings) == before
        (disk / "filler").unlink()
        status = " ".join(cx360("status", "--warehouse", str(settings.warehouse_dir), cwd=tmp_path).stdout.split())
        assert "blocked" in status and "No space left on device" in status
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
