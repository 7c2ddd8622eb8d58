"""The code location: built from passed settings, with no side effect, and readable in the Dagster UI."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from orchestration.location import build_definitions
from orchestration.settings import PROJECT_ROOT
from tests.pipeline import settings_for


def test_loading_the_code_location_changes_no_environment_and_writes_no_file(tmp_path):
    """What `dagster dev` does: import orchestration.definitions, in a process of its own."""
    probe = (
        "import os, json; before = dict(os.environ); import orchestration.definitions as d; "
        "print(json.dumps([k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k)]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CX360_", "DAGSTER_"))}
    env |= {"CX360_WAREHOUSE_DIR": str(tmp_path / "warehouse"), "CX360_LANDING_DIR": str(tmp_path / "landing")}
    before = _project_files()
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"  # no variable set or changed
    assert not (tmp_path / "warehouse").exists()
    assert _project_files() == before  # nothing written, the dbt manifest not even touched


def _project_files() -> dict[str, int]:
    """Every file of the project but caches, with its modification time."""
    out = {}
    for folder in ("dbt_project", "orchestration", "expectations"):
        for path in (PROJECT_ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                out[str(path)] = path.stat().st_mtime_ns
    return out | {str(p): p.stat().st_mtime_ns for p in PROJECT_ROOT.iterdir() if p.is_file()}


def test_every_asset_is_told_apart_and_every_check_says_what_it_checks(tmp_path):
    defs = build_definitions(settings_for(tmp_path / "landing", tmp_path / "warehouse"))
    graph = defs.resolve_asset_graph()
    labels = [key.path[-1] for key in graph.get_all_asset_keys()]
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)
    assert {"crm__customers", "sales__customers"} <= set(labels)
    for key in graph.get_all_asset_keys():
        description = graph.get(key).description or ""
        # Markdown would eat a bare <warehouse>: paths are written as code
        assert "<warehouse>" not in description.replace("`<warehouse>", ""), key
    undescribed = [
        check.to_user_string()
        for assets_def in graph.assets_defs
        for check in assets_def.check_keys
        if not assets_def.get_spec_for_check_key(check).description
    ]
    assert not undescribed, undescribed[:5]
    assert isinstance(defs.resources["warehouse"], dg.ConfigurableResource)


def test_the_journey_scope_reads_the_previous_build_and_the_lineage_has_no_cycle(tmp_path):
    """int_journey_scope reads the journey and its watermark as the last build left them: declared
    upstream assets of their own, not the models it feeds (which would close a cycle)."""
    graph = build_definitions(settings_for(tmp_path / "landing", tmp_path / "warehouse")).resolve_asset_graph()
    scope = dg.AssetKey(["intermediate", "int_journey_scope"])
    previous = {
        dg.AssetKey(["previous_build", "previous_fct_customer_journey"]),
        dg.AssetKey(["previous_build", "previous_int_journey_watermark"]),
    }
    assert previous <= graph.get(scope).parent_keys
    assert dg.AssetKey(["intermediate", "int_identity__assignments"]) in graph.get(scope).parent_keys
    assert not any(graph.get(key).is_materializable for key in previous)
    journey = dg.AssetKey(["marts", "fct_customer_journey"])
    assert scope in graph.get(journey).parent_keys
    assert journey in graph.get(dg.AssetKey(["intermediate", "int_journey_watermark"])).parent_keys
    assert len(graph.toposorted_asset_keys) == len(graph.get_all_asset_keys())  # a cycle raises here


def test_the_models_say_which_engine_builds_them(tmp_path):
    """The UI's kind tags: the models on DuckDB or on Spark as the settings say; the raw zone (Parquet,
    its load records in DuckDB) the same on either engine."""

    def kinds(engine: str) -> dict[str, set[str]]:
        settings = settings_for(tmp_path / "landing", tmp_path / "warehouse", engine=engine)
        graph = build_definitions(settings).resolve_asset_graph()
        return {key.path[-1]: graph.get(key).kinds for key in graph.get_all_asset_keys()}

    on_duckdb, on_spark = kinds("duckdb"), kinds("spark")
    for model in ("fct_customer_journey", "mart_data_trust", "stg_crm__customers"):
        assert on_duckdb[model] == {"dbt", "duckdb"} and on_spark[model] == {"dbt", "spark"}, model
    assert on_duckdb["crm__customers"] == on_spark["crm__customers"] == {"duckdb", "parquet"}
