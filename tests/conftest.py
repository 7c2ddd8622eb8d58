"""Shared fixtures: real landing zones on disk, real DuckDB warehouses in temporary folders.

A build costs ~30-60 s whatever the data, so the suite makes five, one per scenario, and the
modules share them (tests/pipeline.py: shared_build, once per session whichever xdist worker asks
first; a module run alone builds what it reads):
  - the demo with the journey and identity cases and two more days, built by the real `cx360 run`
    (`demo_full`: the demo, journey and identity tests, and the full side of test_incremental);
  - the same landing zone built first without the two days and then incrementally with them
    (test_incremental's own two builds);
  - the hand-computed CX marts (test_cx_marts);
  - a landing zone without e-mails and delivery times, where the trust tests also run the runs a
    gate stops (`no_contact`: test_trust, test_dbt_unit).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from pathlib import Path

import duckdb
import psutil
import pytest

from orchestration import dbt_manifest
from orchestration.settings import Settings
from tests.pipeline import build, cx360, settings_for, shared_build

# the headless browser fixture (tests/browser.py), for any module that opens a page
pytest_plugins = ("tests.browser",)

# the modules that take longest go first (2026-12-05: those over ~5 s), so the last to start is short
HEAVIEST_FIRST = (
    "test_run_safety",
    "test_privacy",
    "test_incremental",
    "test_demo_end_to_end",
    "test_trust",
    "test_cx_marts",
    "test_dashboard",
    "test_upgrade",
    "test_docs_offline",
    "test_dbt_unit",
    "test_dbt_warm",
    "test_ingest",
    "test_gx_checks",
    "test_generate",
    "test_suppression",
    "test_drift",
    "test_definitions",
)


RAM_DISK = Path("/dev/shm")
_ON_RAM_DISK = pytest.StashKey[Path]()  # the session's folder there, when it has one


@pytest.hookimpl(tryfirst=True)  # before pytest's tmp_path plugin reads --basetemp
def pytest_configure(config) -> None:
    """Parse the dbt project once, before any worker loads the definitions (they only read it); keep
    the tests' warehouses in memory when the machine has a RAM disk (~1 GB): every build writes
    DuckDB files, Parquet and dbt's artifacts, and on disk that I/O costs about a sixth of the suite."""
    if hasattr(config, "workerinput"):
        return
    if config.option.basetemp is None and RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
        # one folder per checkout and session: two sessions at once (`make test` beside `make
        # test-spark`, or two checkouts) would otherwise delete each other's warehouses. A failed
        # session's folder stays until the checkout's next session starts
        checkout = hashlib.sha1(str(Path(__file__).resolve().parents[1]).encode()).hexdigest()[:8]
        _sweep_ended_sessions(checkout)
        config.option.basetemp = str(RAM_DISK / f"cx360-pytest-{checkout}-{os.getpid()}")
        config.stash[_ON_RAM_DISK] = Path(config.option.basetemp)
    dbt_manifest.prepare()


def _sweep_ended_sessions(checkout: str) -> None:
    """Remove the RAM-disk folders of this checkout's sessions whose process has ended."""
    for folder in RAM_DISK.glob(f"cx360-pytest-{checkout}*"):
        pid = folder.name.removeprefix(f"cx360-pytest-{checkout}").lstrip("-")
        if not (pid.isdigit() and psutil.pid_exists(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus) -> None:
    """A RAM disk's folder is memory: a session that passed gives it back (~1 GB after the full
    suite); one that failed keeps its warehouses to look at until the checkout's next session."""
    folder = session.config.stash.get(_ON_RAM_DISK, None)
    if folder is not None and exitstatus == pytest.ExitCode.OK:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heaviest modules first (xdist hands out modules in this order: --no-loadscope-reorder)."""

    def weight(item: pytest.Item) -> int:
        name = item.module.__name__.rsplit(".", 1)[-1]
        return HEAVIEST_FIRST.index(name) if name in HEAVIEST_FIRST else len(HEAVIEST_FIRST)

    items.sort(key=weight)  # stable: pytest-randomly's order stays within a weight


@pytest.fixture(autouse=True)
def _sigterm_as_found():
    """An in-process Dagster run (dg.materialize) maps SIGTERM to SIGINT's handling, which a pytest-xdist
    worker ignores; left so, every process a later test starts would ignore SIGTERM too."""
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


def write_landing(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `{"crm/customers/a.csv": "..."}` under root; returns root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def landing(tmp_path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


@pytest.fixture
def settings(tmp_path, landing) -> Settings:
    return settings_for(landing, tmp_path / "warehouse")


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _demo_full(folder: Path) -> dict:
    from tests.landings import deliver_days, demo_landing

    landing = demo_landing(folder)
    deliver_days(landing)
    run = cx360("run", "--landing", str(landing), "--warehouse", "wh", "--rejected-batches", "warn", cwd=folder)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {"landing": str(landing), "warehouse": str(folder / "wh"), "stdout": run.stdout}


@pytest.fixture(scope="session")
def demo_full(tmp_path_factory) -> tuple[Settings, str]:
    """The demo, the journey and identity cases and two more days, in one full build by `cx360 run`
    (rejected batches warn: the days hold a broken survey export): (settings, what the run printed)."""
    built = shared_build(tmp_path_factory, "demo_full", _demo_full)
    return settings_for(built["landing"], built["warehouse"]), built["stdout"]


def _no_contact(folder: Path) -> dict:
    from tests.landings import NO_CONTACT_LANDING

    settings, outcome = build(write_landing(folder / "landing", NO_CONTACT_LANDING), folder / "warehouse")
    assert outcome.success, outcome.failures
    return {"landing": str(settings.landing_dir), "warehouse": str(settings.warehouse_dir), "run_id": outcome.run_id}


@pytest.fixture(scope="session")
def no_contact(tmp_path_factory) -> tuple[Settings, str]:
    """The journey's customer without e-mail or delivery time, built once: (settings, run id)."""
    built = shared_build(tmp_path_factory, "no_contact", _no_contact)
    return settings_for(built["landing"], built["warehouse"]), built["run_id"]


def _dbt_tests(folder: Path, built_db: Path) -> dict:
    from tests.dbt_tests import run_dbt_tests

    return run_dbt_tests(folder, built_db)


@pytest.fixture(scope="session")
def dbt_tests(tmp_path_factory, no_contact) -> dict:
    """One `dbt test` run: the unit tests, and the marts' rules on broken marts (tests/dbt_tests.py)."""
    settings, _ = no_contact
    return shared_build(tmp_path_factory, "dbt_tests", lambda folder: _dbt_tests(folder, settings.duckdb_path))
