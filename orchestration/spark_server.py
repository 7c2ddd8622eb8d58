"""`cx360 spark-server`: Spark behind a Thrift server, with cx360's functions, for dbt-spark's thrift method.

In session mode each dbt invocation starts Spark in its own process and stops it at the end. A
Thrift server (HiveServer2's protocol, Spark's `HiveThriftServer2`) is one Spark that stays up:
dbt connects to it (CX360_SPARK_THRIFT=host:port, profiles.yml's `spark_thrift` target), as it
would to a cluster's Spark Thrift Server. This one is started in Python so that cx360's SQL
functions, written in Python, are registered on it (dbt_functions.py), and it runs in one session
(`singleSession`) so every connection sees them. Its settings are the session target's, read from
profiles.yml, and it runs in the warehouse folder: its tables are where a session-mode build puts
them, so `cx360 run` reads and publishes them the same way (spark_warehouse.py).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

import jinja2
import yaml

from orchestration.settings import DBT_PROJECT_DIR, Settings

SESSION_TARGET = "spark"


def spark_conf(settings: Settings) -> dict[str, str]:
    """The Spark settings of profiles.yml's session target, rendered for `settings`."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())["cx360"]["outputs"][SESSION_TARGET]
    dbt_vars = settings.with_(engine="spark").dbt_vars()
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    render = {
        "var": lambda name, default=None: dbt_vars.get(name, default),
        "env_var": lambda name, default=None: os.environ.get(name, default),
    }
    return {key: env.from_string(str(value)).render(render) for key, value in profile["server_side_parameters"].items()}


def serve(settings: Settings, host: str, port: int, ready: Callable[[str], None] = print) -> None:
    """Run a Thrift server on host:port for the warehouse of `settings` until SIGINT or SIGTERM."""
    from pyspark.sql import SparkSession

    from orchestration.dbt_functions import register_on_spark_sessions

    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    os.chdir(settings.warehouse_dir)  # the relative spark/ paths of profiles.yml
    register_on_spark_sessions()
    builder = SparkSession.builder.appName("cx360 Spark Thrift server")
    conf = spark_conf(settings)
    # HiveServer2 closes each session through an in-memory Derby metastore of its own, which a
    # derby.system.home set for the JVM breaks (every close retried for ~25 s): Derby's home stays
    # the working folder, and the metastore is named by its full path, where the session target has it
    conf.pop("spark.driver.extraJavaOptions", None)
    metastore = settings.warehouse_dir / "spark" / "metastore"
    conf["javax.jdo.option.ConnectionURL"] = f"jdbc:derby:;databaseName={metastore};create=true"
    for key, value in conf.items():
        builder = builder.config(key, value)
    builder = (
        builder.config("spark.sql.hive.thriftServer.singleSession", "true")
        .config("hive.server2.thrift.bind.host", host)
        .config("hive.server2.thrift.port", str(port))
        .config("hive.server2.transport.mode", "binary")
    )
    spark = builder.enableHiveSupport().getOrCreate()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server = spark._jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
    server.startWithContext(spark._jsparkSession.sqlContext())
    ready(
        f"Spark Thrift server on {host}:{port} (master {spark.sparkContext.master}), warehouse "
        f"{settings.warehouse_dir}: run with CX360_ENGINE=spark CX360_SPARK_THRIFT={host}:{port}"
    )
    stop.wait()
    spark.stop()
