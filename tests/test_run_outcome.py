"""What a run reports as blocking it (runner._describe_failures), on real Dagster runs of small jobs."""

from __future__ import annotations

import dagster as dg

from orchestration.runner import _describe_failures
from tests.pipeline import settings_for


@dg.asset(output_required=False)
def upstream():
    """Yields nothing: a step that ran without materialising its asset."""
    if False:
        yield dg.Output(1)


@dg.asset
def published(upstream):
    return upstream


@dg.asset
def loaded():
    return 1


def test_a_skipped_step_is_a_failure_that_names_what_was_not_materialized(tmp_path):
    result = dg.materialize([upstream, published], raise_on_error=False)
    assert result.success  # Dagster's word: a skipped step is not a failed one
    failures = _describe_failures(result, settings_for(tmp_path, tmp_path))
    assert failures == ["step published did not run: assets planned but not materialized: published, upstream"]


def test_a_run_that_materialized_everything_reports_nothing(tmp_path):
    result = dg.materialize([loaded])
    assert _describe_failures(result, settings_for(tmp_path, tmp_path)) == []


def _chain(length: int) -> list[dg.AssetsDefinition]:
    """A first asset that yields nothing, then `length` assets each reading the one before."""
    assets = [upstream]
    for i in range(length):

        @dg.asset(name=f"step_{i:02d}", ins={"before": dg.AssetIn(assets[-1].key)})
        def step(before):
            return before

        assets.append(step)
    return assets


def test_a_long_list_of_assets_not_materialized_is_cut_to_the_first_ten(tmp_path):
    result = dg.materialize(_chain(12), raise_on_error=False)
    failures = _describe_failures(result, settings_for(tmp_path, tmp_path))
    names = ", ".join(f"step_{i:02d}" for i in range(10))
    assert failures == [f"step step_00 did not run: assets planned but not materialized: {names} and 3 more"]


@dg.asset(check_specs=[dg.AssetCheckSpec("contract", asset="checked", blocking=True)])
def checked():
    yield dg.Output(1)
    yield dg.AssetCheckResult(check_name="contract", passed=False, description="2 rows break the contract")


@dg.asset
def broken():
    raise ValueError("the extract cannot be read")


@dg.asset
def gated():
    raise dg.Failure(description="volume guard on orders: 10 rows last published, 0 now")


def test_a_blocked_step_is_named_once_and_a_gate_in_its_own_words(tmp_path):
    result = dg.materialize([checked, broken, gated], raise_on_error=False)
    failures = _describe_failures(result, settings_for(tmp_path, tmp_path))
    assert failures == [
        "check contract on checked failed — 2 rows break the contract",
        "step broken failed: ValueError: the extract cannot be read",  # a fault: its class says what
        "step gated failed: volume guard on orders: 10 rows last published, 0 now",  # a gate's words alone
    ]
