"""What `cx360 run` shows while the job runs, from the step events of orchestration/progress.py.

On a terminal: a spinner line naming the running step, and for the dbt build its nodes done out of
the selected ones and the last one done (`dbt 37/303 int_identity__assignments`); each finished
step stays as a line. Without a terminal (a log file, CI, a scheduler) a spinner shows nothing, so
every line is plain and timestamped (UTC): a step's start and end, and the dbt build's count at
most every few seconds, and its last node, so a log read later says what ran when.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape

from orchestration.progress import StepEvent

# steps named after what they do; ingest steps are raw__<source>__<entity>, their Great
# Expectations checks raw__<source>__<entity>_gx_raw_suite (orchestration/location.py)
STEP_NAMES = {
    "cx360_dbt": "dbt",
    "cx360_dbt_trust": "dbt mart_data_trust",
    "run_audit": "audit",
    "serving__published_marts": "publish",
}
GX_SUFFIX = "_gx_raw_suite"
# without a terminal, the dbt count is printed at most this often (and on its last node)
PLAIN_EVERY_SECONDS = 3.0


def step_label(step_key: str) -> str:
    """A step in words: `raw__crm__customers` -> `ingest raw/crm__customers`."""
    if step_key in STEP_NAMES:
        return STEP_NAMES[step_key]
    if step_key.startswith("raw__") and step_key.endswith(GX_SUFFIX):
        return f"check raw/{step_key[len('raw__') : -len(GX_SUFFIX)]} {GX_SUFFIX[1:]}"
    if step_key.startswith("raw__"):
        return f"ingest raw/{step_key[len('raw__') :]}"
    return step_key


@dataclass
class _Step:
    label: str
    started: float
    total: int | None = None
    done: int = 0
    last_node: str = ""

    def counted(self) -> str:
        return f"{self.label} {min(self.done, self.total or 0)}/{self.total} {self.last_node}".rstrip()


class RunProgress:
    """Callable on each StepEvent; a context manager around the run (the terminal's spinner)."""

    def __init__(
        self,
        console: Console,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        every: float = PLAIN_EVERY_SECONDS,
    ):
        self.console, self.clock, self.now, self.every = console, clock, now, every
        self.plain = not console.is_terminal
        self.steps: dict[str, _Step] = {}
        self._status = None
        self._last_plain = float("-inf")

    def __enter__(self) -> RunProgress:
        if self.plain:
            self._line("starting")
        else:
            self._status = self.console.status("starting…")
            self._status.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._status is not None:
            self._status.stop()

    def __call__(self, event: StepEvent) -> None:
        if event.kind == "STEP_START":
            step = self.steps[event.step_key] = _Step(step_label(event.step_key), self.clock())
            self._show(f"→ {step.label}", f"running [bold]{escape(step.label)}[/]…")
            return
        step = self.steps.get(event.step_key)
        if step is None:
            return
        if event.kind == "NODES_SELECTED":
            step.total = event.total
            self._show(f"{step.label}: {step.total} nodes to build and test", escape(step.counted()))
        elif event.kind == "NODE_DONE" and step.total:
            step.done, step.last_node = step.done + 1, event.label
            last = step.done >= step.total
            if not self.plain:
                self._status.update(escape(step.counted()))
            elif last or self.clock() - self._last_plain >= self.every:
                self._last_plain = self.clock()
                self._line(step.counted())
        elif event.kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            ok = event.kind == "STEP_SUCCESS"
            nodes = f"{step.done} of {step.total} nodes, " if step.total else ""
            took = f"({nodes}{self.clock() - step.started:.1f} s)"
            mark = "[green]✓[/]" if ok else "[red]✗[/]"
            self._line(f"{'✓' if ok else '✗'} {step.label} {took}", f"{mark} {escape(step.label)} {took}")

    def _show(self, plain: str, status: str) -> None:
        """A line without a terminal, the spinner's text on one."""
        if self.plain:
            self._line(plain)
        else:
            self._status.update(status)

    def _line(self, plain: str, rich: str | None = None) -> None:
        if self.plain:
            stamp = f"{self.now():%Y-%m-%d %H:%M:%S}"
            self.console.print(f"{stamp} {plain}", markup=False, highlight=False, soft_wrap=True)
        else:
            self.console.print(rich if rich is not None else escape(plain), highlight=False)
