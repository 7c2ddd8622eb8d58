"""Settings read from the environment: a wrong value is refused, naming the variable and the value."""

from __future__ import annotations

import pytest

from orchestration.dbt_child import builds_on_spark
from orchestration.settings import (
    ENV_DBT_THREADS,
    ENV_ENGINE,
    ENV_MEMORY_LIMIT,
    ENV_REJECTED,
    ENV_SPARK_THRIFT,
    Settings,
    memory_bytes,
)


def test_dbt_threads_come_from_the_environment(monkeypatch, tmp_path):
    default = Settings.from_env(warehouse_dir=tmp_path)
    # on DuckDB one model at a time (one database, one memory limit); Spark runs two side by side
    assert (default.dbt_build_threads, default.with_(engine="spark").dbt_build_threads) == (1, 2)
    monkeypatch.setenv(ENV_DBT_THREADS, "3")
    assert Settings.from_env(warehouse_dir=tmp_path).dbt_build_threads == 3


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (ENV_DBT_THREADS, "two", "CX360_DBT_THREADS must be a whole number of at least 1, not 'two'"),
        (ENV_DBT_THREADS, "0", "CX360_DBT_THREADS must be a whole number of at least 1, not '0'"),
        (ENV_REJECTED, "ignore", "CX360_REJECTED_BATCHES must be 'block' or 'warn', not 'ignore'"),
        (ENV_MEMORY_LIMIT, "4", "CX360_DUCKDB_MEMORY_LIMIT must be a size such as 4GB, 512MB, 2GiB or 50%, not '4'"),
        (ENV_ENGINE, "postgres", "CX360_ENGINE must be one of duckdb, spark, not 'postgres'"),
        (ENV_SPARK_THRIFT, "10000", "CX360_SPARK_THRIFT must be host:port, such as 127.0.0.1:10000, not '10000'"),
        (
            ENV_SPARK_THRIFT,
            "spark:thrift",
            "CX360_SPARK_THRIFT must be host:port, such as 127.0.0.1:10000, not 'spark:thrift'",
        ),
    ],
)
def test_a_wrong_setting_is_refused_by_name(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as error:
        Settings.from_env(warehouse_dir=tmp_path)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4GB", 4 * 10**9),
        ("4 gb", 4 * 10**9),
        ("4g", 4 * 10**9),
        ("2GiB", 2 * 2**30),
        ("512MB", 512 * 10**6),
        ("1.5GB", 1.5e9),
    ],
)
def test_a_memory_limit_is_read_as_duckdb_reads_it(text, size):
    assert memory_bytes(text) == size


def test_the_dagster_resource_carries_every_setting_and_gives_them_back(tmp_path):
    import dataclasses
    import datetime as dt

    from orchestration.resources import WarehouseResource

    settings = Settings.from_env(landing_dir=tmp_path / "l", warehouse_dir=tmp_path / "w").with_(
        as_of=dt.date(2026, 3, 31), dbt_threads=3, default_phone_region="PL", allow_volume_drop=True
    )
    resource = WarehouseResource.from_settings(settings)
    assert set(WarehouseResource.model_fields) == {f.name for f in dataclasses.fields(Settings)}
    assert resource.settings() == settings
    assert resource.settings().dbt_vars() == {
        "cx360_duckdb_memory_limit": "4GB",
        "reporting_currency": "EUR",
        "as_of": "2026-03-31",
        "default_phone_region": "PL",
    }


def test_on_spark_dbt_is_told_the_engine_and_the_tables_over_files(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_ENGINE, "Spark")
    settings = Settings.from_env(warehouse_dir=tmp_path)
    spark_vars = settings.dbt_vars()
    assert spark_vars["cx360_engine"] == "spark"
    orders = spark_vars["cx360_external_tables"]["raw.sales__orders"]
    assert orders["location"] == str(tmp_path / "raw" / "sales" / "orders")
    assert "`ordered_at` timestamp" in orders["columns"] and "`order_id` string" in orders["columns"]
    # the run records mart_data_trust reads, written by the run before each build
    assert spark_vars["cx360_external_tables"]["ops.check_results"] == {
        "location": str(tmp_path / "spark" / "ops" / "check_results")
    }
    assert "cx360_engine" not in settings.with_(engine="duckdb").dbt_vars()
    over_thrift = settings.with_(spark_thrift="spark.example.net:10001").dbt_vars()
    assert (over_thrift["cx360_target"], over_thrift["cx360_spark_host"], over_thrift["cx360_spark_port"]) == (
        "spark_thrift",
        "spark.example.net",
        10001,
    )


def test_cx360_dbt_knows_a_spark_build_from_its_vars_target_or_the_environment(monkeypatch):
    monkeypatch.delenv(ENV_ENGINE, raising=False)
    assert not builds_on_spark(["build", "--vars", '{"as_of": "2026-10-31"}'])
    assert builds_on_spark(["build", "--vars", '{"cx360_engine": "spark"}'])
    assert builds_on_spark(["build", "--target", "spark"])
    monkeypatch.setenv(ENV_ENGINE, "spark")
    assert builds_on_spark(["build"])
    assert not builds_on_spark(["build", "--target", "duckdb"])
