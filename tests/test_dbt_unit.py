"""dbt's own unit tests (given/expect rows for the identity, journey and metric rules), run once.

Production builds skip them (they prove the SQL, not the data); here they run in the shared dbt test
run of tests/dbt_tests.py, on a copy of a built working database (dbt reads the column types of a
model's inputs from it).
"""

from __future__ import annotations

import json
from pathlib import Path


def test_dbt_unit_tests_pass(dbt_tests):
    results = json.loads((Path(dbt_tests["target"]) / "run_results.json").read_text())["results"]
    units = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(units) == 30, dbt_tests["stdout"]
    assert {uid: status for uid, status in units.items() if status != "pass"} == {}
