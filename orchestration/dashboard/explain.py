"""Every number explains itself: its definition, its numerator and denominator, the window it covers.

The definition is the column's dbt description, read from the BI database's comments (so the
dashboard says what the YAML says, and the two cannot drift). A ratio over fewer than
MIN_RESPONSES answers (or customers, tickets, cohort members) is shown greyed, with its count, and
said to be too few to judge: shown, never hidden.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.dashboard.queries import Docs

# The usual rule of thumb for survey scores: under 30 answers an NPS moves by ±30 points and a
# CSAT % by ±15 with a single answer more or less, too much to judge a touchpoint or a tier by.
MIN_RESPONSES = 30
FEW_NOTE = f"fewer than {MIN_RESPONSES}: too few to judge, shown greyed"


@dataclass(frozen=True)
class Explained:
    """What a figure's hover or expanding box says."""

    definition: str
    window: str
    numerator: str | None = None
    denominator: str | None = None
    count: int | None = None  # the denominator's size, when too few of it greys the figure

    @property
    def few(self) -> bool:
        return self.count is not None and self.count < MIN_RESPONSES

    def lines(self) -> list[str]:
        out = [self.definition] if self.definition else []
        if self.numerator:
            out.append(f"Numerator: {self.numerator}")
        if self.denominator:
            out.append(f"Denominator: {self.denominator}")
        out.append(f"Window: {self.window}")
        if self.few:
            out.append(f"Too few to judge: {self.count} ({FEW_NOTE}).")
        return out

    def text(self) -> str:
        return "\n".join(self.lines())


def definition(docs: Docs, view: str, column: str | None = None) -> str:
    """The dbt description of a view, or of one of its columns ('' when it has none)."""
    text, columns = docs.get(view, ("", {}))
    return columns.get(column, "") if column else text


def few(count: int | None) -> bool:
    return count is not None and count < MIN_RESPONSES


def fmt_int(value: object) -> str:
    return "–" if value is None else f"{int(value):,}"


def fmt_num(value: object, digits: int = 1, suffix: str = "") -> str:
    return "–" if value is None else f"{float(value):,.{digits}f}{suffix}"


def fmt_pct_of_rate(value: object, digits: int = 1) -> str:
    """A `*_rate` (0-1) as a percentage."""
    return "–" if value is None else f"{100 * float(value):.{digits}f}%"


def window_days(as_of: str, days: int) -> str:
    """'the 90 days 2026-08-03 to 2026-10-31', both days included."""
    end = dt.date.fromisoformat(as_of)
    start = end - dt.timedelta(days=days - 1)
    return f"the {days} days {start.isoformat()} to {end.isoformat()}, both included"


def month_label(month: str) -> str:
    return dt.date.fromisoformat(month).strftime("%b %Y")
