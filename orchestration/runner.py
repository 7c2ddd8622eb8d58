"""Running the build job in-process, through the same definitions the Dagster UI shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.settings import Settings


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    failures: list[str] = field(default_factory=list)


def run_build(settings: Settings) -> RunOutcome:
    settings.export()
    import dagster as dg

    from orchestration.definitions import BUILD_JOB, defs

    job = defs.resolve_job_def(BUILD_JOB)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"progress": {}}},
        )
        failures = _describe_failures(result)
    return RunOutcome(result.success and not failures, result.run_id, failures)


def _describe_failures(result) -> list[str]:
    """What blocked the run, in words: failed checks with their evidence, then failed steps."""
    out = []
    for ev in result.get_asset_check_evaluations():
        if ev.passed or ev.severity.value != "ERROR":
            continue
        evidence = []
        for key, value in (ev.metadata or {}).items():
            shown = getattr(value, "value", value)
            if shown not in (None, "", [], {}):
                evidence.append(f"{key}={str(shown)[:300]}")
        desc = f" — {ev.description}" if ev.description else ""
        out.append(
            f"check {ev.check_name} on {ev.asset_key.to_user_string()} failed{desc}"
            + (f" ({'; '.join(evidence)})" if evidence else "")
        )
    for ev in result.all_events:
        if ev.event_type_value == "STEP_FAILURE":
            msg = _root_cause(ev.step_failure_data.error)
            out.append(f"step {ev.step_key} failed: {msg}")
    return out


def _root_cause(error) -> str:
    """Dagster wraps the user's exception: show the innermost message, not the wrapper's."""
    if error is None:
        return "failed"
    while error.cause is not None:
        error = error.cause
    lines = [ln for ln in error.message.strip().splitlines() if ln.strip()]
    return " ".join(lines[:3]) if lines else "failed"
