"""Which files of a landing zone are base files and which are daily deliveries, and of which day."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from orchestration.contracts import entity

BASE_LAST_DAY = date(2026, 10, 31)  # the base landing zone covers May to October 2026
_DAILY_NAME = re.compile(r"_(?:daily_)?(\d{4}-\d{2}-\d{2})\.(?:csv|jsonl|parquet)$")
_DATES = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def daily_date(name: str) -> date | None:
    """The day of a daily delivery file (`orders_2026-11-01.csv`, `fx_rates_daily_2026-11-02.parquet`)."""
    m = _DAILY_NAME.search(name)
    if not m:
        return None
    d = date.fromisoformat(m.group(1))
    return d if d > BASE_LAST_DAY else None


def _period_end(name: str) -> date | None:
    """The last day a file's name covers (`orders_2026-10.csv`: 2026-10-31); None when it names none."""
    ends = []
    for y, m, d in _DATES.findall(name):
        if d:
            ends.append(date(int(y), int(m), int(d)))
        else:
            nxt = date(int(y) + int(m) // 12, int(m) % 12 + 1, 1)
            ends.append(nxt - timedelta(days=1))
    return max(ends) if ends else None


def delivered_files(
    root: Path, qualified: str, before: date, since: date | None = None, base: bool = True
) -> list[Path]:
    """An entity's files, in name order: base files (unless `base` is false) and daily files of days before
    `before`; hidden ones are skipped. `since`: leave out files whose name says they end before that day."""
    e = entity(qualified)
    folder = root / e.source / e.name
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        d = daily_date(path.name)
        if (d is None and not base) or (d is not None and d >= before):
            continue
        end = _period_end(path.name)
        if since is not None and end is not None and end < since:
            continue
        found.append(path)
    return found
