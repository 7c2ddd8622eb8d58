"""The same project on Apache Spark: `cx360 run` with CX360_ENGINE=spark publishes what DuckDB publishes.

`make test-spark` (not `make test`: a Spark run of the demo takes minutes on two cores). Three runs
on Spark, over the demo with the journey and identity cases and two more days (tests/landings.py):
  - one full run on a standalone cluster started here (a master and two workers, each a JVM of its
    own), against `demo_full`, DuckDB's full run of the same landing zone: every published table
    and every table dbt built hold the same rows, floating-point figures to 1e-9 of their size;
  - the demo on a local Spark started by dbt (session mode), then the two days incrementally through
    a Thrift server (`cx360 spark-server`) on the same warehouse: they publish what the full run
    published (the incremental-equals-full test of tests/test_incremental.py, on Spark); then
    `cx360 forget` erases a customer from that warehouse, Spark's files included.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_manifest import built_tables
from orchestration.privacy.erasure import forget
from orchestration.spark_warehouse import tables_dir
from tests.conftest import query
from tests.landings import deliver_days, demo_landing
from tests.pipeline import build, stop
from tests.spark_cluster import free_port, standalone

pytestmark = pytest.mark.spark

# written by the load or the build at the time it ran: equal only by chance
BUILD_TIME_COLUMNS = {"_built_at", "_matched_at", "_keyed_at", "_staged_at", "built_at", "_loaded_at"}
# a hash of the touchpoint map as each engine renders a row as text (journey_config_fingerprint):
# compared only with the same engine's next build
ENGINE_COLUMNS = {"config_fingerprint"}
# mart_data_trust describes the run that published it: its id, time and the deliveries' age then
RUN_COLUMNS = re.compile(r"run_id|published_at|.*_last_delivery_at|.*_hours_since_delivery")


@pytest.fixture(scope="module")
def cluster_full(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("spark_cluster")
    landing = demo_landing(root)
    deliver_days(landing)
    with standalone(root / "cluster", workers=2) as cluster:
        settings, outcome = build(
            landing,
            root / "wh",
            engine="spark",
            spark_master=cluster.master_url,
            rejected_required_batch_blocks=False,  # the days hold a broken survey export, as demo_full's
        )
        logs = {name: cluster.log(name) for name in ("master", "worker-1", "worker-2")}
    assert outcome.success, outcome.failures
    return {"settings": settings, "logs": logs}


@pytest.fixture(scope="module")
def local_incremental(tmp_path_factory, cluster_full) -> dict:
    """The runs, what they published against the full run's publication (compared before the
    erasure changes it), then the erasure of a customer with orders."""
    root = tmp_path_factory.mktemp("spark_incremental")
    landing = demo_landing(root)
    settings, base = build(landing, root / "wh", engine="spark", spark_master="local[2]")
    assert base.success, base.failures
    deliver_days(landing)
    port = free_port()
    log = root / "spark-server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("cx360")), "spark-server", "--warehouse", str(root / "wh"),
             "--port", str(port), "--master", "local[2]"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while "Spark Thrift server on" not in log.read_text(errors="replace"):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(1)
        settings, outcome = build(
            landing,
            root / "wh",
            engine="spark",
            spark_thrift=f"127.0.0.1:{port}",
            rejected_required_batch_blocks=False,
        )
        server_up = server.poll() is None
    finally:
        stop(server, timeout=60)
    assert outcome.success, outcome.failures
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text())
    differences = _publication_differences(settings.serving_dir, cluster_full["settings"].serving_dir)
    email = query(
        settings.restricted_db_path,
        "select pii_email from dim_customer where pii_email is not null and valid_orders > 1 order by 1 limit 1",
    )[0][0]
    receipt = forget(settings.with_(spark_thrift=None), ("email", email), progress=lambda line: None)
    return {
        "settings": settings,
        "server_up": server_up,
        "dbt_target": results["args"]["vars"].get("cx360_target"),
        "differences": differences,
        "forgotten": email,
        "receipt": json.loads(receipt.read_text()),
    }


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return con.execute(f"select column_name, column_type from (describe {relation})").fetchall()


def _comparable(relation: str, columns: list[tuple[str, str]]) -> str:
    """The relation's rows with floating-point figures to 9 significant digits."""
    parts = [f"format('{{:.9g}}', \"{n}\")" if kind in ("DOUBLE", "FLOAT") else f'"{n}"' for n, kind in columns]
    return f"select {', '.join(parts)} from {relation}"


def _row_differences(con, left: str, right: str, skip=lambda column: False) -> tuple[int, int]:
    columns = [(n, kind) for n, kind in _columns(con, left) if not skip(n)]
    a, b = _comparable(left, columns), _comparable(right, columns)
    only_left = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
    only_right = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
    return only_left, only_right


def _publication_differences(serving_a: Path, serving_b: Path) -> list[str]:
    """Every published table of both publications: the same tables, columns and types, and rows."""
    con = duckdb.connect()
    out = []
    for name in ("cx_marts.duckdb", "cx_restricted.duckdb"):
        con.execute(f"attach '{serving_a / name}' as a (read_only)")
        con.execute(f"attach '{serving_b / name}' as b (read_only)")
        listed = "select table_name from information_schema.tables where table_catalog = ? and table_schema = 'main'"
        tables_a = {r[0] for r in con.execute(listed, ["a"]).fetchall()}
        tables_b = {r[0] for r in con.execute(listed, ["b"]).fetchall()}
        if tables_a != tables_b:
            out.append(f"{name}: tables differ: {sorted(tables_a ^ tables_b)}")
        for table in sorted(tables_a & tables_b):
            if _columns(con, f"a.{table}") != _columns(con, f"b.{table}"):
                out.append(f"{name} {table}: columns differ")
                continue
            skip = RUN_COLUMNS.fullmatch if table == "mart_data_trust" else lambda column: False
            only_a, only_b = _row_differences(con, f"a.{table}", f"b.{table}", skip)
            if only_a or only_b:
                out.append(f"{name} {table}: {only_a} rows only in the first, {only_b} only in the second")
        con.execute("detach a")
        con.execute("detach b")
    con.close()
    return out


def test_a_full_run_on_a_spark_cluster_publishes_what_duckdb_publishes(cluster_full, demo_full):
    duckdb_run, _ = demo_full
    assert _publication_differences(cluster_full["settings"].serving_dir, duckdb_run.serving_dir) == []


def test_every_table_spark_builds_equals_duckdbs(cluster_full, demo_full):
    duckdb_run, _ = demo_full
    folder = tables_dir(cluster_full["settings"].warehouse_dir)
    con = duckdb.connect(str(duckdb_run.duckdb_path), read_only=True)
    differences = {}
    for schema, table in built_tables():
        if table == "mart_data_trust":  # the run's own records: compared as published, above
            continue
        spark = f"read_parquet('{folder / f'{schema}.db' / table / '*.parquet'}')"
        skip = (BUILD_TIME_COLUMNS | ENGINE_COLUMNS).__contains__
        found = _row_differences(con, f'"{schema}"."{table}"', spark, skip)
        if found != (0, 0):
            differences[f"{schema}.{table}"] = found
    assert differences == {}
    assert len(built_tables()) > 40


def test_the_cluster_s_two_workers_ran_the_build(cluster_full):
    logs = cluster_full["logs"]
    assert "Registered app" in logs["master"]
    for worker in ("worker-1", "worker-2"):
        assert "Asked to launch executor" in logs[worker], logs[worker][-2000:]


def test_the_working_database_reads_spark_s_tables(cluster_full):
    settings = cluster_full["settings"]
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    kinds = dict(
        con.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts')"
        ).fetchall()
    )
    assert kinds["marts.fct_customer_journey"] == "VIEW"
    assert set(kinds.values()) == {"VIEW"}


def test_incremental_runs_on_spark_publish_what_a_full_run_publishes(local_incremental):
    assert local_incremental["differences"] == []


def test_the_day_was_built_through_the_thrift_server(local_incremental):
    # the server held the warehouse's metastore (embedded Derby: one JVM at a time) all along, so
    # the Spark that built the day was the server's, not one of dbt's own
    assert local_incremental["server_up"]
    assert local_incremental["dbt_target"] == "spark_thrift"


def test_a_person_forgotten_on_spark_is_in_no_table_spark_keeps(local_incremental):
    settings, email = local_incremental["settings"], local_incremental["forgotten"]
    assert local_incremental["receipt"]["republished_by_run"]
    assert query(settings.restricted_db_path, "select count(*) from dim_customer where pii_email = ?", [email]) == [
        (0,)
    ]
    con = duckdb.connect()
    files = sorted((settings.warehouse_dir / "spark").rglob("*.parquet"))
    found = []
    for file in files:
        for column, kind, *_ in con.execute(f"describe select * from read_parquet('{file}')").fetchall():
            if kind == "VARCHAR":
                hits = f"select count(*) from read_parquet('{file}') where contains(lower(\"{column}\"), ?)"
                if con.execute(hits, [email.lower()]).fetchone()[0]:
                    found.append(f"{file.relative_to(settings.warehouse_dir)}: {column}")
    assert len(files) > 40 and found == []
