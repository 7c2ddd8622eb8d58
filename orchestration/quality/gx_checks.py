"""Blocking Dagster asset checks that run the Great Expectations suites of `expectations/`.

`raw_batch_checks()` gives each ingest asset a check `gx_raw_suite`: every batch the asset loaded in
this run (ops.load_batches: this run_id, status loaded) is read back from its raw-zone Parquet file,
and the run's batches are validated together, in one GX validation (each costs ~0.5 s whatever its
size), against `expectations/raw/<source>__<entity>.json`, with keys judged unique within each batch.
The rules of the published marts are dbt tests in the marts' YAML, run when the models are built.

The batches are read with DuckDB, only the columns the suite uses (sampling.py): whole up to
`sampling.SAMPLE_ROWS` rows; above, GX validates a deterministic sample of that many rows and the
expectations a sample would get wrong (unique keys, row counts) are evaluated on all rows in DuckDB
SQL. The check's description and metadata say when a sample was validated.

A failed check blocks what depends on the asset; its metadata names the failed expectations with
sample values and rows (file and row number), and the Data Docs at `<warehouse>/docs/gx/index.html`
show the full results. The batches are read by an in-memory DuckDB held to the run's memory limit;
past the sample size only the sample is held in memory. Great Expectations is imported on first
use, so loading the definitions stays fast.

No `from __future__ import annotations` here: Dagster reads the check functions' annotations (the
context type, the resources) as objects, and rejects them as strings.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.assets.ingest import ingest_asset_key
from orchestration.contracts import ENTITIES, Entity
from orchestration.quality import gx_docs_dir, raw_suite_path, sampling
from orchestration.rawzone import entity_dir
from orchestration.resources import WarehouseResource
from orchestration.settings import EXPECTATIONS_DIR, PROJECT_ROOT, Settings
from orchestration.sql import literal
from orchestration.warehouse import connect, in_memory, table_exists

if TYPE_CHECKING:
    from orchestration.quality.gx_runner import GxOutcome

RAW_CHECK = "gx_raw_suite"
SHOWN_FAILURES = 20  # failed expectations kept in a check's metadata (the Data Docs hold them all)
BATCH_STATISTICS = ("rows", "rows_total", "evaluated_expectations", "unsuccessful_expectations", "seconds")


def raw_batch_checks(
    entities: tuple[Entity, ...] = ENTITIES, expectations_dir: Path = EXPECTATIONS_DIR
) -> list[dg.AssetChecksDefinition]:
    """One blocking `gx_raw_suite` check per ingest asset."""
    return [_raw_check(e, raw_suite_path(e, expectations_dir)) for e in entities]


# reading ---------------------------------------------------------------------------------------


def run_batches(settings: Settings, entity: Entity, run_id: str) -> list[tuple[str, str, Path | None]]:
    """(batch_id, file_name, raw-zone file) of each batch of entity this run loaded; file None: missing."""
    if not settings.duckdb_path.exists():
        return []
    with connect(settings, read_only=True) as con:
        if not table_exists(con, "ops", "load_batches"):
            return []
        batches = con.execute(
            "select batch_id, file_name from ops.load_batches where run_id = ? and source = ? and entity = ? "
            "and status = 'loaded' order by batch_seq",
            [run_id, entity.source, entity.name],
        ).fetchall()
    out = []
    for batch_id, file_name in batches:
        path = entity_dir(settings.raw_dir, entity) / f"{batch_id}.parquet"
        out.append((batch_id, file_name, path if path.exists() else None))
    return out


def read_batch(path: Path, raw_suite: dict, settings: Settings) -> sampling.Rows:
    """The rows of one raw-zone file to validate raw_suite on (sampling.read)."""
    return read_batches([path], raw_suite, settings)


def read_batches(paths: list[Path], raw_suite: dict, settings: Settings) -> sampling.Rows:
    """The rows of raw-zone files (batches) to validate raw_suite on, keys judged within each batch
    (sampling.read), by an in-memory DuckDB held to the run's memory limit: unbounded, the events'
    check at 3M customers (46M rows sampled, their keys grouped) took the run's process to 5.8 GiB,
    the whole run's peak, within 1% of the 6 GiB target."""
    con = in_memory(settings)
    try:
        con.execute("set TimeZone = 'UTC'")  # as the working database is read (warehouse.connect)
        files = "[" + ", ".join(literal(str(p)) for p in paths) + "]"
        return sampling.read(con, f"read_parquet({files}, union_by_name = true)", raw_suite, per_batch=True)
    finally:
        con.close()


# the check -------------------------------------------------------------------------------------


def _raw_check(entity: Entity, suite_path: Path) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=ingest_asset_key(entity),
        name=RAW_CHECK,
        blocking=True,
        pool="duckdb",
        description=(
            f"Every batch of {entity.qualified} loaded in this run meets the Great Expectations suite "
            f"{_shown_path(suite_path)} (the contract's rules; how full its columns are is judged by no_sharp_drop)."
        ),
        metadata={"suite": _shown_path(suite_path)},
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings()
        batches = run_batches(settings, entity, context.run.run_id)
        if not batches:
            return dg.AssetCheckResult(
                passed=True,
                metadata={
                    "batches_validated": 0,
                    "note": f"no batch of {entity.qualified} was loaded in this run",
                },
            )
        missing = [f"{file_name} (batch {batch_id})" for batch_id, file_name, path in batches if path is None]
        if missing:
            return dg.AssetCheckResult(
                passed=False,
                description=f"raw-zone file missing for {', '.join(missing)}: the load record has no data",
                metadata={"missing_batches": missing},
            )
        raw_suite = _load(suite_path)
        # the run's batches in one validation (GX costs ~0.5 s a validation whatever its size), keys
        # judged within each batch; above sampling.SAMPLE_ROWS rows, on a sample, so memory stays bounded
        names = [f"{file_name} (batch {batch_id})" for batch_id, file_name, _ in batches]
        label = names[0] if len(names) == 1 else f"{len(names)} batches: {', '.join(names)}"
        rows = read_batches([path for _, _, path in batches], raw_suite, settings)
        if rows.refused:
            return _refused(label, rows, suite_path)
        outcome = _validate(rows, suite_path, gx_docs_dir(settings), context.run.run_id)
        context.log.info(
            f"{entity.qualified}: {len(batches)} batch(es) validated against {suite_path.name} in "
            f"{outcome.statistics['seconds']:.2f}s, {'passed' if outcome.success else 'failed'}"
        )
        return _check_result([(label, outcome)], suite_path, batches=len(batches))

    return _check


def _load(suite_path: Path) -> dict:
    return json.loads(Path(suite_path).read_text(encoding="utf-8"))


def _validate(rows: sampling.Rows, suite_path: Path, docs_dir: Path, run_name: str, build_index: bool = True):
    from orchestration.quality import gx_runner

    return gx_runner.validate(
        rows.frame,
        suite_path,
        docs_dir,
        run_name=run_name,
        build_index=build_index,
        total_rows=rows.total,
        on_all_rows=rows.on_all_rows,
        note=rows.note(),
    )


def _refused(label: str, rows: sampling.Rows, suite_path: Path) -> dg.AssetCheckResult:
    """A failed result: the suite holds expectations that a sample cannot judge and SQL does not evaluate."""
    return dg.AssetCheckResult(
        passed=False,
        description=(
            f"{label} has {rows.total:,} rows, more than the {len(rows.frame):,} validated as a sample, and "
            f"{_shown_path(suite_path)} holds expectations a sample cannot judge: {', '.join(rows.refused)}. "
            "Evaluate them on all rows in orchestration/quality/sampling.py (ON_ALL_ROWS), or classify them "
            "there as judged row by row (ON_SAMPLE)."
        ),
        metadata={"suite": _shown_path(suite_path), "not_judged_on_a_sample": rows.refused, "rows_total": rows.total},
    )


def _check_result(
    outcomes: "list[tuple[str, GxOutcome]]", suite_path: Path, batches: int | None = None
) -> dg.AssetCheckResult:
    """One check result for one or more validations (labelled) of `batches` batches against a suite."""
    failed = [{"batch": _failing_batches(f) or label, **f} for label, o in outcomes for f in o.failed]
    docs = next((o.docs_index for _, o in outcomes if o.docs_index), None)
    sample = _sampling_note(outcomes)
    metadata: dict = {
        "suite": _shown_path(suite_path),
        "batches_validated": len(outcomes) if batches is None else batches,
        "rows_validated": sum(o.statistics["rows"] for _, o in outcomes),
        "rows_total": sum(o.statistics.get("rows_total", o.statistics["rows"]) for _, o in outcomes),
        "expectations_failed": len(failed),
        "batches": dg.MetadataValue.json(
            [
                {
                    "batch": label,
                    "success": o.success,
                    **{k: o.statistics.get(k) for k in BATCH_STATISTICS},
                    **({"sample": o.note} if o.note else {}),
                }
                for label, o in outcomes
            ]
        ),
    }
    if sample:
        metadata["sampling"] = sample
    if failed:
        metadata["failed_expectations"] = dg.MetadataValue.json(failed[:SHOWN_FAILURES])
        metadata["summary"] = dg.MetadataValue.md(failures_markdown(failed[:SHOWN_FAILURES]))
        pages = [o.docs_page for _, o in outcomes if not o.success and o.docs_page]
        if pages:
            metadata["data_docs_failed_page"] = dg.MetadataValue.url(pages[0])
    if docs:
        metadata["data_docs"] = dg.MetadataValue.path(str(docs))
    description = _describe(failed, outcomes) if failed else None
    if sample:
        description = f"{description} ({sample})" if description else sample[:1].upper() + sample[1:]
    return dg.AssetCheckResult(passed=not failed, description=description, metadata=metadata)


def _failing_batches(failure: dict) -> str | None:
    """The files of a failure's sample rows (raw batches carry their lineage): which batch failed."""
    files = sorted({str(r["_file_name"]) for r in failure.get("sample_rows", []) if r.get("_file_name")})
    return ", ".join(files) or None


def _sampling_note(outcomes) -> str | None:
    """What was validated on a sample and what on all rows; None when every row was validated."""
    sampled = [(label, o.note) for label, o in outcomes if o.note]
    if not sampled:
        return None
    if len(outcomes) == 1:
        return sampled[0][1]
    return f"{len(sampled)} of {len(outcomes)} batches sampled: " + "; ".join(f"{lb}: {n}" for lb, n in sampled)


def _describe(failed: list[dict], outcomes) -> str:
    batches = len({f["batch"] for f in failed})
    head = "; ".join(
        f"{f['batch']}: {f['expectation']}({f.get('column', '')})"
        + (f" {f['unexpected_count']} row(s)" if f.get("unexpected_count") else "")
        + (f", e.g. {', '.join(map(repr, f['sample_values'][:3]))}" if f.get("sample_values") else "")
        for f in failed[:3]
    )
    more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
    return f"{len(failed)} expectation(s) failed in {batches} of {len(outcomes)} batch(es): {head}{more}"


def failures_markdown(failed: list[dict]) -> str:
    """The failures as a Markdown table for the Dagster UI."""
    lines = [
        "| batch | expectation | column | unexpected | sample values | first failing rows |",
        "|---|---|---|---|---|---|",
    ]
    for f in failed:
        count = f.get("unexpected_count")
        unexpected = (
            f"{count} ({f.get('unexpected_percent')}%)"
            if count is not None
            else str(f.get("observed_value", f.get("error", "")))
        )
        rows = "<br>".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in f.get("sample_rows", [])[:3])
        cells = [
            f.get("batch", ""),
            f["expectation"] + (f" where {f['condition']}" if f.get("condition") else ""),
            f.get("column", ""),
            unexpected,
            ", ".join(repr(v) for v in f.get("sample_values", [])),
            rows,
        ]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines)


def _shown_path(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)
