"""Who a generated person is: identity, which systems know them, and the special cases of the demo."""

from __future__ import annotations

from random import Random

from orchestration.generate import names
from orchestration.generate.clock import DAY, PERIOD_START
from orchestration.generate.phones import INVALID, Phone, unique_phone

# What kind of person: known to which systems.
#   customer      CRM + shop, buys (most journeys)
#   crm_lead      CRM only, never buys
#   shopper       shop only, not in the CRM: a prospect
#   email_lead    marketing only, with an e-mail address (newsletter sign-up)
#   visitor       marketing only, anonymous (cookie id)
#   support_contact  wrote to support once, known nowhere else
KINDS = (
    ("customer", 0.55),
    ("crm_lead", 0.10),
    ("shopper", 0.12),
    ("email_lead", 0.10),
    ("visitor", 0.10),
    ("support_contact", 0.03),
)
COUNTRIES = (("PL", 0.45), ("RO", 0.25), ("DE", 0.30))

# Fixed cases at fixed person numbers (person number = index + 1), present whenever that many are generated.
SPECIAL = {
    3: "bobby_tables",  # a name that looks like SQL
    5: "dup_email",  # a second CRM record with the same e-mail, written differently
    8: "dup_phone",  # a second CRM record with the same phone, written differently
    11: "invalid_phone_crm",  # the CRM holds a phone number that is not a valid number
    13: "unknown_crm_id_email",  # the shop's crm_customer_id does not exist; e-mail matches
    16: "unknown_crm_id_only",  # the shop's crm_customer_id does not exist; nothing else to match on
    18: "invalid_phone_shop",  # a shop-only customer with an invalid phone number
}
_SPECIAL_KIND = {"invalid_phone_shop": "shopper"}

_TAG_STEP = 7_919  # prime, coprime with 10^k: n -> n * step mod 10^k is a permutation
PHONE_CHANGE_OFFSET = 5_000_000  # a changed phone is the (n + offset)-th number of the country


def anonymous_id(num: int) -> str:
    """The marketing tool's cookie id of person `num`."""
    return f"{((num * 2 + 1) * 0x9E3779B1) % (1 << 40):010x}"


def _weighted(rng: Random, table) -> str:
    r = rng.random()
    for value, w in table:
        r -= w
        if r < 0:
            return value
    return table[-1][0]


class Person:
    __slots__ = (
        "num",
        "kind",
        "special",
        "country",
        "female",
        "first",
        "last",
        "email",
        "phone",
        "tag",
        "crm_id",
        "dup",
        "dup_id",
        "sales_no",
        "anon",
        "segment",
        "consent",
        "crm_created",
        "existing",
    )

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


class People:
    """Makes person number `num` (1-based) from the chunk's random generator."""

    def __init__(self, customers: int):
        self.customers = customers
        self.tag_mod = 10 ** max(3, len(str(customers)))

    def unknown_crm_id(self, num: int) -> str:
        """A CRM id that the CRM does not hold: numbered after the last generated person."""
        return f"C{self.customers + num:07d}"

    def make(self, num: int, rng: Random) -> Person:
        special = SPECIAL.get(num)
        kind = _SPECIAL_KIND.get(special, "customer") if special else _weighted(rng, KINDS)
        country = "PL" if special == "bobby_tables" else _weighted(rng, COUNTRIES)
        female = rng.random() < 0.5
        first, last = names.pick_name(country, female, rng)
        tag = ((num - 1) * _TAG_STEP + 17) % self.tag_mod
        in_crm = kind in ("customer", "crm_lead")
        r = rng.random()
        segment = "consumer" if r < 0.82 else "smb" if r < 0.96 else "enterprise"
        email = names.email_address(first, last, country, tag, segment != "consumer" and in_crm, rng)
        if special == "bobby_tables":
            first, last, email = (
                "Robert'); DROP TABLE customers;--",
                "Tables",
                f"bobby.tables{tag}@example.com",
            )
        phone: Phone = unique_phone(country, num - 1)
        dup = None
        if special in ("dup_email", "dup_phone"):
            dup = special[4:]
        elif in_crm and rng.random() < 0.01:
            dup = rng.choice(("email", "phone"))
        existing = in_crm and rng.random() < 0.5
        # an existing customer joined since 2024-01-01; a new one at sign-up, set by the journey
        crm_created = rng.randint(0, PERIOD_START - DAY) if existing else None
        return Person(
            num=num,
            kind=kind,
            special=special,
            country=country,
            female=female,
            first=first,
            last=last,
            email=email,
            phone=phone,
            tag=tag,
            crm_id=f"C{num:07d}" if in_crm else None,
            dup=dup,
            dup_id=f"L{num:07d}" if dup else None,
            sales_no=f"SC{num:07d}" if kind in ("customer", "shopper") else None,
            anon=anonymous_id(num),
            segment=segment,
            consent=rng.random() < 0.7,
            crm_created=crm_created,
            existing=existing,
        )


def invalid_phone(person: Person) -> str | None:
    if person.special == "invalid_phone_crm":
        return INVALID[0]
    if person.special == "invalid_phone_shop":
        return INVALID[1]
    return None
