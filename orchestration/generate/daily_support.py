"""A day of customer service and account management: tickets (new ones and their life cycle), surveys,
feedback, and CRM activities."""

from __future__ import annotations

import zlib

from orchestration.generate import names
from orchestration.generate.base import (
    ACTIVITY_TYPES,
    FEEDBACK_SOURCES,
    PRIORITIES,
    SCORES,
    TICKET_CHANNELS,
    pick,
    variant,
)
from orchestration.generate.clock import DAY, HOUR, MINUTE, iso_offset, iso_space, iso_z
from orchestration.generate.daily_day import Day, parse_time
from orchestration.generate.reference import ACCOUNT_MANAGERS
from orchestration.generate.texts import ACTIVITY_OUTCOMES, COMMENTS, COMPLAINTS, COMPLIMENTS, LANGUAGE, SUGGESTIONS

TICKET_RATE = 0.0012  # new tickets a day, per customer of the base
SURVEY_RATE = 0.003
FEEDBACK_RATE = 0.001
ACTIVITY_RATE = 0.0027
STUCK_AFTER = 30 * DAY  # tickets older than this move on rarely
_LATE = "try_cast(o.promised_delivery_on as date) < cast(try_cast(trim(o.delivered_at) as timestamptz) as date)"
_PROBLEM = f"lower(trim(o.status)) in ('cancelled', 'returned') or (lower(trim(o.status)) = 'delivered' and {_LATE})"


def _country(text: str | None) -> str:
    c = (text or "").strip().upper()
    return c if c in LANGUAGE else "PL"


def _requester(d: Day, email: str | None, phone: str | None, crm: str | None, channel: str):
    email = names.written_email(email.strip(), d.rng, 0.3) if email and email.strip() else None
    if channel == "phone" and phone:
        email = None if d.random() < 0.7 else email
    else:
        phone = phone if phone and d.random() < 0.1 else None
    return email, phone, crm if crm and d.random() < 0.55 else None


def new_tickets(d: Day) -> None:
    n = d.count(TICKET_RATE)
    about_orders = d.state.recent_orders("ticket", n // 2, 3, _PROBLEM)
    for o in about_orders:
        status = o["status"].strip().lower()
        category = {"cancelled": "billing", "returned": "returns"}.get(status, "delivery")
        _ticket(d, category, o["order_id"], o["shop_email"], o["shop_phone"], o["shop_crm_id"], o["shop_country"])
    for c in d.state.crm_sample("ticket", n - len(about_orders)):
        category = d.choice(("account", "how_to", "billing", "other", "product_defect"))
        _ticket(d, category, None, c["email"], c["phone"], c["customer_id"], c["country"])


def _ticket(d: Day, category, order_id, email, phone, crm, country) -> str | None:
    created = d.at(d.t0 + 7 * HOUR)
    country = _country(country)
    channel = pick(d.rng, TICKET_CHANNELS)
    delay = {"chat": (60, 900), "phone": (0, 300)}.get(channel, (30 * MINUTE, 30 * HOUR))
    first = created + d.between(*delay)
    status, replies, solved = "new", 0, None
    if first <= d.t1:
        status, replies = "open", 1
        if channel in ("chat", "phone") and d.random() < 0.4:
            solved = first + d.between(10 * MINUTE, 2 * HOUR)
            status, replies = ("solved", 2) if solved <= d.t1 else ("open", 1)
            solved = solved if status == "solved" else None
    email, phone, crm = _requester(d, email, phone, crm, channel)
    tid = d.new_id("T", 6)
    d.write(
        "support/tickets",
        {
            "ticket_id": tid,
            "created_at": iso_offset(created, country),
            "channel": variant(d.rng, channel),
            "category": category,
            "priority": pick(d.rng, PRIORITIES),
            "status": status,
            "requester_email": email,
            "requester_phone": phone,
            "crm_customer_id": crm,
            "order_id": order_id,
            "first_response_at": iso_offset(first, country) if status != "new" else None,
            "solved_at": iso_offset(solved, country) if solved else None,
            "agent_replies": replies,
            "reopened_count": 0,
            "updated_at": iso_offset(solved or (first if status != "new" else created), country),
        },
    )
    return tid


def ticket_updates(d: Day) -> None:
    """Open tickets that moved on today: answered, pending, solved, reopened, closed four days after solving."""
    for tk in d.state.open_tickets():
        status = tk["status"].strip().lower()
        prev = parse_time(tk["updated_at"])
        solved = parse_time(tk["solved_at"])
        r = d.random()
        if d.t0 - parse_time(tk["created_at"]) > STUCK_AFTER and status != "solved":
            r = r * 20  # long-open tickets: a twentieth of the chance
        new = None
        if status == "new":
            new = "open" if r < 0.85 else None
        elif status == "open":
            new = "solved" if r < 0.45 else "pending" if r < 0.6 else None
        elif status == "pending":
            new = "solved" if r < 0.4 else None
        elif status == "solved":
            new = "closed" if solved and d.t0 - solved >= 4 * DAY else "reopened" if r < 0.02 else None
        if new is None:
            continue
        t = d.at(prev + 10 * MINUTE)
        if t is None:
            continue
        replies = int(tk["agent_replies"] or 0)
        row = dict(tk, status="open" if new == "reopened" else new, updated_at=iso_z(t))
        if new != "closed":
            row["agent_replies"] = replies + 1
        if not tk["first_response_at"] or not tk["first_response_at"].strip():
            row["first_response_at"] = iso_z(t)
        if new == "solved":
            row["solved_at"] = iso_z(t)
        if new == "reopened":
            row["solved_at"] = None
            row["reopened_count"] = int(tk["reopened_count"] or 0) + 1
        d.write("support/tickets", row)
        d.updates["ticket_status"] += 1


def ticket_corrections(d: Day, n: int) -> None:
    """Support links closed tickets to the CRM customer who wrote them: a new version with crm_customer_id
    (a ticket that had nothing to match on moves from no customer to a CRM customer)."""
    for tk in d.state.unlinked_tickets("link", n):
        crm = "C" + tk["ticket_id"][1:8]
        reachable = bool((tk["requester_email"] or "").strip() or (tk["requester_phone"] or "").strip())
        t = d.at(parse_time(tk["updated_at"]) + MINUTE)
        d.write("support/tickets", dict(tk, crm_customer_id=crm, updated_at=iso_z(t)))
        d.changes["ticket_corrections"].append(
            {
                "day": d.batch,
                "ticket_id": tk["ticket_id"],
                "change": "crm_customer_id",
                "old": None,
                "new": crm,
                "had_email_or_phone": reachable,
            }
        )


def surveys(d: Day) -> None:
    n = d.count(SURVEY_RATE)
    k = n * 9 // 20
    for o in d.state.recent_orders("survey", k, 3, "lower(trim(o.status)) = 'delivered'"):
        promised = parse_time(o["promised_delivery_on"])
        late = promised is not None and parse_time(o["delivered_at"]) // DAY > promised // DAY
        kind = "nps" if d.random() < 0.4 else "csat"
        tp = "delivery" if d.random() < 0.7 else "purchase"
        survey(d, kind, tp, "bad" if late else "good", o["shop_email"], o["shop_crm_id"], o["shop_country"], order=o)
    tickets = d.state.solved_tickets("survey", n // 4, 3)
    for tk in tickets:
        kind = "csat" if d.random() < 0.5 else "ces"
        mood = "bad" if int(tk["reopened_count"] or 0) else "good" if d.random() < 0.7 else "neutral"
        survey(d, kind, "support", mood, tk["requester_email"], tk["crm_customer_id"], None, ticket=tk)
    for c in d.state.crm_sample("nps", n - k - len(tickets)):
        mood = d.choice(("good", "good", "neutral", "bad"))
        survey(d, "nps", "relationship", mood, c["email"], c["customer_id"], c["country"])


def survey(d: Day, kind, touchpoint, mood, email, crm, country, order=None, ticket=None, t=None) -> None:
    t = t or d.at(d.t0 + 8 * HOUR)
    comment = None
    if d.random() < 0.3:
        lang = LANGUAGE[_country(country)] if d.random() < 0.85 else "en"
        comment = d.choice(COMMENTS["bad" if mood == "bad" else "good"][lang])
    d.write(
        "support/surveys",
        {
            "response_id": d.new_id("R", 6),
            "survey_type": variant(d.rng, kind, 0.04),
            "score": d.choice(SCORES[kind][mood]),
            "responded_at": iso_z(t),
            "touchpoint": variant(d.rng, touchpoint, 0.02),
            "respondent_email": email.strip() if email and email.strip() and d.random() < 0.85 else None,
            "crm_customer_id": crm if crm and d.random() < 0.5 else None,
            "ticket_id": ticket["ticket_id"] if ticket else None,
            "order_id": order["order_id"] if order else None,
            "comment": comment,
        },
    )


def feedback(d: Day) -> None:
    n = d.count(FEEDBACK_RATE)
    bad = d.state.recent_orders("complaint", n // 2, 4, _PROBLEM)
    for o in bad:
        entry = COMPLAINTS[0] if o["status"].strip().lower() == "delivered" else d.choice(COMPLAINTS)
        _feedback(d, "complaint", entry, o["shop_email"], o["shop_crm_id"], o["shop_country"], o["customer_number"])
    good = d.state.recent_orders("compliment", n // 4, 4, f"lower(trim(o.status)) = 'delivered' and not ({_LATE})")
    for o in good:
        entry = d.choice(COMPLIMENTS)
        _feedback(d, "compliment", entry, o["shop_email"], o["shop_crm_id"], o["shop_country"], o["customer_number"])
    for c in d.state.crm_sample("feedback", n - len(bad) - len(good)):
        _feedback(
            d,
            d.choice(("suggestion", "question")),
            d.choice(SUGGESTIONS),
            c["email"],
            c["customer_id"],
            c["country"],
            c["customer_id"],
            (c["first_name"], c["last_name"]),
        )


def _feedback(d: Day, kind, entry, email, crm, country, key, name=None) -> None:
    topic, department, texts = entry
    source = pick(d.rng, FEEDBACK_SOURCES)
    author_email = handle = rating = author_crm = None
    if source in ("social_media", "review_site"):
        first, last = name if name and name[0] and name[1] else ("kunde", key.lower())
        handle = names.handle(first, last, zlib.crc32(key.encode()) % 10_000)
        if source == "review_site":
            rating = {"complaint": d.between(1, 2), "compliment": d.between(4, 5)}.get(kind, 3)
    else:
        author_email = email.strip() if email and email.strip() else None
        if source in ("call_note", "store") and crm and d.random() < 0.6:
            author_crm = crm
    text = texts[LANGUAGE[_country(country)]] if d.random() < 0.9 else f"{topic}: see attached, thanks"
    d.write(
        "support/feedback",
        {
            "feedback_id": d.new_id("F", 6),
            "created_at": iso_space(d.at(d.t0 + 6 * HOUR)),
            "source": variant(d.rng, source, 0.02),
            "kind": kind,
            "topic": topic,
            "department": department if d.random() < 0.9 else None,
            "author_email": author_email,
            "author_handle": handle,
            "crm_customer_id": author_crm,
            "text": text,
            "rating": rating,
        },
    )


def activities(d: Day) -> None:
    where = "lower(trim(segment)) in ('smb', 'enterprise')"
    for c in d.state.crm_sample("activity", d.count(ACTIVITY_RATE), where):
        kind = pick(d.rng, ACTIVITY_TYPES)
        country = _country(c["country"])
        d.write(
            "crm/activities",
            {
                "activity_id": d.new_id("A", 6),
                "customer_id": c["customer_id"],
                "activity_type": variant(d.rng, kind, 0.03),
                "occurred_at": iso_offset(d.at(d.t0 + 7 * HOUR), country),
                "owner": d.choice(ACCOUNT_MANAGERS[country]),
                "outcome": d.choice(ACTIVITY_OUTCOMES[kind]) if d.random() < 0.8 else None,
            },
        )
