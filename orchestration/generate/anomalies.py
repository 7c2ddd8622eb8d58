"""The deliberate row errors, so quarantine has something to show.

Each is applied to the first suitable row at or after `at_row` of one file. A file gets its n-th error
no earlier than row 60 * n, so errors stay under 2% of any file's rows (5% would reject the batch); a
file too small to reach `at_row` simply gets no error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from orchestration.generate.clock import DAY, HOUR, iso_space
from orchestration.generate.layout import PERIODS

ACTIVITIES_BATCH = "2026-05_2026-10"
FEEDBACK_BATCH = "2026-05_2026-10"


def _any(row: dict) -> bool:
    return True


def _set(column: str, value) -> Callable[[dict], dict]:
    def change(row: dict) -> dict:
        row[column] = value
        return row

    return change


def _is(column: str, value: str) -> Callable[[dict], bool]:
    return lambda row: str(row.get(column) or "").strip().lower() == value


def _has(column: str) -> Callable[[dict], bool]:
    return lambda row: row.get(column) is not None


def _delivered_before_ordered(row: dict) -> dict:
    row["delivered_at"] = iso_space(row["_ordered"] - 2 * DAY)
    return row


def _solved_before_created(row: dict) -> dict:
    row["solved_at"] = iso_space(row["_created"] - 3 * HOUR)
    return row


def _negative_total(row: dict) -> dict:
    row["order_total"] = "-" + row["order_total"]
    return row


@dataclass(frozen=True)
class Anomaly:
    entity: str
    batch: str
    at_row: int
    reason: str  # the quarantine reason code ingestion should give
    column: str
    when: Callable[[dict], bool] = _any
    change: Callable[[dict], dict] | None = None
    duplicate: bool = False  # write the row twice: the second copy repeats the key


PLAN = (
    Anomaly(
        "marketing/events",
        "2026-06",
        100,
        "invalid_enum",
        "event_type",
        change=_set("event_type", "page_view"),
    ),
    Anomaly(
        "marketing/events",
        "2026-07",
        200,
        "invalid_type",
        "occurred_at",
        change=_set("occurred_at", "2026-13-45T10:00:00Z"),
    ),
    Anomaly("marketing/events", "2026-08", 150, "duplicate_key", "event_id", duplicate=True),
    Anomaly("marketing/events", "2026-09", 300, "missing_required", "event_type", change=_set("event_type", "")),
    Anomaly(
        "sales/orders",
        "2026-06",
        60,
        "end_before_start",
        "delivered_at",
        when=_has("delivered_at"),
        change=_delivered_before_ordered,
    ),
    Anomaly("sales/orders", "2026-08", 60, "negative_amount", "order_total", change=_negative_total),
    Anomaly(
        "sales/orders",
        "2026-10",
        60,
        "missing_required",
        "customer_number",
        change=_set("customer_number", ""),
    ),
    Anomaly("sales/order_lines", "2026-08", 60, "missing_required", "product_id", change=_set("product_id", None)),
    Anomaly("sales/order_lines", "2026-09", 60, "out_of_range", "quantity", change=_set("quantity", 0)),
    Anomaly("support/tickets", PERIODS[0], 60, "invalid_enum", "channel", change=_set("channel", "fax")),
    Anomaly(
        "support/tickets",
        PERIODS[1],
        60,
        "end_before_start",
        "solved_at",
        when=_has("solved_at"),
        change=_solved_before_created,
    ),
    Anomaly(
        "support/surveys",
        PERIODS[0],
        60,
        "out_of_range",
        "score",
        when=_is("survey_type", "nps"),
        change=_set("score", 11),
    ),
    Anomaly(
        "support/surveys",
        PERIODS[1],
        60,
        "out_of_range",
        "score",
        when=_is("survey_type", "csat"),
        change=_set("score", 0),
    ),
    Anomaly(
        "support/feedback",
        FEEDBACK_BATCH,
        60,
        "out_of_range",
        "rating",
        when=_has("rating"),
        change=_set("rating", 6),
    ),
    Anomaly("crm/activities", ACTIVITIES_BATCH, 60, "duplicate_key", "activity_id", duplicate=True),
    Anomaly(
        "crm/activities",
        ACTIVITIES_BATCH,
        120,
        "invalid_type",
        "occurred_at",
        change=_set("occurred_at", "31.08.2026 10:00"),
    ),
)
