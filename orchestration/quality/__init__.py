"""Quality gates run from Dagster: Great Expectations suites kept as files in `expectations/`.

Where the suites and the Data Docs live is decided here, without importing Great Expectations
(its import takes seconds), so loading the Dagster definitions stays quick; the suites are built
by `suites.py`, run by `gx_runner.py` and wired to assets as blocking checks by `gx_checks.py`.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.contracts import Entity
from orchestration.settings import EXPECTATIONS_DIR, Settings

RAW_SUITES_DIR = EXPECTATIONS_DIR / "raw"


def raw_suite_name(entity: Entity) -> str:
    """`raw.<source>__<entity>`: the suite of a raw-zone entity, named like its dbt source view."""
    return f"raw.{entity.raw_table}"


def raw_suite_path(entity: Entity, root: Path = EXPECTATIONS_DIR) -> Path:
    return root / "raw" / f"{entity.raw_table}.json"


def gx_docs_dir(settings: Settings) -> Path:
    """Great Expectations Data Docs of a warehouse: `<warehouse>/docs/gx/index.html`."""
    return settings.warehouse_dir / "docs" / "gx"
