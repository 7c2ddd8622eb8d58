"""A day of the marketing tool: campaigns starting, e-mails to contacts, browsing by known and new visitors."""

from __future__ import annotations

from datetime import date, timedelta

from orchestration.generate.base import variant
from orchestration.generate.clock import HOUR, MINUTE, iso_z
from orchestration.generate.daily_day import Day, anon_of
from orchestration.generate.people import anonymous_id
from orchestration.generate.reference import CAMPAIGNS, UTM, cents

COUNTRIES = ("PL", "RO", "DE")
_TLD = {"pl": "PL", "ro": "RO", "de": "DE"}
MAIL_RATE = 0.025  # e-mails sent a day, per customer of the base
BROWSE_RATE = 0.012  # browsing sessions of people the tool already knows
VISITOR_RATE = 0.002  # new anonymous visitors
LOGGED_IN_SHARE = 0.25  # browsing sessions of CRM customers who are logged in


def newsletter_id(day: date, country: str) -> str:
    return f"CMP-NL-{day:%Y-%m}-{country}"


def campaigns(day: Day) -> None:
    """The month's newsletters, delivered on the first day of the month not yet holding them."""
    known = day.state.campaign_ids()
    first = day.day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    for c in COUNTRIES:
        cid = newsletter_id(day.day, c)
        if cid not in known:
            day.write(
                "marketing/campaigns",
                {
                    "campaign_id": cid,
                    "campaign_name": f"Newsletter {c} {day.day:%Y-%m}",
                    "channel": "email",
                    "started_on": first.isoformat(),
                    "ended_on": last.isoformat(),
                    "budget": cents(50_000),
                },
            )


def _running(t: int, channels: tuple[str, ...]) -> list:
    return [c for c in CAMPAIGNS if c.channel in channels and c.start <= t and (c.open_ended or c.end >= t)]


def event(day: Day, t: int, etype: str, camp=None, email=None, anon=None, crm=None, cost=None, utm=None) -> None:
    if not day.t0 <= t <= day.t1:
        return
    if utm is None and camp is not None:
        utm = day.choice(UTM[camp.channel])
    day.write(
        "marketing/events",
        {
            "event_id": day.new_id("E", 7),
            "event_type": variant(day.rng, etype, 0.01),
            "occurred_at": iso_z(t),
            "campaign_id": camp if isinstance(camp, str) else camp.id if camp else None,
            "contact_email": email,
            "anonymous_id": anon,
            "crm_customer_id": crm,
            "utm_source": utm[0] if utm else None,
            "utm_medium": utm[1] if utm else None,
            "cost": cost,
        },
    )


def browse(day: Day, anon: str | None, t_from: int, t_to: int, sessions: int, crm: str | None = None) -> None:
    """Sessions of one browser between two moments of the day: impressions, ad clicks, web visits."""
    for _ in range(sessions):
        t = day.between(min(t_from, t_to), t_to)
        r = day.random()
        if r < 0.5:
            found = _running(t, ("display", "paid_social"))
            camp = day.choice(found) if found else None
            for _ in range(day.between(1, 3)):
                cost = f"{day.between(20, 250) / 10000:.4f}" if camp else None
                event(day, t - day.between(MINUTE, 2 * HOUR), "impression", camp, anon=anon, cost=cost)
        if r < 0.3:
            found = _running(t, ("paid_search", "paid_social"))
            camp = day.choice(found) if found else None
            cost = f"{day.between(15, 250) / 100:.2f}" if camp else None
            event(day, t - day.between(5, 60), "ad_click", camp, anon=anon, cost=cost)
            event(day, t, "web_visit", camp, anon=anon, crm=crm)
        else:
            found = _running(t, ("referral", "affiliate", "organic_social"))
            camp = day.choice(found) if found and day.random() < 0.5 else None
            event(day, t, "web_visit", camp, anon=anon, crm=crm)


def _country_of(email: str, rng_pick) -> str:
    tld = email.strip().lower().rsplit(".", 1)[-1]
    return _TLD.get(tld) or rng_pick(COUNTRIES)


def mail(day: Day, email: str, country: str | None, crm: str | None, anon: str | None) -> None:
    """The day's newsletter to one contact: sent, sometimes opened and clicked, rarely unsubscribed."""
    camp = newsletter_id(day.day, country if country in COUNTRIES else _country_of(email, day.choice))
    utm = UTM["email"][0]
    sent = day.t0 + 8 * HOUR + day.between(0, 2 * HOUR)
    crm = crm if crm and day.random() < 0.6 else None
    event(day, sent, "email_sent", camp, email=email, crm=crm, cost="0.0010", utm=utm)
    if day.random() < 0.45:
        opened = sent + day.between(5 * MINUTE, 12 * HOUR)
        event(day, opened, "email_open", camp, email=email, crm=crm, utm=utm)
        if day.random() < 0.35:
            clicked = opened + day.between(10, 20 * MINUTE)
            event(day, clicked, "email_click", camp, email=email, crm=crm, utm=utm)
            if anon:
                event(day, clicked + day.between(2, 30), "web_visit", camp, anon=anon, crm=crm, utm=utm)
    if day.random() < 0.005:
        event(day, sent + day.between(HOUR, 10 * HOUR), "unsubscribe", camp, email=email, crm=crm, utm=utm)


def contacts(day: Day, marketing_emails: list[str]) -> None:
    """E-mails to consenting CRM customers and marketing-only contacts, then browsing and new visitors."""
    n = day.count(MAIL_RATE)
    crm = day.state.crm_sample(
        "mail",
        n - len(marketing_emails),
        "lower(trim(marketing_consent)) in ('true', 't', 'yes', '1') and nullif(trim(email), '') is not null",
    )
    for c in crm:
        mail(day, c["email"], (c["country"] or "").strip().upper(), c["customer_id"], anon_of(c["customer_id"]))
    for email in marketing_emails:
        mail(day, email, None, None, None)
    sessions = day.count(BROWSE_RATE)
    logged_in = day.state.crm_sample("browse", int(sessions * LOGGED_IN_SHARE))
    for c in logged_in:
        browse(day, anon_of(c["customer_id"]), day.t0, day.t1, 1, crm=c["customer_id"])
    for _ in range(sessions - len(logged_in)):
        browse(day, anonymous_id(day.between(1, day.customers)), day.t0, day.t1, 1)
    for j in range(day.count(VISITOR_RATE)):
        browse(day, f"v{day.tag}{j + 1:05d}", day.t0, day.t1, day.between(1, 2))
