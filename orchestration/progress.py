"""Step progress of a run, forwarded from Dagster's event stream to whoever listens (the CLI).

Dagster hands every structured event to the run's loggers; this logger passes step starts and
ends to the registered callback, so `cx360 run` can show what is running without scraping logs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dagster as dg

_listeners: list[Callable[[str, str], None]] = []


def listen(callback: Callable[[str, str], None]) -> Callable[[], None]:
    """Register callback(event, step_key); returns a function that unregisters it."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback)


class _Forward(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None or not _listeners:
            return
        name = event.event_type_value
        if name in (
            "STEP_START",
            "STEP_SUCCESS",
            "STEP_FAILURE",
            "ASSET_CHECK_EVALUATION",
            "ASSET_MATERIALIZATION",
        ):
            label = event.step_key or ""
            if name == "ASSET_MATERIALIZATION":
                label = event.asset_key.to_user_string()
            for cb in list(_listeners):
                cb(name, label)


@dg.logger(description="Forwards step progress to the cx360 CLI.")
def progress_logger(_init_context) -> logging.Logger:
    log = logging.getLogger("cx360.progress")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    if not any(isinstance(h, _Forward) for h in log.handlers):
        log.addHandler(_Forward())
    return log
