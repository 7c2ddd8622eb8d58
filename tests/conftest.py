"""Shared fixtures: real landing zones on disk, real DuckDB warehouses in temporary folders.

A build takes about a minute whatever the data (dbt runs ~350 nodes), so test modules share the
warehouses they only read: the modules using a session fixture's warehouse run in one xdist worker
(pytest_xdist_make_scheduler below), which builds it once.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.settings import Settings

# modules that read the session fixture `journey_warehouse`: one xdist unit of work, so one build
JOURNEY_WAREHOUSE_MODULES = {"test_journey.py", "test_dbt_unit.py"}
# the modules that build the most go first, so the last module to start is a short one
HEAVIEST_FIRST = ("test_trust", "test_incremental", "test_demo_end_to_end", "test_cx_marts", "test_identity")


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which would answer first
def pytest_xdist_make_scheduler(config, log):
    """Each test module is a unit of work for one worker (as --dist loadfile), except the modules
    sharing a warehouse, which are one unit together. (xdist's own `--dist loadgroup` cannot do it
    under pytest 9: it renames test ids through an attribute pytest no longer reads.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedWarehouses(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return "journey_warehouse" if Path(module).name in JOURNEY_WAREHOUSE_MODULES else module

    return SharedWarehouses(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heaviest modules first (xdist hands out units in this order: --no-loadscope-reorder)."""

    def weight(item: pytest.Item) -> int:
        name = item.module.__name__.rsplit(".", 1)[-1]
        return HEAVIEST_FIRST.index(name) if name in HEAVIEST_FIRST else len(HEAVIEST_FIRST)

    items.sort(key=weight)  # stable: tests keep their order within a module


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
    return Settings.from_env(landing_dir=landing, warehouse_dir=tmp_path / "warehouse")


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def journey_warehouse(tmp_path_factory):
    """The pipeline built once on JOURNEY_LANDING, for the modules of JOURNEY_WAREHOUSE_MODULES, which
    only read it: a test may publish again, but must leave what is published as it was."""
    from tests.landings import JOURNEY_LANDING
    from tests.pipeline import build

    root = tmp_path_factory.mktemp("journey_warehouse")
    settings, outcome = build(write_landing(root / "landing", JOURNEY_LANDING), root / "warehouse")
    assert outcome.success, outcome.failures
    return settings, outcome
