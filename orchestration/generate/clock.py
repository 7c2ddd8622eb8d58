"""Time in the generator: whole seconds since 2024-01-01 UTC, written the way each source system writes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
DAY = 86_400
HOUR = 3_600
MINUTE = 60


def seconds(d: date | datetime) -> int:
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day, tzinfo=UTC)
    return int((d - EPOCH).total_seconds())


# The demo period: 2026-05-01 00:00:00 to 2026-10-31 23:59:59 UTC.
PERIOD_START = seconds(date(2026, 5, 1))
PERIOD_END = seconds(date(2026, 11, 1)) - 1
MONTHS = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
# last second of each month of the period, in MONTHS order
MONTH_ENDS = tuple(seconds(date(2026, m + 1, 1)) - 1 for m in range(5, 11))

_DAYS = tuple((EPOCH + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(4 * 366))


def _last_sunday(year: int, month: int) -> int:
    d = date(year, month + 1, 1) - timedelta(days=1)
    return seconds(d - timedelta(days=(d.weekday() + 1) % 7)) + HOUR  # 01:00 UTC


# EU summer time: from the last Sunday of March to the last Sunday of October, 01:00 UTC
_SUMMER = tuple((_last_sunday(y, 3), _last_sunday(y, 10)) for y in (2024, 2025, 2026, 2027))
_STANDARD_OFFSET = {"PL": 1, "DE": 1, "RO": 2}


def utc_offset_hours(t: int, country: str) -> int:
    base = _STANDARD_OFFSET.get(country, 1)
    return base + 1 if any(a <= t < b for a, b in _SUMMER) else base


# every time of day as text: formatting runs for most generated rows
_HMS = tuple(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))


def iso_z(t: int) -> str:
    """2026-03-01T14:05:00Z"""
    d, r = divmod(t, DAY)
    return f"{_DAYS[d]}T{_HMS[r]}Z"


def iso_space(t: int) -> str:
    """2026-03-01 14:05:00 (no offset: UTC by the contract)"""
    d, r = divmod(t, DAY)
    return f"{_DAYS[d]} {_HMS[r]}"


def iso_offset(t: int, country: str) -> str:
    """2026-03-01T16:05:00+02:00: the local wall-clock time of the country, with its offset."""
    off = utc_offset_hours(t, country)
    d, r = divmod(t + off * HOUR, DAY)
    return f"{_DAYS[d]}T{_HMS[r]}+{off:02d}:00"


def day(t: int) -> str:
    """2026-03-01"""
    return _DAYS[t // DAY]


_MONTH_OF_DAY = tuple(
    min(len(MONTHS) - 1, max(0, next((i for i, e in enumerate(MONTH_ENDS) if d * DAY <= e), len(MONTHS) - 1)))
    for d in range(len(_DAYS))
)


def month_index(t: int) -> int:
    """0 for May 2026 ... 5 for October 2026 (earlier: 0, later: 5)."""
    return _MONTH_OF_DAY[t // DAY]
