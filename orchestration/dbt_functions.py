"""cx360's SQL functions written in Python, registered on the connection dbt builds with.

One function today: `cx360_phone_key(phone, region)` (orchestration/phone_keys.py), which
int_phone_numbers_parsed calls. Each engine runs the same Python:
  - DuckDB: dbt-duckdb loads this module as a plugin (profiles.yml, `plugins`) and `Plugin`
    registers the function on each connection it opens; a large batch of numbers parses on every
    core (phone_parsers.py);
  - Spark: `cx360-dbt` calls `register_on_spark_sessions()` before dbt starts (dbt_child.py), so
    every session dbt-spark opens has it, and Spark runs it in its Python workers.
"""

from __future__ import annotations

import os
import sys

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration import phone_parsers
from orchestration.phone_keys import e164

PHONE_KEY = "cx360_phone_key"


def _phone_keys(phones: pa.Array, regions: pa.Array) -> pa.Array:
    pairs = list(zip(phones.to_pylist(), regions.to_pylist(), strict=True))
    return pa.array(phone_parsers.keys(pairs), pa.string())


class Plugin(BasePlugin):
    """dbt-duckdb's plugin hook: called for every DuckDB connection dbt opens."""

    def configure_connection(self, conn) -> None:
        conn.create_function(
            PHONE_KEY, _phone_keys, ["VARCHAR", "VARCHAR"], "VARCHAR", type="arrow", null_handling="special"
        )


def register_on_spark_sessions() -> None:
    """Every SparkSession got from a builder from now on has cx360's functions (dbt-spark's session
    mode asks the builder for its session before each statement). Spark runs them in Python
    workers started with this Python, which has cx360 and `phonenumbers` (else: `python3`)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql.functions import udf
    from pyspark.sql.types import StringType

    original = SparkSession.Builder.getOrCreate
    phone_key = udf(e164, StringType())

    def get_or_create(builder):
        session = original(builder)
        if not getattr(session, "_cx360_functions", False):
            session.udf.register(PHONE_KEY, phone_key)
            session._cx360_functions = True
        return session

    SparkSession.Builder.getOrCreate = get_or_create
