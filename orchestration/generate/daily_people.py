"""People of a day: new sign-ups, and the identity changes the incremental pipeline has to follow.

- prospects join the CRM: a shop-only customer gets a CRM record with the e-mail the shop holds (half of
  them also get a new shop version carrying the new CRM id), so their orders move to a CRM customer;
- CRM corrections: a new version (later updated_at) of a CRM record with another e-mail (one that only a
  marketing contact, or only a prospect, used: their records now join this customer), a new phone, or
  another segment or marketing consent;
- shop corrections: a new version of a shop customer whose CRM id was missing or unknown, now right.
"""

from __future__ import annotations

from orchestration.generate import names
from orchestration.generate.base import variant
from orchestration.generate.clock import HOUR, MINUTE, iso_space
from orchestration.generate.daily_day import Day, parse_time
from orchestration.generate.daily_marketing import browse, event
from orchestration.generate.daily_orders import first_order_time, new_order
from orchestration.generate.daily_support import survey
from orchestration.generate.people import COUNTRIES, _weighted
from orchestration.generate.phones import INVALID

SIGNUP_RATE = 0.0018  # new CRM customers a day, per customer of the base
JOIN_RATE = 1 / 5000  # prospects joining the CRM a day (at least 2)
CORRECTION_RATE = 1 / 10000  # corrections a day of each kind (at least 1)
_TRUE = ("true", "t", "yes", "1")
_NEXT_SEGMENT = {"consumer": "smb", "smb": "enterprise", "enterprise": "smb"}


def crm_row(d: Day, v: dict) -> None:
    """A CRM record as the daily delta writes it (UTC without offset, consent as Yes/No)."""
    d.write(
        "crm/customers",
        {
            "customer_id": v["customer_id"],
            "email": v["email"],
            "phone": v["phone"],
            "first_name": v["first_name"],
            "last_name": v["last_name"],
            "country": v["country"],
            "segment": variant(d.rng, v["segment"], 0.03),
            "marketing_consent": "Yes" if v["consent"] else "No",
            "created_at": v["created_at"],
            "updated_at": iso_space(v["updated"]),
        },
    )


def shop_row(d: Day, v: dict, **change) -> None:
    row = {k: v.get(k) for k in ("customer_number", "email", "phone", "full_name", "country", "crm_customer_id")}
    d.write("sales/customers", {**row, "created_at": v["created_at"], **change})


def signups(d: Day) -> None:
    """New people: browsing, a sign-up form, a CRM record; some order the same day."""
    rng = d.rng
    for _ in range(d.count(SIGNUP_RATE)):
        country = _weighted(rng, COUNTRIES)
        first, last = names.pick_name(country, d.random() < 0.5, rng)
        r = d.random()
        segment = "consumer" if r < 0.82 else "smb" if r < 0.96 else "enterprise"
        crm_id = d.new_id("C", 5)
        tag = int(crm_id[1:].replace("-", ""))  # 11 digits: no base address ends with as many
        email = names.email_address(first, last, country, tag, segment != "consumer", rng)
        phone = d.new_phone(country)
        anon = "n" + crm_id[1:].replace("-", "")
        t = d.between(d.t0 + 2 * HOUR, d.t1 - 2 * HOUR)
        browse(d, anon, t - 2 * HOUR, t - MINUTE, d.between(1, 2))
        event(d, t - d.between(60, 600), "form_submit", None, email=names.written_email(email, rng, 0.1), anon=anon)
        event(d, t, "signup", None, email=names.written_email(email, rng, 0.1), anon=anon)
        created = t + d.between(30, 600)
        written_phone = phone.written(rng, 0.4) if phone and d.random() < 0.85 else None
        v = {
            "customer_id": crm_id,
            "email": names.written_email(email, rng, 0.2),
            "phone": written_phone,
            "first_name": first,
            "last_name": last,
            "country": country,
            "segment": segment,
            "consent": d.random() < 0.7,
            "created_at": iso_space(created),
            "updated": created,
        }
        crm_row(d, v)
        if d.random() < 0.45 and (when := first_order_time(d, created)) is not None:
            number = "SC" + crm_id[1:]
            linked = d.random() < 0.78
            shop = {
                "customer_number": number,
                "email": names.written_email(email, rng, 0.3) if not linked or d.random() < 0.7 else None,
                "phone": phone.written(rng, 0.5) if phone and d.random() < 0.4 else None,
                "full_name": names.full_name(first, last, rng),
                "country": country,
                "crm_customer_id": crm_id if linked else None,
                "created_at": iso_space(when - d.between(60, 900)),
            }
            shop_row(d, shop, updated_at=shop["created_at"])
            new_order(d, number, country, when)
        elif d.random() < 0.15 and (answered := created + d.between(HOUR, 3 * HOUR)) <= d.t1:
            survey(d, "ces", "onboarding", "neutral", email, crm_id, country, t=answered)


def _split(full_name: str | None) -> tuple[str | None, str | None]:
    """The shop's `First Last`, `LAST First` or `F. Last` as CRM first and last names."""
    parts = (full_name or "").split()
    if len(parts) < 2:
        return (parts[0] if parts else None), None
    if parts[0].isupper() and len(parts[0]) > 1:
        return " ".join(parts[1:]), parts[0].capitalize()
    return parts[0], " ".join(parts[1:])


def identity_changes(d: Day, marketing_emails: list[str]) -> None:
    """Prospects join the CRM, CRM records are corrected, shop records get their CRM id right."""
    k_join = max(2, int(d.customers * JOIN_RATE))
    k = max(1, int(d.customers * CORRECTION_RATE))
    prospects = d.state.prospects("prospect", k_join + k)
    for p in prospects[:k_join]:
        _join(d, p)
    candidates = d.state.crm_sample("correct", 5 * k)
    plan = [("email", "marketing_contact", e) for e in marketing_emails[:k]]
    plan += [("email", "prospect", p) for p in prospects[k_join:]]
    plan += [("phone", None, None)] * k + [("segment", None, None)] * k + [("marketing_consent", None, None)] * k
    for (change, joins, other), c in zip(plan, candidates, strict=False):
        _correct(d, c, change, joins, other)
    for s in d.state.shop_with_wrong_crm_id("shop", k):
        t = d.at()
        right = "C" + s["customer_number"][2:]
        shop_row(d, s, crm_customer_id=right, updated_at=iso_space(t))
        d.changes["shop_corrections"].append(
            {
                "day": d.batch,
                "customer_number": s["customer_number"],
                "change": "crm_customer_id",
                "old": s["crm_customer_id"],
                "new": right,
            }
        )


def _join(d: Day, p: dict) -> None:
    crm_id = d.new_id("C", 5)
    t = d.at(d.t0 + HOUR)
    first, last = _split(p["full_name"])
    country = (p["country"] or "").strip().upper() or None
    phone = p["phone"] if p["phone"] and p["phone"] not in INVALID else None
    v = {
        "customer_id": crm_id,
        "email": p["email"].strip(),
        "phone": phone,
        "first_name": first,
        "last_name": last,
        "country": country,
        "segment": "consumer",
        "consent": d.random() < 0.5,
        "created_at": iso_space(t),
        "updated": t,
    }
    crm_row(d, v)
    linked = d.random() < 0.5
    if linked:  # the shop learns the CRM id too: a new version of its record
        shop_row(d, p, crm_customer_id=crm_id, updated_at=iso_space(min(d.t1, t + d.between(MINUTE, HOUR))))
    d.changes["prospects_joined_crm"].append(
        {
            "day": d.batch,
            "crm_customer_id": crm_id,
            "email": v["email"],
            "sales_customer_number": p["customer_number"],
            "linked_in_shop": linked,
        }
    )


def _correct(d: Day, c: dict, change: str, joins: str | None, other) -> None:
    consent = (c["marketing_consent"] or "").strip().lower() in _TRUE
    segment = (c["segment"] or "consumer").strip().lower()
    v = {k: c[k] for k in ("customer_id", "email", "phone", "first_name", "last_name", "country", "created_at")}
    v.update(segment=segment, consent=consent)
    old = c[change]
    if change == "email":
        v["email"] = new = other if joins == "marketing_contact" else other["email"].strip()
    elif change == "phone":
        phone = d.new_phone((c["country"] or "").strip().upper() if c["country"] else "PL")
        if phone is None:
            return
        v["phone"] = new = phone.written(d.rng, 0.5)
    elif change == "segment":
        v["segment"] = new = _NEXT_SEGMENT.get(segment, "smb")
        old = segment
    else:
        v["consent"] = not consent
        old, new = consent, not consent
    v["updated"] = d.at(parse_time(c["updated_at"]) + MINUTE)
    crm_row(d, v)
    item = {"day": d.batch, "customer_id": c["customer_id"], "change": change, "old": old, "new": new, "joins": joins}
    if joins == "prospect":
        item["sales_customer_number"] = other["customer_number"]
    d.changes["crm_corrections"].append(item)
