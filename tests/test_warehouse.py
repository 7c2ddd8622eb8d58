"""The working database held open through a run's ingest and check steps (warehouse.held_open)."""

from __future__ import annotations

import subprocess
import sys

from orchestration.warehouse import connect, held_open, release
from tests.pipeline import settings_for


def _opens_elsewhere(db) -> bool:
    """Whether another process (as dbt's is) can open the file for writing now."""
    code = f"import duckdb; duckdb.connect({str(db)!r}).close()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode == 0


def test_held_open_keeps_one_database_until_released_for_another_process(tmp_path):
    settings = settings_for(tmp_path / "landing", tmp_path / "warehouse")
    with held_open(settings):
        with connect(settings) as con:
            con.execute("create table t as select 1 as x")
        assert not _opens_elsewhere(settings.duckdb_path)  # still open here between steps
        with connect(settings, read_only=True) as con:  # a reading step gets the same database
            assert con.execute("select x from t").fetchall() == [(1,)]
            assert con.execute("select current_setting('TimeZone')").fetchone()[0] == "UTC"
        release(settings)  # as the dbt step does before dbt starts
        assert _opens_elsewhere(settings.duckdb_path)
        with connect(settings) as con:  # opened and closed again, as outside the block
            con.execute("insert into t values (2)")
        assert _opens_elsewhere(settings.duckdb_path)
    with connect(settings, read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 2
