"""Running the real pipeline (ingest, dbt build, checks, publish) for tests."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.runner import RunOutcome, run_build
from orchestration.settings import (
    ENV_ALLOW_VOLUME_DROP,
    ENV_AS_OF,
    ENV_DBT_THREADS,
    ENV_FULL_REFRESH,
    ENV_REJECTED,
    Settings,
)

RUN_SCOPED_ENV = (ENV_AS_OF, ENV_ALLOW_VOLUME_DROP, ENV_FULL_REFRESH, ENV_REJECTED, ENV_DBT_THREADS)


def build(landing: Path, warehouse: Path, as_of: str | None = None, **settings) -> tuple[Settings, RunOutcome]:
    # a run exports its settings to the environment (for the run's resources); forget the previous
    # test's, so a build without as_of does not inherit another test's as-of date
    for name in RUN_SCOPED_ENV:
        os.environ.pop(name, None)
    s = Settings.from_env(landing_dir=landing, warehouse_dir=warehouse, as_of=as_of, **settings)
    outcome = run_build(s)
    return s, outcome
