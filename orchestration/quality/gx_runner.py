"""Run a Great Expectations suite file on a pandas DataFrame, and render its Data Docs.

GX 1.x has no DuckDB data source and `dagster-ge` targets GX 0.x, so our asset checks read the rows
themselves and hand them over here. One in-memory (ephemeral) GX context serves the whole process:
creating one per validation would cost more than the validation. Nothing is written anywhere but the
Data Docs folder the caller names: its HTML pages, plus the suites and validation results they are
rendered from, kept as JSON under `<docs>/.store/` so the index lists earlier runs too.

The frame may be a sample of a larger table (sampling.py): the caller then passes the table's row
count and the results of the expectations it evaluated on every row itself (uniqueness, row count),
which join GX's results, in GX's form, in the statistics, the failures and the Data Docs.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.expectations.row_conditions import ComparisonCondition
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView

from orchestration.quality import offline_docs

SAMPLES = 5
# SUMMARY keeps the counts and a partial list of unexpected values with their row index
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
# Data Docs keep the newest validations of each suite (Dagster keeps every check result): GX
# re-reads every kept result to render the index, so an unbounded history would slow each run down
DOCS_RESULTS_PER_SUITE = 5
# columns that tell a reader where a failing row came from, when the frame has them (rawzone.py)
LINEAGE = ("_batch_id", "_file_name", "_row_number")
# the expectation arguments worth repeating next to a failure
RULE_KWARGS = (
    "value_set",
    "min_value",
    "max_value",
    "strict_min",
    "strict_max",
    "regex",
    "or_equal",
    "mostly",
    "column_set",
    "exact_match",
)


@dataclass
class GxOutcome:
    suite_name: str
    success: bool
    failed: list[dict] = field(default_factory=list)
    # evaluated / successful / unsuccessful expectations, success_percent, rows, seconds
    statistics: dict = field(default_factory=dict)
    docs_index: Path | None = None
    docs_page: str | None = None  # URL of this validation's Data Docs page
    note: str | None = None  # what a sample was validated on, when df was one


class _SharedEnvironment:
    """GX's Jinja views with one Jinja environment per view class and process.

    GX builds a new view, and so a new environment that compiles every template again, for each
    Data Docs build: ~0.2 s a build. Sharing the environment compiles them once per process. The
    views are plugged in through the site's `view` settings, GX's own hook for custom views.
    """

    _environments: dict = {}

    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        key = (type(self), custom_styles_directory, custom_views_directory)
        if key in self._environments:
            self.custom_styles_directory = custom_styles_directory
            self.custom_views_directory = custom_views_directory
            self.env = self._environments[key]
        else:
            super().__init__(custom_styles_directory, custom_views_directory)
            self._environments[key] = self.env


class SharedEnvironmentPageView(_SharedEnvironment, DefaultJinjaPageView):
    pass


class SharedEnvironmentIndexPageView(_SharedEnvironment, DefaultJinjaIndexPageView):
    pass


def _view(cls: type) -> dict:
    return {"module_name": __name__, "class_name": cls.__name__}


@dataclass(frozen=True)
class _Site:
    name: str
    suites_store: str
    results_store: str


class _Workspace:
    """The process's GX context, its DataFrame assets, loaded suites and Data Docs sites."""

    def __init__(self) -> None:
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
        )
        self.context = gx.get_context(mode="ephemeral", project_config=config)
        self.frames = self.context.data_sources.add_pandas("cx360_frames")
        self._batch_definitions: dict[str, Any] = {}
        self._suites: dict[Path, tuple[tuple[int, int], dict, gx.ExpectationSuite]] = {}
        self._sites: dict[Path, _Site] = {}
        self._published_suites: set[tuple[str, str]] = set()  # (site, suite JSON digest) rendered

    def batch_definition(self, asset_name: str):
        if asset_name not in self._batch_definitions:
            asset = self.frames.add_dataframe_asset(asset_name)
            self._batch_definitions[asset_name] = asset.add_batch_definition_whole_dataframe("whole_frame")
        return self._batch_definitions[asset_name]

    def suite(self, path: Path) -> tuple[dict, gx.ExpectationSuite]:
        """The suite file, parsed once per version of the file."""
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        cached = self._suites.get(path)
        if cached is None or cached[0] != version:
            raw = json.loads(path.read_text(encoding="utf-8"))
            suite = _suite_from(raw, path)
            cached = self._suites[path] = (version, raw, suite)
        return cached[1], cached[2]

    def site(self, docs_dir: Path) -> _Site:
        """A Data Docs site at docs_dir, rendered from suites and results kept beside it."""
        if docs_dir not in self._sites:
            tag = hashlib.sha1(str(docs_dir).encode()).hexdigest()[:12]
            site = _Site(f"cx360_docs_{tag}", f"cx360_suites_{tag}", f"cx360_results_{tag}")
            for store, class_name, folder in (
                (site.suites_store, "ExpectationsStore", "expectations"),
                (site.results_store, "ValidationResultsStore", "validations"),
            ):
                self.context.add_store(
                    store,
                    {
                        "class_name": class_name,
                        "store_backend": {
                            "class_name": "TupleFilesystemStoreBackend",
                            "base_directory": str(docs_dir / ".store" / folder),
                        },
                    },
                )
            self.context.add_data_docs_site(
                site.name,
                {
                    "class_name": "SiteBuilder",
                    "show_how_to_buttons": False,
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs_dir),
                    },
                    "site_index_builder": {
                        "class_name": "DefaultSiteIndexBuilder",
                        "view": _view(SharedEnvironmentIndexPageView),
                    },
                    "site_section_builders": {
                        "expectations": {
                            "source_store_name": site.suites_store,
                            "view": _view(SharedEnvironmentPageView),
                        },
                        "validations": {
                            "source_store_name": site.results_store,
                            "view": _view(SharedEnvironmentPageView),
                        },
                        "profiling": "None",
                    },
                },
            )
            self._sites[docs_dir] = site
        return self._sites[docs_dir]

    def publish(
        self, docs_dir: Path, raw_suite: dict, result, batch_id: str, run_id: RunIdentifier, build_index: bool
    ) -> str | None:
        """Store the suite and the result for docs_dir's site and render their pages and the index."""
        site = self.site(docs_dir)
        suite_id = ExpectationSuiteIdentifier(name=raw_suite["name"])
        result_id = ValidationResultIdentifier(
            expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch_id
        )
        results = self.context.stores[site.results_store]
        results.set(result_id, result)
        # forget the oldest results of this suite; the index build then removes their pages
        kept = sorted(
            (k for k in results.list_keys() if k.expectation_suite_identifier.name == suite_id.name),
            key=lambda k: k.run_id.run_time,
        )
        for old in kept[:-DOCS_RESULTS_PER_SUITE]:
            results.remove_key(old.to_tuple())
        to_render = [result_id]
        # the suite's page only when this version of it is new to the site: rendering costs ~0.1 s
        digest = hashlib.sha1(json.dumps(raw_suite, sort_keys=True).encode()).hexdigest()
        if (site.name, digest) not in self._published_suites:
            # a fresh copy: the store stamps ids onto what it is given
            self.context.stores[site.suites_store].set(suite_id, gx.ExpectationSuite(**raw_suite))
            to_render.append(suite_id)
        self.context.build_data_docs(site_names=[site.name], resource_identifiers=to_render, build_index=build_index)
        offline_docs.make_offline(docs_dir)
        self._published_suites.add((site.name, digest))
        urls = self.context.get_docs_sites_urls(resource_identifier=result_id, site_name=site.name)
        return urls[0]["site_url"] if urls else None


def _suite_from(raw: dict, path: Path) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(**raw)
    # ExpectationSuite logs and drops an expectation it cannot parse: a gate must not shrink silently
    if len(suite.expectations) != len(raw.get("expectations", [])):
        raise ValueError(f"{path}: some expectations are not valid in Great Expectations {gx.__version__}")
    return suite


@functools.cache
def _workspace() -> _Workspace:
    return _Workspace()


_LOCK = threading.Lock()  # the context and its stores are shared by every caller in the process


def validate(
    df: pd.DataFrame,
    suite_path: Path,
    docs_dir: Path | None = None,
    *,
    run_name: str | None = None,
    build_index: bool = True,
    total_rows: int | None = None,
    on_all_rows: dict[int, dict] | None = None,
    note: str | None = None,
) -> GxOutcome:
    """Validate df against the suite file; render Data Docs into docs_dir when given.

    run_name labels the run in the Data Docs index (the Dagster run id, say). build_index=False
    renders only this validation's page: for all but the last of several validations in a row, as
    the index costs a few tenths of a second.

    When df is a sample: total_rows is the table's row count, on_all_rows the results the caller
    evaluated on every row ({position in the suite: {success, result, judged}}, sampling.py), which GX
    then leaves out, and note says so (`validated 100,000 of ... rows`).
    """
    started = time.perf_counter()
    suite_path = Path(suite_path)
    on_all_rows = on_all_rows or {}
    with _LOCK:
        ws = _workspace()
        raw_suite, suite = ws.suite(suite_path)
        applied = _applicable(raw_suite, suite, set(on_all_rows))
        batch = ws.batch_definition(suite.name).get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(applied, result_format=RESULT_FORMAT)
        if on_all_rows:
            _join(result, raw_suite, on_all_rows)
        run_id = RunIdentifier(run_name=run_name or "adhoc", run_time=dt.datetime.now(dt.UTC))
        result.meta["run_id"] = run_id
        result.meta["validation_time"] = run_id.run_time
        if note:
            result.meta["sample"] = note
            if isinstance(result.meta.get("batch_markers"), dict):  # the Data Docs page shows these
                result.meta["batch_markers"]["cx360_sample"] = note
        docs_page = ws.publish(Path(docs_dir), raw_suite, result, batch.id, run_id, build_index) if docs_dir else None

    id_columns = list(raw_suite.get("meta", {}).get("cx360", {}).get("key", []))
    failed = [_failure(r, df, id_columns) for r in result.results if not r.success]
    return GxOutcome(
        suite_name=suite.name,
        success=not failed,
        failed=failed,
        statistics={
            **{k: _plain(v) for k, v in result.statistics.items()},
            "rows": len(df),
            "rows_total": len(df) if total_rows is None else total_rows,
            "seconds": round(time.perf_counter() - started, 3),
        },
        note=note,
        docs_index=Path(docs_dir) / "index.html" if docs_dir else None,
        docs_page=docs_page,
    )


# applicability ---------------------------------------------------------------------------------


def _applicable(raw_suite: dict, suite: gx.ExpectationSuite, judged_elsewhere: set[int]) -> gx.ExpectationSuite:
    """The suite without the expectations judged elsewhere (on every row, by the caller)."""
    if not judged_elsewhere:
        return suite
    keep = [raw for i, raw in enumerate(raw_suite["expectations"]) if i not in judged_elsewhere]
    return gx.ExpectationSuite(name=suite.name, expectations=keep, meta=raw_suite.get("meta"))


def _join(result, raw_suite: dict, on_all_rows: dict[int, dict]) -> None:
    """Put the results evaluated on every row, in GX's form, before GX's own and count them in."""
    joined = []
    for i, done in sorted(on_all_rows.items()):
        raw = raw_suite["expectations"][i]
        meta = {**(raw.get("meta") or {}), "judged_on": f"all rows, in DuckDB: {done['judged']}"}
        config = ExpectationConfiguration(type=raw["type"], kwargs=raw["kwargs"], meta=meta)
        joined.append(
            ExpectationValidationResult(
                success=done["success"],
                expectation_config=config,
                result=_plain(done["result"]),  # DuckDB's values, JSON-safe for the store
                exception_info=done.get("exception_info")
                or {"raised_exception": False, "exception_message": None, "exception_traceback": None},
            )
        )
    result.results = [*joined, *result.results]
    evaluated = len(result.results)
    successful = sum(bool(r.success) for r in result.results)
    result.success = successful == evaluated
    result.statistics.update(
        evaluated_expectations=evaluated,
        successful_expectations=successful,
        unsuccessful_expectations=evaluated - successful,
        success_percent=100.0 * successful / evaluated if evaluated else None,
    )


# reporting -------------------------------------------------------------------------------------


def _columns_of(kwargs: dict) -> list[str]:
    if kwargs.get("column"):
        return [kwargs["column"]]
    if kwargs.get("column_list"):
        return list(kwargs["column_list"])
    return [kwargs[k] for k in ("column_A", "column_B") if kwargs.get(k)]


def _failure(r, df: pd.DataFrame, id_columns: list[str]) -> dict:
    """One failed expectation in words and samples: what, where, how many, which values and rows."""
    config = r.expectation_config
    kwargs = config.kwargs
    res = r.result or {}
    columns = _columns_of(kwargs)
    condition = kwargs.get("row_condition")
    out: dict[str, Any] = {
        "expectation": config.type,
        "column": ", ".join(columns) or None,
        "condition": repr(condition) if condition else None,
        "rule": {k: _plain(kwargs[k]) for k in RULE_KWARGS if kwargs.get(k) is not None} or None,
        "observed_value": _plain(res.get("observed_value")),
        "details": _plain(res.get("details")),
        "element_count": res.get("element_count"),
        "unexpected_count": res.get("unexpected_count"),
        "unexpected_percent": _plain(round(res["unexpected_percent"], 2))
        if res.get("unexpected_percent") is not None
        else None,
        "sample_values": _sample_values(res.get("partial_unexpected_list")),
        "sample_rows": _sample_rows(df, res.get("partial_unexpected_index_list"), id_columns, columns, condition),
        "why": (config.meta or {}).get("why"),
    }
    info = r.exception_info or {}
    if info.get("raised_exception"):
        out["error"] = str(info.get("exception_message"))[:500]
    return {k: v for k, v in out.items() if v is not None}


def _sample_values(values) -> list | None:
    """Up to SAMPLES distinct unexpected values; none for a not-null expectation (all would be null)."""
    shown: dict[str, Any] = {}
    for v in map(_plain, values or []):
        if v is not None:
            shown.setdefault(json.dumps(v, sort_keys=True, default=str), v)
    return list(shown.values())[:SAMPLES] or None


def _sample_rows(df, index_list, id_columns, columns, condition) -> list[dict] | None:
    if not index_list:
        return None
    wanted = [*id_columns, *columns, *LINEAGE]
    if isinstance(condition, ComparisonCondition):
        wanted.append(condition.column.name)
    shown = [c for c in dict.fromkeys(wanted) if c in df.columns]
    labels = [i for i in index_list[:SAMPLES] if not isinstance(i, dict) and i in df.index]
    if not labels:
        # compound expectations may report each row as {column: value}
        return [{k: _plain(v) for k, v in i.items()} for i in index_list[:SAMPLES] if isinstance(i, dict)] or None
    return [{c: _plain(v) for c, v in row.items()} for row in df.loc[labels, shown].to_dict("records")]


def _plain(value: Any) -> Any:
    """A JSON-safe, shortened copy: nulls as None, numpy scalars as numbers, times as ISO text."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= 80 else value[:77] + "..."
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return _plain(str(value))
