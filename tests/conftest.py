"""Shared fixtures: real landing zones on disk, real DuckDB warehouses in temporary folders."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.settings import Settings


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
