"""dbt's own unit tests (given/expect rows for the identity, journey and metric rules), run once.

Production builds skip them (they prove the SQL, not the data); here they run against a copy of a
built working database (`no_contact`), since dbt reads the column types of a model's inputs from it.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from orchestration.dbt_manifest import DBT_EXECUTABLE
from orchestration.settings import DBT_PROJECT_DIR


def test_dbt_unit_tests_pass(no_contact, tmp_path):
    settings, _ = no_contact
    db = tmp_path / "cx.duckdb"  # a copy: dbt writes, other tests read the shared build at the same time
    shutil.copyfile(settings.duckdb_path, db)
    result = subprocess.run(
        [
            DBT_EXECUTABLE,
            "test",
            "--select",
            "test_type:unit",
            "--vars",
            json.dumps({"cx360_duckdb_path": str(db)}),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " ERROR=0 " in result.stdout and "PASS=" in result.stdout
