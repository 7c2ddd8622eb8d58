"""One day of deliveries being made: its clock, its random generator, new ids, and where rows go."""

from __future__ import annotations

from datetime import UTC, date, datetime
from random import Random

from orchestration.generate.clock import DAY, seconds
from orchestration.generate.daily_state import State
from orchestration.generate.people import anonymous_id
from orchestration.generate.phones import Phone, unique_phone
from orchestration.generate.sink import Sink

FIRST_DAY = date(2026, 11, 1)
PHONES_PER_DAY = 4_000  # new numbers a day may hand out: the (9 000 000 + ...)-th numbers of a country
CHANGE_KINDS = ("prospects_joined_crm", "crm_corrections", "shop_corrections", "ticket_corrections")
_PHONE_BASE = 9_000_000  # base people use numbers 0..customers and 5 000 000.. (changed phones)


def parse_time(text: str | None) -> int | None:
    """Seconds since the generator's epoch of an ISO timestamp as delivered (no offset: UTC)."""
    if not text or not text.strip():
        return None
    d = datetime.fromisoformat(text.strip())
    return seconds(d if d.tzinfo else d.replace(tzinfo=UTC))


def anon_of(crm_id: str) -> str:
    """The cookie id a CRM customer browses with: the base person's, or one derived from a new id."""
    rest = crm_id[1:]
    return anonymous_id(int(rest)) if rest.isdigit() else "n" + rest.replace("-", "")


class Day:
    def __init__(self, day: date, customers: int, seed: int, sink: Sink, state: State):
        self.day, self.customers, self.sink, self.state = day, customers, sink, state
        self.t0 = seconds(day)
        self.t1 = self.t0 + DAY - 1
        self.rng = Random(f"{seed}:day:{day.isoformat()}")
        self.random = self.rng.random
        self.tag = day.strftime("%y%m%d")
        self.batch = day.isoformat()
        self._ids: dict[str, int] = {}
        self._phones = 0
        self.changes: dict[str, list] = {k: [] for k in CHANGE_KINDS}
        self.updates = {"order_status": 0, "ticket_status": 0}

    def write(self, qualified: str, row: dict) -> None:
        batch = "daily_" + self.batch if qualified == "sales/fx_rates" else self.batch
        self.sink.write(qualified, batch, row)

    def new_id(self, prefix: str, width: int) -> str:
        n = self._ids[prefix] = self._ids.get(prefix, 0) + 1
        return f"{prefix}{self.tag}-{n:0{width}d}"

    def new_phone(self, country: str) -> Phone | None:
        """A number nobody has had: None once the day's share is used up."""
        n = (self.day - FIRST_DAY).days * PHONES_PER_DAY + self._phones
        self._phones += 1
        if self._phones > PHONES_PER_DAY or not 0 <= n < 10_000_000 - _PHONE_BASE:
            return None
        return unique_phone(country, _PHONE_BASE + n)

    def count(self, per_customer: float, minimum: int = 1) -> int:
        """How many of something today: customers * rate, the fraction rounded at random."""
        x = self.customers * per_customer
        return max(minimum, int(x) + (1 if self.random() < x - int(x) else 0))

    def between(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def at(self, after: int | None = None) -> int | None:
        """A moment of the day not before `after`; None when the day is over by then."""
        start = self.t0 if after is None else max(self.t0, after)
        return None if start > self.t1 else self.between(start, self.t1)

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]
