"""What every part of a journey shares: the person, the random generator, ids, the sink."""

from __future__ import annotations

from datetime import date
from random import Random

from orchestration.generate.clock import seconds
from orchestration.generate.people import People, Person
from orchestration.generate.sink import Sink
from orchestration.generate.texts import LANGUAGE

CRM_FULL_CUTOFF = seconds(date(2026, 9, 1)) - 1  # crm/customers: full extract of 2026-08-31, then a delta
SALES_CUTOFF = seconds(date(2026, 8, 1)) - 1  # sales/customers: extract of 2026-07-31, then one of 2026-10-31
PERIOD_A_END = seconds(date(2026, 8, 1)) - 1  # tickets and surveys: May-July, then August-October
CRM_BATCHES = ("2026-08-31_full", "2026-10-31_delta")
SALES_BATCHES = ("2026-07-31", "2026-10-31")


def pick(rng: Random, table) -> str:
    r = rng.random()
    for value, w in table:
        r -= w
        if r < 0:
            return value
    return table[-1][0]


def variant(rng: Random, value: str, rate: float = 0.02) -> str:
    """An enum value as some systems write it: other case, stray spaces (still valid)."""
    if rng.random() >= rate:
        return value
    return rng.choice((value.upper(), value.capitalize(), f" {value} ", f" {value.capitalize()}"))


SALES_CHANNELS = (("web", 0.5), ("app", 0.25), ("store", 0.08), ("phone", 0.05), ("partner", 0.12))
TICKET_CHANNELS = (("email", 0.35), ("chat", 0.25), ("phone", 0.2), ("web_form", 0.15), ("social", 0.05))
PRIORITIES = (("normal", 0.55), ("low", 0.15), ("high", 0.2), ("urgent", 0.05), (None, 0.05))
FEEDBACK_SOURCES = (
    ("complaint_form", 0.3),
    ("social_media", 0.2),
    ("review_site", 0.2),
    ("email", 0.15),
    ("call_note", 0.1),
    ("store", 0.05),
)
ACTIVITY_TYPES = (("call", 0.35), ("email", 0.25), ("meeting", 0.2), ("follow_up", 0.15), ("visit", 0.05))
SCORES = {
    "nps": {"good": (7, 8, 9, 9, 10, 10), "neutral": (5, 6, 7, 8, 9), "bad": (0, 1, 2, 3, 4, 5, 6)},
    "csat": {"good": (4, 5, 5), "neutral": (3, 4), "bad": (1, 2, 3)},
    "ces": {"good": (5, 6, 7, 7), "neutral": (4, 5, 6), "bad": (1, 2, 3, 4)},
}


class Order:
    __slots__ = ("id", "t", "delivered", "late", "cancelled", "returned")

    def __init__(self, id_, t):
        self.id, self.t = id_, t
        self.delivered = self.returned = None
        self.late = self.cancelled = False


class Ticket:
    __slots__ = ("id", "created", "solved", "category", "reopened", "order_id")

    def __init__(self, id_, created, solved, category, reopened, order_id):
        self.id, self.created, self.solved, self.category = id_, created, solved, category
        self.reopened, self.order_id = reopened, order_id


class JourneyBase:
    def __init__(self, person: Person, rng: Random, sink: Sink, people: People):
        self.p, self.rng, self.sink, self.people = person, rng, sink, people
        self.n = {"E": 0, "O": 0, "T": 0, "R": 0, "F": 0, "A": 0}
        self._num = f"{person.num:07d}-"
        self._random = rng.random
        self.lang = LANGUAGE[person.country]
        # records of a person with a CRM duplicate carry no CRM id outside the CRM and the shop: ambiguous
        self.crm_ref = None if person.dup else person.crm_id
        self.crm_email: str | None = None  # as the CRM record holds it, once written

    # ---- ids and small helpers --------------------------------------------------------------------
    def _id(self, prefix: str, width: int = 1) -> str:
        n = self.n[prefix] = self.n[prefix] + 1
        return prefix + self._num + str(n).zfill(width)

    def _between(self, a: int, b: int) -> int:
        """rng.randint(a, b), cheaper (this runs millions of times)."""
        return a + int(self._random() * (b - a + 1))

    def _choice(self, seq):
        return seq[int(self._random() * len(seq))]

    def _crm_id_sometimes(self, rate: float) -> str | None:
        return self.crm_ref if self.crm_ref and self.rng.random() < rate else None

    def _ambiguous(self, entity: str, record_id: str, email: str | None, phone: str | None, crm: str | None):
        p = self.p
        if not p.dup or crm:
            return
        if (p.dup == "email" and email) or (p.dup == "phone" and phone and not email):
            self.sink.note(
                "ambiguous",
                {"entity": entity, "id": record_id, "rule": p.dup, "crm_customer_ids": [p.crm_id, p.dup_id]},
            )
