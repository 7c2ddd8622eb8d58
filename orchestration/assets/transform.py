"""Every dbt model and seed is a Dagster asset, and every dbt test an asset check (dagster-dbt).

`dbt build` runs tests right after the model they test, and a failing test stops its downstream
models; the build then fails and the publish step never runs, which is the audit of
write-audit-publish.
"""

import json
import os
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, DUCKDB_FILE_NAME, ENV_DUCKDB_PATH, ENV_MEMORY_LIMIT
from orchestration.warehouse import connect, retry_when_busy

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path="target")

# The profile's connection settings the parse sees: parsing never connects, but dbt's partial parsing
# starts over whenever they change (a parse for another warehouse path would take ~15 s, not ~3 s).
# The file name matters: its stem is the database of every relation name in the manifest.
PARSE_PROFILE_ENV = {
    ENV_DUCKDB_PATH: str(DBT_PROJECT_DIR / "target" / "parse-only" / DUCKDB_FILE_NAME),
    ENV_MEMORY_LIMIT: "4GB",
}


@contextmanager
def _environment(values: Mapping[str, str]):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _manifest_is_current() -> bool:
    """The manifest is newer than every file of the project, and written by the dbt installed here."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return False
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources += (p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    built = manifest.stat().st_mtime
    if any(p.stat().st_mtime >= built for p in sources):
        return False
    from dbt.version import __version__ as installed

    with manifest.open("rb") as f:  # the version is in the first few hundred bytes
        head = f.read(1000).decode("utf-8", "replace")
    return f'"dbt_version": "{installed}"' in head


# parse on load, so the manifest always matches the project on disk: a parse (~15 s through
# dagster-dbt) only when a file changed since the last one
if not _manifest_is_current():
    with _environment(PARSE_PROFILE_ENV):
        dbt_project.preparer.prepare(dbt_project)


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # staging / intermediate / marts, from the model's folder
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "models"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    pool="duckdb",
)
def cx360_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    settings = warehouse.settings()
    settings.export()
    with retry_when_busy(context), connect(settings):
        pass  # dbt would fail on a locked file with a less helpful error: wait for it here instead
    # unit tests prove the SQL, not the data: `make test` runs them once (tests/test_dbt_unit.py)
    args = ["build", "--exclude-resource-type", "unit_test", "--threads", str(settings.dbt_threads)]
    args += ["--vars", json.dumps(settings.dbt_vars())]
    if settings.full_refresh:
        args.append("--full-refresh")  # incremental models rebuilt from the whole raw zone
    # one target folder per warehouse, kept between runs: dbt's partial parsing then reuses the last
    # run's parse (a parse of another warehouse does not count: the profile's path is in its checksum)
    yield from dbt.cli(args, context=context, target_path=settings.dbt_target_dir).stream()


def published_models(manifest_path=None) -> dict[str, list[str]]:
    """Models to publish, from their dbt config `meta: {publish: bi | restricted}`."""
    manifest = json.loads((manifest_path or dbt_project.manifest_path).read_text())
    out: dict[str, list[str]] = {"bi": [], "restricted": []}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        target = node["config"].get("meta", {}).get("publish")
        for t in [target] if isinstance(target, str) else (target or []):
            out[t].append(node["name"])
    return {k: sorted(v) for k, v in out.items()}


def published_months(manifest_path=None) -> dict[str, str]:
    """Published models cut into one Parquet file per month: model -> column (`meta: {publish_by_month}`)."""
    manifest = json.loads((manifest_path or dbt_project.manifest_path).read_text())
    return {
        node["name"]: node["config"]["meta"]["publish_by_month"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("publish_by_month")
    }
