"""A warehouse built by an earlier cx360, whose incremental tables lack a column the models have now:
the next run rebuilds in full instead of failing on the old table, and publishes the same figures."""

from __future__ import annotations

import shutil

import duckdb

from orchestration.dbt_manifest import incremental_models
from orchestration.warehouse import outdated_tables
from tests.conftest import query
from tests.pipeline import build

JOURNEY = "select * from fct_customer_journey order by journey_event_key"


def test_a_table_of_an_earlier_version_is_rebuilt_in_full(no_contact, tmp_path):
    settings, _ = no_contact
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(settings.landing_dir, landing)
    shutil.copytree(settings.warehouse_dir, warehouse, symlinks=True)
    db = warehouse / settings.duckdb_path.relative_to(settings.warehouse_dir)
    con = duckdb.connect(str(db))
    try:
        assert outdated_tables(con, incremental_models()) == {}
        # as the assignments were before they were incremental
        con.execute("alter table intermediate.int_identity__assignments drop column _matched_at")
        assert outdated_tables(con, incremental_models()) == {"int_identity__assignments": ["_matched_at"]}
        records = con.execute("select count(*) from intermediate.int_identity_records_unioned").fetchone()[0]
    finally:
        con.close()
    journey_before = query(settings.marts_db_path, JOURNEY)

    upgraded, outcome = build(landing, warehouse)

    assert outcome.success, outcome.failures
    rows = query(
        upgraded.duckdb_path,
        "select count(*), count(_matched_at), count(distinct _matched_at) from intermediate.int_identity__assignments",
    )
    assert rows == [(records, records, 1)]  # every record assigned again, by this build
    assert query(upgraded.marts_db_path, JOURNEY) == journey_before
