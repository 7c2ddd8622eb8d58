"""`cx360 docs`: dbt's documentation site of the project, with the warehouse's catalog.

Written to `<warehouse>/docs/dbt/`: `static_index.html` holds the manifest and the catalog in the
page itself, so it opens from the file system with no server and no network; `index.html` is dbt's
usual page, which reads them beside it over HTTP (`cx360 docs --serve`, `make docs`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from orchestration.dbt_child import WORKDIR_ENV
from orchestration.dbt_manifest import DBT_EXECUTABLE
from orchestration.settings import DBT_PROJECT_DIR, Settings


class DocsFailed(Exception):
    pass


def docs_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / "docs" / "dbt"


def generate(settings: Settings) -> Path:
    """Generate the site from the project and the working database; returns static_index.html."""
    if not settings.duckdb_path.exists():
        raise DocsFailed(f"no warehouse at {settings.warehouse_dir}: run `cx360 run` first (the catalog reads it)")
    out = docs_dir(settings)
    out.mkdir(parents=True, exist_ok=True)
    # the last run's parse, so that dbt parses only what changed (the run's own target keeps its results)
    last_parse = settings.dbt_target_dir / "partial_parse.msgpack"
    if last_parse.exists() and not (out / last_parse.name).exists():
        shutil.copyfile(last_parse, out / last_parse.name)
    done = subprocess.run(
        [DBT_EXECUTABLE, "docs", "generate", "--static", "--quiet", "--vars", json.dumps(settings.dbt_vars())],
        env=os.environ
        | {
            WORKDIR_ENV: str(settings.warehouse_dir),
            "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_TARGET_PATH": str(out),
            "DBT_LOG_PATH": str(out),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        said = (done.stdout + done.stderr).strip().splitlines()
        raise DocsFailed(f"dbt docs generate failed: {said[-1] if said else 'no message'} (log: {out / 'dbt.log'})")
    return out / "static_index.html"
