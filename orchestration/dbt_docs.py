"""`cx360 docs`: dbt's documentation site of the project, with the warehouse's catalog.

Written to `<warehouse>/docs/dbt/`: `static_index.html` holds the manifest and the catalog in the
page itself, so it opens from the file system with no server and no network; `index.html` is dbt's
usual page, which reads them beside it over HTTP (`cx360 docs --serve`, `make docs`).
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, Settings


class DocsFailed(Exception):
    pass


def docs_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / "docs" / "dbt"


def generate(settings: Settings) -> Path:
    """Generate the site from the project and the working database; returns static_index.html."""
    from dbt.cli.main import dbtRunner

    if not settings.duckdb_path.exists():
        raise DocsFailed(f"no warehouse at {settings.warehouse_dir}: run `cx360 run` first (the catalog reads it)")
    out = docs_dir(settings)
    result = dbtRunner().invoke(
        [
            "docs",
            "generate",
            "--static",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(out),
            "--vars",
            json.dumps(settings.dbt_vars()),
        ]
    )
    if not result.success:
        raise DocsFailed(f"dbt docs generate failed: {result.exception or 'see the messages above'}")
    return out / "static_index.html"
