"""dbt's own unit tests (given/expect rows for the identity, journey and metric rules), run once.

Production builds skip them (they prove the SQL, not the data); here they run against the journey
tests' warehouse, since dbt reads the column types of a model's inputs from it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR


def test_dbt_unit_tests_pass(journey_warehouse, tmp_path):
    settings, _ = journey_warehouse
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "CX360_DUCKDB_PATH": str(settings.duckdb_path)}
    result = subprocess.run(
        [
            str(dbt),
            "test",
            "--select",
            "test_type:unit",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " ERROR=0 " in result.stdout and "PASS=" in result.stdout
