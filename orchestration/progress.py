"""Step progress of a run, forwarded from Dagster's event stream to whoever listens (the CLI).

Dagster hands every structured event to the run's loggers; this logger passes step starts and
ends, and each asset or check a step completes, to the registered callbacks, so `cx360 run` can
show what is running without scraping logs. A step that knows how many nodes it will complete
(the dbt build: one per selected model, seed and test) says so with `announce_nodes`, so the CLI
can count them: `dbt 37/303 int_identity__assignments`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg

# the log record attribute (a logging `extra`) that carries a step's number of nodes
NODES_SELECTED = "cx360_nodes_selected"


@dataclass(frozen=True)
class StepEvent:
    """One thing a step did.

    kind: STEP_START, STEP_SUCCESS, STEP_FAILURE; NODES_SELECTED (`total` nodes to come); NODE_DONE
    (an asset materialised or a check evaluated: `label` names it).
    """

    kind: str
    step_key: str
    label: str = ""
    total: int | None = None


_listeners: list[Callable[[StepEvent], None]] = []


def listen(callback: Callable[[StepEvent], None]) -> Callable[[], None]:
    """Register callback(StepEvent); returns a function that unregisters it."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback)


def announce_nodes(context: dg.AssetExecutionContext, what: str) -> None:
    """Tell the listeners how many nodes this step will complete: its selected assets and checks."""
    total = len(context.selected_asset_keys) + len(context.selected_asset_check_keys)
    context.log.info(f"{what}: {total} nodes selected", extra={NODES_SELECTED: total})


def _node_label(event) -> str:
    """The dbt model (or other asset) an event is about, by name: `dim_customer`, or `dim_customer
    tests` for one of its checks (a dbt test's own name spells out its arguments: too long to read)."""
    if event.event_type_value == "ASSET_CHECK_EVALUATION":
        return f"{event.event_specific_data.asset_key.path[-1]} tests"
    return event.asset_key.path[-1]


def _step_event(record: logging.LogRecord) -> StepEvent | None:
    meta = getattr(record, "dagster_meta", None) or {}
    step_key = meta.get("step_key") or ""
    total = getattr(record, NODES_SELECTED, None)
    if total is not None:
        return StepEvent("NODES_SELECTED", step_key, total=int(total))
    event = meta.get("dagster_event")
    if event is None:
        return None
    name = event.event_type_value
    if name in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE"):
        return StepEvent(name, event.step_key or step_key)
    if name in ("ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION"):
        return StepEvent("NODE_DONE", event.step_key or step_key, _node_label(event))
    return None


class _Forward(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if not _listeners:
            return
        step_event = _step_event(record)
        if step_event is not None:
            for cb in list(_listeners):
                cb(step_event)


@dg.logger(description="Forwards step progress to the cx360 CLI.")
def progress_logger(_init_context) -> logging.Logger:
    log = logging.getLogger("cx360.progress")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    if not any(isinstance(h, _Forward) for h in log.handlers):
        log.addHandler(_Forward())
    return log
