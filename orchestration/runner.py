"""Running the build job in-process, through the same definitions the Dagster UI shows."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings

SAMPLE_ROWS = 5
SHOWN_ASSETS = 10  # of the assets a run left unmaterialized, named in its failure


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    failures: list[str] = field(default_factory=list)


def dagster_instance(settings: Settings):
    """The warehouse's own Dagster instance: run history under <warehouse>/dagster, the project's
    dagster.yaml for the rest (one run at a time, one DuckDB step at a time), and an event log that
    keeps its connections open (orchestration/event_log.py)."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    from orchestration import event_log

    settings.dagster_dir.mkdir(parents=True, exist_ok=True)
    ref = InstanceRef.from_dir(
        str(settings.dagster_dir), config_dir=str(PROJECT_ROOT), overrides=event_log.overrides(settings.dagster_dir)
    )
    return dg.DagsterInstance.from_ref(ref)


@contextlib.contextmanager
def _sigterm_kept():
    """Give SIGTERM back its handling after an in-process Dagster run. Dagster maps SIGTERM to
    whatever SIGINT does, and where SIGINT is ignored (a background job of a shell, a pytest-xdist
    worker) that left SIGTERM ignored by this process and by every process it starts afterwards."""
    before = signal.getsignal(signal.SIGTERM) if threading.current_thread() is threading.main_thread() else None
    try:
        yield
    finally:
        if before is not None:
            signal.signal(signal.SIGTERM, before)


def run_build(settings: Settings, instance=None) -> RunOutcome:
    """Run the build job in this process with `settings`, on `instance` (default: the warehouse's own)."""
    from orchestration import dbt_manifest, dbt_warm, run_guard

    dbt_manifest.prepare()
    from orchestration.location import BUILD_JOB, build_definitions
    from orchestration.quality.history import record_check_results
    from orchestration.warehouse import connect, held_open

    job = build_definitions(settings).resolve_job_def(BUILD_JOB)
    with (
        run_guard.writer(settings),
        contextlib.nullcontext(instance) if instance else dagster_instance(settings) as instance,
    ):
        run_guard.refuse_if_busy(settings)
        run_guard.recover(settings, instance)
        rehearsal = None
        if settings.engine == "duckdb":  # on Spark `dbt ls` would start a Spark session of its own
            rehearsal = dbt_warm.rehearsal_of(settings.dbt_target_dir, DBT_PROJECT_DIR, settings.dbt_vars())
        # kept for this process's next run (tests, a notebook): a `cx360 run` makes one and ends
        # held open through the ingest and check steps; the dbt step releases it for dbt's process
        with dbt_warm.serving(rehearsal, keep=True), _sigterm_kept(), held_open(settings):
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": {"progress": {}}},
                tags={run_guard.LAUNCHED_BY_TAG: "cli"},
            )
        failures = _describe_failures(result, settings)
        outcome = RunOutcome(result.success and not failures, result.run_id, failures)
        try:
            with connect(settings) as con:
                record_check_results(con, instance, result.run_id)  # failed runs are history too
                con.execute(
                    "insert into ops.runs values (?, now()::timestamp, ?, ?)",
                    [outcome.run_id, outcome.success, outcome.failures],
                )
        except Exception as e:
            if run_guard.environment_problem(e, settings.warehouse_dir) is None:
                raise
            run_guard.note_unrecorded_run(settings, outcome.run_id, "; ".join(outcome.failures) or str(e))
    return outcome


def _describe_failures(result, settings: Settings) -> list[str]:
    """What blocked the run, in words: failed checks with their evidence, then failed steps."""
    out = []
    for ev in result.get_asset_check_evaluations():
        if ev.passed or ev.severity.value != "ERROR":
            continue
        evidence = []
        for key, value in (ev.metadata or {}).items():
            shown = getattr(value, "value", value)
            if shown not in (None, "", [], {}) and not str(key).startswith("dagster_dbt/"):
                evidence.append(f"{key}={str(shown)[:300]}")
        desc = f" — {ev.description}" if ev.description else ""
        samples = _failing_rows(settings, ev.metadata or {})
        out.append(
            f"check {ev.check_name} on {ev.asset_key.to_user_string()} failed{desc}"
            + (f" ({'; '.join(evidence)})" if evidence else "")
            + ("\n      sample failing rows:\n      " + "\n      ".join(samples) if samples else "")
        )
    checks_named = bool(out)
    for ev in result.all_events:
        if ev.event_type_value == "STEP_FAILURE":
            # a step stopped by a blocking check of its own asset: that check is named above, with
            # its evidence; Dagster's own line for it would only repeat it under a class name
            cause = _innermost(ev.step_failure_data.error)
            if checks_named and cause is not None and cause.cls_name == "DagsterAssetCheckFailedError":
                continue
            out.append(f"step {ev.step_key} failed: {_root_cause(ev.step_failure_data.error)}")
    # a step whose inputs were never materialized is skipped, and the run still counts as a success
    # in Dagster: the publish among them must not read as published. What the job was to
    # materialize is its selection (the planned events go to the instance, not to the result)
    planned = result.job_def.asset_layer.selected_asset_keys
    missing = planned - {ev.asset_key for ev in result.get_asset_materialization_events()}
    for ev in result.all_events:
        if ev.event_type_value == "STEP_SKIPPED":
            names = sorted(k.to_user_string() for k in missing)
            more = f" and {len(names) - SHOWN_ASSETS} more" if len(names) > SHOWN_ASSETS else ""
            lacking = ", ".join(names[:SHOWN_ASSETS]) + more
            out.append(f"step {ev.step_key} did not run: assets planned but not materialized: {lacking}")
            break
    return out


def _failing_rows(settings: Settings, metadata) -> list[str]:
    """Sample rows of a failed dbt test, as `column=value, ...` lines."""
    unique_id = getattr(metadata.get("unique_id"), "value", metadata.get("unique_id"))
    if not unique_id:
        return []
    rows = failing_rows(
        settings.duckdb_path, settings.dbt_target_dir, unique_id, SAMPLE_ROWS, settings.duckdb_memory_limit
    )
    return [", ".join(f"{c}={v!r}" for c, v in row.items()) for row in rows]


def failing_rows(
    db: Path, dbt_target_dir: Path, unique_id: str, limit: int | None = None, memory_limit: str | None = None
) -> list[dict]:
    """The rows a failed dbt test returns, by running its compiled query again (dbt's run_results.json),
    within `memory_limit` when given (a test of a 20M-row table groups all of it).

    dbt could store them as a view per test (store_failures), but that is a statement and a relation
    more for every test on every build (~40% of the test time): failures are rare, so they are read
    back only when a test failed.
    """
    import duckdb

    results = json.loads((dbt_target_dir / "run_results.json").read_text())["results"]
    sql = next((r.get("compiled_code") for r in results if r["unique_id"] == unique_id), None)
    if not sql:
        return []
    try:
        con = duckdb.connect(str(db), read_only=True, config={"memory_limit": memory_limit} if memory_limit else {})
        try:
            cur = con.execute(f"select * from ({sql}) as failing" + (f" limit {int(limit)}" if limit else ""))
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        finally:
            con.close()
    except duckdb.Error:
        return []


def _innermost(error):
    """The user's exception inside Dagster's wrappers (a serialised error and its causes)."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error


def _root_cause(error) -> str:
    """Dagster wraps the user's exception: show the innermost message, not the wrapper's. A
    `dagster.Failure` is a step saying in words why it stopped (the publish's gates): its words
    alone, without the class's dotted name."""
    error = _innermost(error)
    if error is None:
        return "failed"
    message = error.message.strip()
    if error.cls_name == "Failure":
        message = message.partition(": ")[2] or message
    lines = [ln for ln in message.splitlines() if ln.strip()]
    return " ".join(lines[:3]) if lines else "failed"
