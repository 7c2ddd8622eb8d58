"""The dbt project's parsed manifest: prepared explicitly, read by the code location.

Loading the Dagster definitions needs the manifest (every model an asset, every test a check) but
must not parse: `prepare()` parses when a project file changed since the last parse (or dbt was
upgraded), and is called by whatever is about to load the definitions (`cx360 run`, `cx360 ui`,
the test session). Parsing opens no database: profiles.yml's defaults serve.
"""

from __future__ import annotations

import json
import sys
from functools import cached_property, lru_cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from orchestration.settings import DBT_PROJECT_DIR, Settings

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path="target")
# the dbt installed beside this Python (whatever is first on PATH), started so that it dies with
# the run that started it (dbt_child.py)
DBT_EXECUTABLE = str(Path(sys.executable).with_name("cx360-dbt"))
_PROJECT_FOLDERS = ("models", "macros", "seeds", "tests")


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two fixed costs of each invocation it adds in this process:
    it is told the dbt version instead of asking `dbt --version` in a subprocess (~2 s a run; the dbt
    it runs is DBT_EXECUTABLE, installed with this Python's dbt-core), and it opens no dbt adapter
    here. dagster-dbt opens one only for `fetch_row_counts()` and `fetch_column_metadata()`, which
    cx360 does not call, and opening it renders all the project's macros: 3-5 s per invocation, two
    invocations a run."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCli:
    return DbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


def is_current() -> bool:
    """The manifest is newer than every file of the project, and written by the dbt installed here."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return False
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in _PROJECT_FOLDERS:
        sources += (p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    built = manifest.stat().st_mtime
    if any(p.stat().st_mtime >= built for p in sources):
        return False
    from dbt.version import __version__ as installed

    with manifest.open("rb") as f:  # the version is in the first few hundred bytes
        head = f.read(1000).decode("utf-8", "replace")
    return f'"dbt_version": "{installed}"' in head


def parsed_vars() -> dict:
    """The vars prepare() parses with: a run's on the default settings, so that runs reuse this parse
    (dagster-dbt seeds a new warehouse's target folder with it; other vars make dbt parse again)."""
    return Settings(landing_dir=Path(), warehouse_dir=Path()).dbt_vars()


def prepare() -> Path:
    """Parse the project unless the manifest on disk is current (~15 s when it parses, else ~0)."""
    if not is_current():
        dbt_resource().cli(
            ["parse", "--quiet", "--vars", json.dumps(parsed_vars())], target_path=dbt_project.manifest_path.parent
        ).wait()
    return dbt_project.manifest_path


def _manifest(manifest_path: Path | None = None) -> dict:
    """The parsed manifest, read once per version of the file: the code location asks six times as it
    loads (assets/serving.py, assets/audit.py) and each dbt step again, ~65 ms a parse of the
    project's 2 MB. The readers below only read it."""
    path = manifest_path or dbt_project.manifest_path
    stat = path.stat()
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _parsed(path: str, _mtime_ns: int, _size: int) -> dict:
    return json.loads(Path(path).read_text())


def published_models(manifest_path: Path | None = None) -> dict[str, list[str]]:
    """Models to publish, from their dbt config `meta: {publish: bi | restricted}`."""
    out: dict[str, list[str]] = {"bi": [], "restricted": []}
    for node in _manifest(manifest_path)["nodes"].values():
        if node["resource_type"] != "model":
            continue
        target = node["config"].get("meta", {}).get("publish")
        for t in [target] if isinstance(target, str) else (target or []):
            out[t].append(node["name"])
    return {k: sorted(v) for k, v in out.items()}


def descriptions(manifest_path: Path | None = None) -> dict[str, tuple[str, dict[str, str]]]:
    """Every model's description and its columns', as written in the YAML (model -> (text, {column: text}))."""
    return {
        node["name"]: (
            " ".join(node.get("description", "").split()),
            {c: " ".join(col.get("description", "").split()) for c, col in node.get("columns", {}).items()},
        )
        for node in _manifest(manifest_path)["nodes"].values()
        if node["resource_type"] == "model"
    }


def incremental_models(manifest_path: Path | None = None) -> dict[str, list[str]]:
    """Incremental models and the columns their YAML documents: a table an earlier cx360 built without
    one of them cannot be updated in place (warehouse.outdated_tables)."""
    return {
        node["name"]: sorted(node.get("columns", {}))
        for node in _manifest(manifest_path)["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"
    }


def built_tables(manifest_path: Path | None = None) -> list[tuple[str, str]]:
    """(schema, name) of every table a build writes: the seeds and the models not built as views."""
    return sorted(
        (node["schema"], node["alias"])
        for node in _manifest(manifest_path)["nodes"].values()
        if node["resource_type"] == "seed"
        or (node["resource_type"] == "model" and node["config"].get("materialized") in ("table", "incremental"))
    )


def published_months(manifest_path: Path | None = None) -> dict[str, str]:
    """Published models cut into one Parquet file per month: model -> column (`meta: {publish_by_month}`)."""
    return {
        node["name"]: node["config"]["meta"]["publish_by_month"]
        for node in _manifest(manifest_path)["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("publish_by_month")
    }


def published_without_files(manifest_path: Path | None = None) -> set[str]:
    """Published models kept in their serving database only, with no Parquet files
    (`meta: {publish_files: false}`)."""
    return {
        node["name"]
        for node in _manifest(manifest_path)["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("publish_files") is False
    }


def published_patches(manifest_path: Path | None = None) -> dict[str, dict[str, str]]:
    """Published models whose serving table is patched by row (`meta: {publish_patch: {key, built,
    group}}`): model -> its unique key, the column stamping the build that wrote a row, and
    optionally a column whose every row a build rewrites together (the journey's customer)."""
    return {
        node["name"]: dict(node["config"]["meta"]["publish_patch"])
        for node in _manifest(manifest_path)["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("publish_patch")
    }


if __name__ == "__main__":  # `make install` parses once, so the first run or test session need not
    print(prepare())
