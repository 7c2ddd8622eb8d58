"""The next days' deliveries of an existing landing zone, for incremental runs.

    generate_days(out_dir, after, days, customers=500, seed=42) -> summary

Adds to a landing zone made by `generate(out_dir, customers, seed)` the deliveries of the `days` days after
`after` (2026-10-31 or later: the base ends then): one file per entity per day that has rows, named
`<name>_<YYYY-MM-DD>.<ext>` in the entity's base format (`sales/orders/orders_2026-11-01.csv`), except the
exchange rates, `sales/fx_rates/fx_rates_daily_<day>.parquet` (`fx_rates_2026-11-02` would sort before the
base's `fx_rates_2026.parquet`, and batches load in file-name order). Every row meets the contract.

A day holds about the base's daily volume (base rows / 184; ~130k rows at 1M customers): new sign-ups
(CRM records, some with a first order), new and known visitors and e-mail contacts (marketing events),
repeat orders with their lines, new versions of earlier orders whose status moved on and of open tickets,
new tickets, surveys, feedback, account-manager activities, the month's newsletter campaigns once, and
PLN/RON rates on business days. Each day also changes identities (daily_people.py): prospects join the
CRM, CRM records are corrected (e-mail, phone, segment, consent), shop records get their CRM id right,
and closed tickets are linked to the CRM customer who wrote them (new versions: later updated_at).

Determinism: a day is made from `Random(f"{seed}:day:{day}")` and the state of the landing zone at its
start, i.e. the base files and the daily files of earlier days (daily_state.py), so `--days 2` writes the
same files as two runs of one day each, and making a day again rewrites the same bytes.

Summary: `days` (ISO dates), `files` (path -> rows), one count per `source/entity` (ints), `updates`
({"order_status": n, "ticket_status": n}: new versions of earlier records) and `identity_changes`:
    {"prospects_joined_crm": [{"day", "crm_customer_id", "email", "sales_customer_number", "linked_in_shop"}],
     "crm_corrections": [{"day", "customer_id", "change": "email"|"phone"|"segment"|"marketing_consent",
                          "old", "new", "joins": "marketing_contact"|"prospect"|None,
                          "sales_customer_number" (when joins is "prospect")}],
     "shop_corrections": [{"day", "customer_number", "change": "crm_customer_id", "old", "new"}],
     "ticket_corrections": [{"day", "ticket_id", "change": "crm_customer_id", "old": None, "new",
                             "had_email_or_phone"}]}
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from orchestration.contracts import ENTITIES
from orchestration.generate.daily_day import CHANGE_KINDS, Day
from orchestration.generate.daily_files import BASE_LAST_DAY, daily_date
from orchestration.generate.daily_marketing import MAIL_RATE, campaigns, contacts
from orchestration.generate.daily_orders import repeat_orders, status_updates
from orchestration.generate.daily_people import CORRECTION_RATE, identity_changes, signups
from orchestration.generate.daily_state import Base, State
from orchestration.generate.daily_support import (
    activities,
    feedback,
    new_tickets,
    surveys,
    ticket_corrections,
    ticket_updates,
)
from orchestration.generate.sink import Sink

LAST_DAY = date(2027, 12, 31)  # the generator's clock tables end then
MARKETING_ONLY_SHARE = 0.2  # of the day's e-mails, those to contacts only the marketing tool knows
_FX_START = {"PLN": 0.2345, "RON": 0.2010}


def generate_days(out_dir: Path, after: date, days: int, customers: int = 500, seed: int = 42) -> dict:
    out_dir = Path(out_dir)
    if not (out_dir / "crm" / "customers").is_dir():
        raise ValueError(f"{out_dir} holds no landing zone: generate it first with the same customers and seed")
    if after < BASE_LAST_DAY or after + timedelta(days=days) > LAST_DAY or days < 1:
        raise ValueError(f"days must lie between {BASE_LAST_DAY + timedelta(days=1)} and {LAST_DAY}")
    summary: dict = {"days": [], "files": {}, **{e.qualified: 0 for e in ENTITIES}}
    summary["updates"] = {"order_status": 0, "ticket_status": 0}
    summary["identity_changes"] = {k: [] for k in CHANGE_KINDS}
    work = Path(tempfile.mkdtemp(prefix="cx360-days-"))
    try:
        base = Base(out_dir, after + timedelta(days=1), work)
        for i in range(1, days + 1):
            d = after + timedelta(days=i)
            day = _one_day(out_dir, base, d, customers, seed)
            summary["days"].append(d.isoformat())
            for path, rows in day["files"].items():
                summary["files"][path] = rows
                summary["/".join(path.split("/")[:2])] += rows
            for kind, n in day["updates"].items():
                summary["updates"][kind] += n
            for kind, items in day["changes"].items():
                summary["identity_changes"][kind] += items
        base.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return summary


def _one_day(root: Path, base: Base, d: date, customers: int, seed: int) -> dict:
    for e in ENTITIES:  # making a day again replaces its files
        folder = root / e.source / e.name
        for path in folder.iterdir() if folder.is_dir() else ():
            if daily_date(path.name) == d:
                path.unlink()
    state = State(base, d, seed)
    sink = Sink(root, [])
    try:
        day = Day(d, customers, seed, sink, state)
        _fx(day)
        campaigns(day)
        k = max(1, int(customers * CORRECTION_RATE))
        emails = state.marketing_only_emails("marketing", k + int(customers * MAIL_RATE * MARKETING_ONLY_SHARE))
        signups(day)
        identity_changes(day, emails[:k])
        repeat_orders(day)
        status_updates(day)
        new_tickets(day)
        ticket_updates(day)
        ticket_corrections(day, k)
        surveys(day)
        feedback(day)
        activities(day)
        contacts(day, emails[k:])
    finally:
        files = sink.close()
    return {"files": files, "updates": day.updates, "changes": day.changes}


def _fx(day: Day) -> None:
    """PLN and RON on business days, a small random step from the latest delivered rate."""
    if day.day.weekday() >= 5:
        return
    last = day.state.last_fx()
    for cur, start in _FX_START.items():
        rate = last.get(cur, start) * (1 + day.rng.gauss(0, 0.002))
        day.write("sales/fx_rates", {"rate_date": day.batch, "currency": cur, "rate_to_reporting": round(rate, 6)})
