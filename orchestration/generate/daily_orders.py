"""A day of the shop: orders placed today, and new versions of earlier orders whose status moved on.

Orders are versioned by updated_at (contracts.py), so a daily extract holds every order that changed
that day as it stood at the end of the day, like the base's monthly extracts do for a month.
"""

from __future__ import annotations

from orchestration.generate.base import SALES_CHANNELS, pick, variant
from orchestration.generate.clock import DAY, HOUR, MINUTE, day, iso_space, iso_z
from orchestration.generate.daily_day import Day, parse_time
from orchestration.generate.reference import CURRENCY, cents, order_lines

REPEAT_ORDER_RATE = 0.005  # orders a day by existing shop customers, per customer of the base
RETURN_RATE = 0.0003  # orders returned a day (of those delivered in the last two weeks)
# chance a day that an order moves on: placed -> cancelled / shipped, shipped -> delivered
P_CANCEL, P_SHIP, P_DELIVER = 0.04, 0.76, 0.65


def new_order(d: Day, customer_number: str, country: str | None, t: int) -> str:
    """An order placed at t, its lines, and its row as it stands at the end of the day; returns its id."""
    oid = d.new_id("O", 6)
    channel = pick(d.rng, SALES_CHANNELS)
    local = CURRENCY.get((country or "").strip().upper(), "EUR")
    currency = local if channel != "partner" or d.random() < 0.8 else "EUR"
    total = order_lines(d.random, oid, currency, lambda row: d.write("sales/order_lines", row))
    ts = iso_z if channel == "partner" else iso_space
    status, updated, delivered = "placed", t, None
    promised = t // DAY + (0 if channel == "store" else 2 if (country or "").upper() == "DE" else 3)
    if channel == "store" and t + 600 <= d.t1:
        status = "delivered"
        updated = delivered = t + d.between(60, 600)
    d.write(
        "sales/orders",
        {
            "order_id": oid,
            "customer_number": customer_number,
            "ordered_at": ts(t),
            "sales_channel": variant(d.rng, channel),
            "status": variant(d.rng, status),
            "currency": currency,
            "order_total": cents(total),
            "promised_delivery_on": day(promised * DAY),
            "delivered_at": ts(delivered) if delivered else None,
            "updated_at": ts(updated),
        },
    )
    return oid


def repeat_orders(d: Day) -> None:
    for c in d.state.shop_sample("buy", d.count(REPEAT_ORDER_RATE)):
        t = d.at(d.t0 + 6 * HOUR)
        new_order(d, c["customer_number"], c["country"], t)


def status_updates(d: Day) -> None:
    """Earlier orders that moved on today: a new version with the new status and a later updated_at."""
    for o in d.state.open_orders():
        r = d.random()
        if o["status"].strip().lower() == "placed":
            new = "cancelled" if r < P_CANCEL else "shipped" if r < P_CANCEL + P_SHIP else None
        else:
            new = "delivered" if r < P_DELIVER else None
        if new is not None:
            _moved(d, o, new, HOUR)
    # a few orders delivered in the last two weeks come back
    for o in d.state.recent_orders("return", d.count(RETURN_RATE, 0), 14, "lower(trim(o.status)) = 'delivered'"):
        _moved(d, o, "returned", DAY)


def _moved(d: Day, o: dict, new: str, gap: int) -> None:
    t = d.at(parse_time(o["updated_at"]) + gap)
    if t is None:
        return
    ts = iso_z if o["ordered_at"].strip().endswith("Z") else iso_space
    d.write(
        "sales/orders",
        {
            **{k: o[k] for k in ("order_id", "customer_number", "ordered_at", "sales_channel", "currency")},
            **{k: o[k] for k in ("order_total", "promised_delivery_on")},
            "status": variant(d.rng, new),
            "delivered_at": ts(t) if new == "delivered" else o["delivered_at"],
            "updated_at": ts(t),
        },
    )
    d.updates["order_status"] += 1


def first_order_time(d: Day, created: int) -> int | None:
    """When a new sign-up orders for the first time today, if the day is long enough."""
    t = created + d.between(10 * MINUTE, 6 * HOUR)
    return t if t <= d.t1 else None
