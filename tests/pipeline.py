"""Running the real pipeline (ingest, dbt build, checks, publish) for tests."""

from __future__ import annotations

from pathlib import Path

from orchestration.runner import RunOutcome, run_build
from orchestration.settings import Settings


def build(landing: Path, warehouse: Path, as_of: str | None = None, **settings) -> tuple[Settings, RunOutcome]:
    s = Settings.from_env(landing_dir=landing, warehouse_dir=warehouse, as_of=as_of, **settings)
    outcome = run_build(s)
    return s, outcome
