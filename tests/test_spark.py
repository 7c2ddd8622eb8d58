"""The same dbt project on Apache Spark: every table it builds equals DuckDB's, row by row.

`make test-spark` (not `make test`: a Spark build of the demo takes minutes on two cores). dbt runs
in session mode on a local Spark, over a copy of the raw zone the DuckDB demo build loaded, and
each table Spark wrote (Parquet under spark/warehouse/) is compared with DuckDB's table of the
same name: the same rows, as many times each, floating-point figures to 1e-9 of their size.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_child import WORKDIR_ENV
from orchestration.dbt_manifest import DBT_EXECUTABLE, built_tables
from orchestration.settings import DBT_PROJECT_DIR
from tests.pipeline import settings_for, shared_build

pytestmark = pytest.mark.spark

# written by the build at the time it ran: equal only by chance
BUILD_TIME_COLUMNS = {"_built_at", "_matched_at", "_keyed_at", "built_at"}
# a hash of the touchpoint map as each engine renders a row as text (journey_config_fingerprint):
# compared only with the same engine's next build
ENGINE_COLUMNS = {"config_fingerprint"}


def _spark_dbt(folder: Path, raw_dir: str) -> dict:
    settings = settings_for(folder, folder)
    shutil.copytree(raw_dir, settings.raw_dir)
    # mart_data_trust reads the run's check records, which only a run writes (assets/audit.py)
    args = [
        "build",
        "--exclude",
        "mart_data_trust",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        json.dumps(settings.with_(engine="spark").dbt_vars()),
    ]
    args += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    args += ["--target-path", str(folder / "dbt_target"), "--log-path", str(folder / "logs")]
    run = subprocess.run(
        [DBT_EXECUTABLE, *args],
        env=os.environ | {WORKDIR_ENV: str(folder)},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return {"returncode": run.returncode, "stdout": run.stdout[-8000:], "folder": str(folder)}


@pytest.fixture(scope="module")
def spark_demo(tmp_path_factory, demo_full) -> dict:
    settings, _ = demo_full
    built = shared_build(tmp_path_factory, "spark_demo", lambda folder: _spark_dbt(folder, str(settings.raw_dir)))
    assert built["returncode"] == 0, built["stdout"]
    return built | {"duckdb": str(settings.duckdb_path)}


def spark_table(folder: Path, schema: str, table: str) -> str:
    """The Parquet files of a table Spark built (profiles.yml: spark/warehouse/<schema>.db/<table>)."""
    return str(folder / "spark" / "warehouse" / f"{schema}.db" / table / "*.parquet")


def _comparable(con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]]) -> str:
    """The relation's rows with floating-point figures rounded to 9 significant digits."""
    parts = []
    for name, kind in columns:
        quoted = f'"{name}"'
        if kind in ("DOUBLE", "FLOAT"):
            parts.append(f"format('{{:.9g}}', {quoted}) as {quoted}")
        else:
            parts.append(quoted)
    return f"select {', '.join(parts)} from {relation}"


def test_every_table_spark_builds_equals_duckdbs(spark_demo):
    folder = Path(spark_demo["folder"])
    con = duckdb.connect(spark_demo["duckdb"], read_only=True)
    differences = {}
    for schema, table in built_tables():
        if table == "mart_data_trust":
            continue
        spark = f"read_parquet('{spark_table(folder, schema, table)}')"
        duck = f'"{schema}"."{table}"'
        columns = [
            (name, kind)
            for name, kind in con.execute(f"select column_name, column_type from (describe {duck})").fetchall()
            if name not in BUILD_TIME_COLUMNS | ENGINE_COLUMNS
        ]
        left, right = _comparable(con, duck, columns), _comparable(con, spark, columns)
        missing = con.execute(f"select count(*) from ({left} except all {right})").fetchone()[0]
        extra = con.execute(f"select count(*) from ({right} except all {left})").fetchone()[0]
        if missing or extra:
            differences[f"{schema}.{table}"] = (missing, extra)
    assert differences == {}
