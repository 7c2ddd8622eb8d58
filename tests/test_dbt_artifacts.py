"""dbt's artifacts in a warehouse's target folder after a run (orchestration/dbt_artifacts.py: the
manifest is written once per `dbt build`, when it ends)."""

from __future__ import annotations

import json


def test_a_run_leaves_the_manifest_of_its_last_build_with_the_sql_it_ran(demo_full):
    settings, _ = demo_full
    manifest = json.loads((settings.dbt_target_dir / "manifest.json").read_text())
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text())
    assert manifest["metadata"]["invocation_id"] == results["metadata"]["invocation_id"]
    trust = manifest["nodes"]["model.cx360.mart_data_trust"]  # the run's last build: the data-trust mart
    assert "from" in trust["compiled_code"].lower()
    assert "model.cx360.mart_data_trust" in manifest["child_map"]["source.cx360.ops.check_results"]
