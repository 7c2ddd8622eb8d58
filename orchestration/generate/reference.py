"""Reference data that does not depend on the customers: products, campaigns, exchange rates, staff."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from orchestration.generate.clock import DAY, MONTHS, PERIOD_END, day, seconds

CURRENCY = {"PL": "PLN", "RO": "RON", "DE": "EUR"}
# rough price level of each currency against EUR, for plausible prices (not the fx_rates)
PRICE_FACTOR = {"PLN": 4.3, "RON": 5.0, "EUR": 1.0}

# (product_id, category, price in EUR cents)
PRODUCTS = tuple(
    (f"P-{cat[:3].upper()}-{i + 1:03d}", cat, price)
    for cat, prices in (
        ("electronics", (2999, 4999, 8999, 12999, 24999, 39999, 1999)),
        ("home", (1499, 2499, 3999, 5999, 8999)),
        ("garden", (999, 1999, 4999, 14999)),
        ("fashion", (1999, 2999, 4999, 7999, 11999)),
        ("beauty", (799, 1299, 2499, 3499)),
        ("sports", (1999, 3999, 6999, 19999)),
        ("toys", (999, 1999, 3499)),
        ("books", (899, 1499, 2199)),
    )
    for i, price in enumerate(prices)
)


def unit_price_cents(eur_cents: int, currency: str) -> int:
    """A shelf price in the currency: converted, then rounded to end in 9."""
    return max(99, round(eur_cents * PRICE_FACTOR[currency] / 100) * 100 - 1)


def order_lines(random, order_id: str, currency: str, write) -> int:
    """Write the lines of an order (one product, or two to four) through `write(row)`, priced in
    the currency; returns the order's total in cents. `random`: the generator's draw, taken in the
    same order by the base's orders and the daily ones, so a seed gives the same files."""
    total = 0
    for line in range(1, 1 + (1 if random() < 0.55 else _between(random, 2, 4))):
        pid, category, eur = PRODUCTS[int(random() * len(PRODUCTS))]
        qty = 1 if random() < 0.75 else _between(random, 2, 4)
        price = unit_price_cents(eur, currency)
        discount = (price * qty * (5, 10, 15)[int(random() * 3)]) // 100 if random() < 0.2 else 0
        total += price * qty - discount
        write(
            {
                "order_id": order_id,
                "line_number": line,
                "product_id": pid,
                "product_category": category,
                "quantity": qty,
                "unit_price": cents(price),
                "discount_amount": cents(discount) if discount else None,
            }
        )
    return total


def _between(random, a: int, b: int) -> int:
    return a + int(random() * (b - a + 1))


def cents(c: int) -> str:
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


ACCOUNT_MANAGERS = {
    "PL": ("Katarzyna Zając", "Piotr Wiśniewski", "am.pl.07"),
    "RO": ("Mihaela Dobre", "Ștefan Ionescu", "am.ro.03"),
    "DE": ("Jürgen Weiß", "Sabine Köhler", "am.de.11"),
}

UTM = {
    "email": (("newsletter", "email"),),
    "paid_search": (("google", "cpc"), ("bing", "cpc")),
    "paid_social": (("facebook", "paid_social"), ("instagram", "paid_social"), ("tiktok", "paid_social")),
    "display": (("gdn", "display"), ("criteo", "display")),
    "organic_social": (("linkedin", "social"), ("facebook", "social")),
    "referral": (("partner-blog", "referral"), ("comparison-site", "referral")),
    "event": (("fair", "offline"),),
    "affiliate": (("awin", "affiliate"), ("tradedoubler", "affiliate")),
}


class Campaign:
    __slots__ = (
        "id",
        "name",
        "channel",
        "start",
        "end",
        "open_ended",
        "budget",
        "country",
        "written_channel",
    )

    def __init__(self, id_, name, channel, start, end, open_ended, budget, country, written_channel=None):
        self.id, self.name, self.channel, self.start, self.end = id_, name, channel, start, end
        self.open_ended, self.budget, self.country = open_ended, budget, country
        self.written_channel = written_channel or channel


def _campaigns() -> tuple[Campaign, ...]:
    out: list[Campaign] = []
    n = 0

    def add(name, channel, start: date, end: date | None, budget, country=None, written=None):
        nonlocal n
        n += 1
        out.append(
            Campaign(
                f"CMP-{n:03d}",
                name,
                channel,
                seconds(start),
                seconds(end) + DAY - 1 if end else PERIOD_END,
                end is None,
                budget,
                country,
                written,
            )
        )

    titles = {"PL": "Newsletter PL", "RO": "Newsletter RO", "DE": "Newsletter DE"}
    for m in MONTHS:
        y, mo = int(m[:4]), int(m[5:])
        first = date(y, mo, 1)
        last = (date(y + mo // 12, mo % 12 + 1, 1)) - timedelta(days=1)
        for c in ("PL", "RO", "DE"):
            # one campaign writes its channel as " Email " (valid: enums are trimmed and case-insensitive)
            add(
                f"{titles[c]} {m}",
                "email",
                first,
                last,
                500,
                c,
                " Email " if (m, c) == ("2026-07", "RO") else None,
            )
    add("Wiosenna wyprzedaż – Google", "paid_search", date(2026, 4, 20), date(2026, 6, 15), 18000, "PL")
    add(
        "Vară fierbinte, prețuri mici – Facebook",
        "paid_social",
        date(2026, 6, 1),
        date(2026, 8, 31),
        12500,
        "RO",
    )
    add("Sommerschlussverkauf „Alles muss raus“", "display", date(2026, 7, 15), date(2026, 9, 15), 22000, "DE")
    add('Back to school, "Szkoła" 2026', "paid_social", date(2026, 8, 10), date(2026, 9, 20), 9000, "PL")
    add("Brand search – always on", "paid_search", date(2026, 1, 1), None, 60000)
    add("Retargeting display", "display", date(2026, 3, 1), None, 30000)
    add("Partner blogs & comparison sites", "referral", date(2026, 2, 1), None, None)
    add("Affiliate network EU", "affiliate", date(2026, 5, 1), date(2026, 10, 31), 15000)
    add("LinkedIn B2B", "organic_social", date(2026, 5, 1), None, 0)
    add("IFA Berlin 2026", "event", date(2026, 9, 4), date(2026, 9, 8), 45000, "DE")
    add("Black Friday teaser", "email", date(2026, 10, 20), date(2026, 11, 30), 2500)
    return tuple(out)


CAMPAIGNS = _campaigns()
_BY_CHANNEL: dict[str, tuple[Campaign, ...]] = {}
for _c in CAMPAIGNS:
    _BY_CHANNEL[_c.channel] = (*_BY_CHANNEL.get(_c.channel, ()), _c)


# the monthly newsletter of each country: (country, month index) -> campaign
NEWSLETTERS = {(c.country, MONTHS.index(c.name[-7:])): c for c in CAMPAIGNS if c.name.startswith("Newsletter ")}


def campaign_for(channels: tuple[str, ...], t: int, country: str, rng: Random) -> Campaign | None:
    """A campaign of one of the channels running at t, for the country (or for every country)."""
    found = [
        c for ch in channels for c in _BY_CHANNEL.get(ch, ()) if c.start <= t <= c.end and c.country in (None, country)
    ]
    return rng.choice(found) if found else None


def campaign_rows():
    for c in CAMPAIGNS:
        yield {
            "campaign_id": c.id,
            "campaign_name": c.name,
            "channel": c.written_channel,
            "started_on": day(c.start),
            "ended_on": None if c.open_ended else day(c.end),
            "budget": None if c.budget is None else cents(c.budget * 100),
        }


def fx_rows(seed: int):
    """Business-day ECB-style rates of PLN and RON in EUR, from a week before the period to its end."""
    rng = Random(f"{seed}:fx")
    rate = {"PLN": 0.2345, "RON": 0.2010}
    d = date(2026, 4, 24)
    while seconds(d) <= PERIOD_END:
        if d.weekday() < 5:
            for cur in ("PLN", "RON"):
                rate[cur] *= 1 + rng.gauss(0, 0.002)
                yield {"rate_date": d.isoformat(), "currency": cur, "rate_to_reporting": round(rate[cur], 6)}
        d += timedelta(days=1)
