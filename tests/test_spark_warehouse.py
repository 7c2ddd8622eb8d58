"""The glue between a Spark build and the working database, without Spark (make test): the views
over Spark's Parquet, the run records written for Spark, the Thrift server's settings and the
connection settings."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.settings import ENV_SPARK_THRIFT, Settings
from orchestration.spark_server import spark_conf
from orchestration.spark_warehouse import OPS_TABLES, export_ops, expose_build, ops_dir, tables_dir
from orchestration.warehouse import connect


def _spark_wrote(warehouse, schema: str, table: str, sql: str) -> None:
    """A table as Spark leaves it: a folder of part files (and its hidden checksum files)."""
    folder = tables_dir(warehouse) / f"{schema}.db" / table
    folder.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(f"copy ({sql}) to '{folder / 'part-00000-c000.snappy.parquet'}' (format parquet)")
    (folder / ".part-00000-c000.snappy.parquet.crc").write_bytes(b"\x00")


def test_each_table_spark_built_is_a_view_of_the_working_database(tmp_path):
    settings = Settings(landing_dir=tmp_path, warehouse_dir=tmp_path / "wh")
    _spark_wrote(settings.warehouse_dir, "marts", "dim_customer", "select 'C1' as customer_key, 2 as valid_orders")
    with connect(settings) as con:
        # the same table built on DuckDB before the warehouse moved to Spark
        con.execute("create schema marts; create table marts.dim_customer as select 'old' as customer_key")
        missing = expose_build(con, settings.warehouse_dir, [("marts", "dim_customer"), ("marts", "mart_nps")])
        kind = con.execute(
            "select table_type from information_schema.tables where table_name = 'dim_customer'"
        ).fetchall()
        rows = con.execute("select * from marts.dim_customer").fetchall()
    assert missing == ["marts.mart_nps"]
    assert kind == [("VIEW",)] and rows == [("C1", 2)]


def test_the_run_records_are_written_for_spark_as_one_file_per_table(tmp_path):
    settings = Settings(landing_dir=tmp_path, warehouse_dir=tmp_path / "wh")
    with connect(settings) as con:  # creates the ops tables
        con.execute("insert into ops.table_counts values ('r1', timestamp '2026-12-01 10:00:00', 'bi', 't', 5)")
        export_ops(con, settings.warehouse_dir)
        export_ops(con, settings.warehouse_dir)  # replaced, not added to
    for table in OPS_TABLES:
        assert [p.name for p in (ops_dir(settings.warehouse_dir) / table).iterdir()] == ["records.parquet"]
    with duckdb.connect() as con:
        counts = con.execute(
            f"from '{ops_dir(settings.warehouse_dir) / 'table_counts' / 'records.parquet'}'"
        ).fetchall()
    assert [tuple(r[2:]) for r in counts] == [("bi", "t", 5)]


def test_the_thrift_server_runs_with_the_session_target_s_settings(tmp_path):
    settings = Settings(landing_dir=tmp_path, warehouse_dir=tmp_path, spark_master="spark://10.0.0.5:7077")
    conf = spark_conf(settings)
    assert conf["spark.master"] == "spark://10.0.0.5:7077"
    assert conf["spark.sql.warehouse.dir"] == "spark/warehouse"
    assert conf["spark.sql.timestampType"] == "TIMESTAMP_NTZ"


def test_a_thrift_server_is_given_as_host_and_port(monkeypatch, tmp_path):
    monkeypatch.setenv("CX360_ENGINE", "spark")
    monkeypatch.setenv(ENV_SPARK_THRIFT, "spark-1.internal:10001")
    dbt_vars = Settings.from_env(warehouse_dir=tmp_path).dbt_vars()
    assert (dbt_vars["cx360_target"], dbt_vars["cx360_spark_host"], dbt_vars["cx360_spark_port"]) == (
        "spark_thrift",
        "spark-1.internal",
        10001,
    )
    monkeypatch.setenv(ENV_SPARK_THRIFT, "10001")
    with pytest.raises(ValueError, match="CX360_SPARK_THRIFT must be host:port, such as 127.0.0.1:10000, not '10001'"):
        Settings.from_env(warehouse_dir=tmp_path)
