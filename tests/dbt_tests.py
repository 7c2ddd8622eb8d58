"""One `dbt test` run of the real project, shared by the dbt-level tests: its unit tests, and the marts'
rules on deliberately broken marts (tests/test_dbt_unit.py, tests/test_mart_rules.py).

On a copy of a built working database (`no_contact`: dbt reads the column types of a unit-tested
model's inputs from it) whose mart_nps and mart_voice_of_customer are replaced by hand-made tables.
Its journey loses the row of one staged event and holds another's twice, for the reconciliation
test that checks every staged event against the journey, and its experience touchpoint map holds one
row twice, so the view that joins the journey with it fans out. No pipeline build of its own: dbt tests
read the tables their models name, whoever built them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from orchestration.dbt_child import WORKDIR_ENV
from orchestration.dbt_manifest import DBT_EXECUTABLE, parsed_vars
from orchestration.dbt_warm import seed_target
from orchestration.settings import DBT_PROJECT_DIR

# mart_nps: two correct rows, then a rounded ratio, a ratio over zero responses that is not null,
# a month that is not its first day, and an NPS of 140
NPS_ROWS = """
    (date '2026-03-01', 'all', 'all', 4, 2, 1, 1, 25.0),
    (date '2026-03-01', 'consumer', 'high', 3, 2, 1, 0, 100.0 * 2 / 3),
    (date '2026-03-01', 'unknown', 'none', 1, 0, 0, 1, -99.99),
    (date '2026-04-01', 'all', 'all', 0, 0, 0, 0, 0.0),
    (date '2026-04-02', 'smb', 'low', 2, 2, 0, 0, 100.0),
    (date '2026-05-01', 'all', 'all', 1, 1, 0, 0, 140.0)
"""
# mart_voice_of_customer, without its documented column avg_rating: a share of 140% (7 mentions
# of a month with 5 feedback items), a null count, and a correct row
VOICE_ROWS = """
    (date '2026-03-01', 'logistics', 'complaint', 'delivery delay', 7, 5, 140.0, 0, 0),
    (date '2026-03-01', 'product', 'compliment', 'quality', 1, 5, 20.0, null, 4),
    (date '2026-04-01', 'product', 'compliment', 'quality', 2, 2, 100.0, 2, 9)
"""


def run_dbt_tests(folder: Path, built_db: Path) -> dict:
    db = folder / "cx.duckdb"
    shutil.copyfile(built_db, db)
    con = duckdb.connect(str(db))
    try:
        con.execute(
            "create or replace table marts.mart_nps (month date, segment varchar, value_tier varchar, "
            "responses bigint, promoters bigint, passives bigint, detractors bigint, nps double); "
            f"insert into marts.mart_nps values {NPS_ROWS}"
        )
        con.execute(
            "create or replace table marts.mart_voice_of_customer (month date, department varchar, kind varchar, "
            "topic varchar, mentions bigint, month_feedback bigint, share_pct double, rated_mentions bigint, "
            f"rating_sum bigint); insert into marts.mart_voice_of_customer values {VOICE_ROWS}"
        )
        lost, doubled = con.execute(
            "select source_entity, source_id, touchpoint from marts.fct_customer_journey "
            "order by source_entity, source_id, touchpoint limit 2"
        ).fetchall()
        con.execute(
            "delete from marts.fct_customer_journey where (source_entity, source_id, touchpoint) = (?, ?, ?)", lost
        )
        con.execute(
            "insert into marts.fct_customer_journey select * from marts.fct_customer_journey "
            "where (source_entity, source_id, touchpoint) = (?, ?, ?)",
            doubled,
        )
        fanned_out, fanned_rows = con.execute(
            "select touchpoint, count(*) from marts.fct_customer_journey "
            "where touchpoint in (select touchpoint from reference.experience_touchpoint_map "
            "where feedback_department is null) group by 1 order by 2 desc, 1 limit 1"
        ).fetchone()
        con.execute(
            "insert into reference.experience_touchpoint_map select * from reference.experience_touchpoint_map "
            "where touchpoint = ? and feedback_department is null",
            [fanned_out],
        )
        journey_rows = con.execute("select count(*) from marts.fct_customer_journey").fetchone()[0]
    finally:
        con.close()
    target = folder / "target"
    # the project's parse, with the vars it was made with: dbt reads it instead of parsing the
    # project again (~8 s), as a run's first dbt command does in a new warehouse
    seed_target(target, DBT_PROJECT_DIR)
    result = subprocess.run(
        [
            DBT_EXECUTABLE,
            "test",
            "--vars",
            json.dumps(parsed_vars()),
            "--select",
            "test_type:unit mart_nps,test_type:data mart_voice_of_customer,test_type:data "
            "assert_every_staged_event_in_journey_once test_name:one_row_per_row_of",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(folder / "logs"),
        ],
        env=os.environ | {WORKDIR_ENV: str(folder)},  # dbt's database: cx.duckdb in that folder
        capture_output=True,
        text=True,
        timeout=600,
    )
    return {
        "db": str(db),
        "target": str(target),
        "returncode": result.returncode,
        "stdout": result.stdout[-6000:],
        "journey_lost": list(lost),
        "journey_doubled": list(doubled),
        "journey_rows": journey_rows,
        "fanned_out_rows": fanned_rows,
    }
