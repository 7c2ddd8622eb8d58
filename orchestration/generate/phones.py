"""Phone numbers: unique per person, written in the many ways people write them, all valid.

Each country has a list of number ranges (area or mobile prefix + a fixed number of subscriber digits).
Every range and every written form is checked once, at import, with the `phonenumbers` library; a range
that fails is dropped, so every number this module writes is valid (except `INVALID`, on purpose).
"""

from __future__ import annotations

from random import Random

import phonenumbers

CALLING_CODE = {"PL": "48", "RO": "40", "DE": "49"}

# (prefix, subscriber digits). PL and RO numbers are 9 digits, DE lengths vary with the area code.
_RANGES = {
    "PL": tuple(
        (p, 6)
        for p in (
            "500",
            "501",
            "502",
            "510",
            "512",
            "530",
            "533",
            "535",
            "570",
            "572",
            "601",
            "602",
            "603",
            "604",
            "660",
            "661",
            "691",
            "692",
            "697",
            "720",
            "721",
            "730",
            "735",
            "781",
            "784",
            "790",
            "880",
            "883",
            "22",
            "12",
            "61",
            "71",
        )
    ),
    "RO": tuple(
        (p, 6)
        for p in (
            "721",
            "722",
            "723",
            "724",
            "726",
            "727",
            "728",
            "729",
            "740",
            "742",
            "744",
            "745",
            "746",
            "747",
            "748",
            "749",
            "751",
            "752",
            "755",
            "760",
            "762",
            "764",
            "765",
            "766",
            "770",
            "771",
            "773",
            "784",
            "786",
            "788",
        )
    ),
    "DE": (
        ("30", 7),
        ("30", 8),
        ("40", 7),
        ("40", 8),
        ("89", 7),
        ("89", 8),
        ("69", 7),
        ("221", 7),
        ("211", 7),
        ("151", 8),
        ("152", 8),
        ("157", 8),
        ("160", 7),
        ("162", 7),
        ("163", 7),
        ("170", 7),
        ("171", 7),
        ("172", 7),
        ("173", 7),
        ("174", 7),
        ("175", 7),
        ("176", 8),
        ("177", 8),
        ("178", 8),
        ("179", 7),
    ),
}


def _pl_groups(nsn: str) -> str:
    return f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}" if len(nsn) == 9 else nsn


# Written forms. Each gets (prefix, subscriber, nsn) and returns text. National forms need the country
# as default region; international ones (+ or 00) parse without it.
_NATIONAL = {
    "PL": (
        lambda p, s, n: f"{n[:3]}-{n[3:6]}-{n[6:]}",
        lambda p, s, n: _pl_groups(n),
        lambda p, s, n: n,
        lambda p, s, n: f"0048 {_pl_groups(n)}",
    ),
    "RO": (
        lambda p, s, n: f"0{n[:3]} {n[3:6]} {n[6:]}",
        lambda p, s, n: f"0{n}",
        lambda p, s, n: f"0{n[:3]}-{n[3:6]}-{n[6:]}",
        lambda p, s, n: f"0040 {n[:3]} {n[3:6]} {n[6:]}",
    ),
    "DE": (
        lambda p, s, n: f"(0{p}) {s}",
        lambda p, s, n: f"0{p} {s}",
        lambda p, s, n: f"0{p}/{s}",
        lambda p, s, n: f"0049 {p} {s}",
    ),
}
_INTERNATIONAL = {
    "PL": (
        lambda p, s, n: f"+48 {_pl_groups(n)}",
        lambda p, s, n: f"+48{n}",
        lambda p, s, n: f"+48 {n[:3]}-{n[3:6]}-{n[6:]}",
    ),
    "RO": (
        lambda p, s, n: f"+40 {n[:3]} {n[3:6]} {n[6:]}",
        lambda p, s, n: f"+40{n}",
        lambda p, s, n: f"+40 {n}",
    ),
    "DE": (lambda p, s, n: f"+49 {p} {s}", lambda p, s, n: f"+49{n}", lambda p, s, n: f"+49 ({p}) {s}"),
}

# Deliberately invalid numbers (too short, unallocated).
INVALID = ("+48 123", "0721 000")


def _e164(text: str, region: str | None) -> str | None:
    try:
        n = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return (
        phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) if phonenumbers.is_valid_number(n) else None
    )


def _checked_ranges() -> dict[str, tuple[tuple[str, int], ...]]:
    ok = {}
    for country, ranges in _RANGES.items():
        forms = _NATIONAL[country] + _INTERNATIONAL[country]
        kept = []
        for prefix, digits in ranges:
            tails = (
                "0" * digits,
                "9" * digits,
                "1234567890"[:digits],
                "5" + "0" * (digits - 1),
                "8" * digits,
            )
            good = True
            for tail in tails:
                nsn = prefix + tail
                want = f"+{CALLING_CODE[country]}{nsn}"
                if not all(_e164(f(prefix, tail, nsn), country) == want for f in forms) or not all(
                    _e164(f(prefix, tail, nsn), None) == want for f in _INTERNATIONAL[country]
                ):
                    good = False
                    break
            if good:
                kept.append((prefix, digits))
        if len(kept) < 10:
            raise RuntimeError(f"phonenumbers rejects almost every {country} range; check the library version")
        ok[country] = tuple(kept)
    return ok


RANGES = _checked_ranges()
_STEP = 7_654_321  # odd and not a multiple of 5: a permutation of any range of size 2^a * 5^b


class Phone:
    """One person's number: (country, prefix, subscriber)."""

    __slots__ = ("country", "prefix", "subscriber")

    def __init__(self, country: str, prefix: str, subscriber: str):
        self.country, self.prefix, self.subscriber = country, prefix, subscriber

    @property
    def nsn(self) -> str:
        return self.prefix + self.subscriber

    @property
    def e164(self) -> str:
        return f"+{CALLING_CODE[self.country]}{self.nsn}"

    def national(self, rng: Random) -> str:
        p, s = self.prefix, self.subscriber
        return rng.choice(_NATIONAL[self.country])(p, s, p + s)

    def international(self, rng: Random) -> str:
        p, s = self.prefix, self.subscriber
        return rng.choice(_INTERNATIONAL[self.country])(p, s, p + s)

    def written(self, rng: Random, international: float = 0.5) -> str:
        return self.international(rng) if rng.random() < international else self.national(rng)


def unique_phone(country: str, n: int) -> Phone:
    """The n-th number of a country: distinct n below 10 million give distinct numbers."""
    ranges = RANGES[country]
    v = (n * _STEP + 12_345) % 10_000_000  # a permutation of 0 .. 10^7-1
    r, sub = divmod(v, 1_000_000)
    # ten groups of ranges; the subscriber number picks the range inside its group
    prefix, digits = ranges[r + 10 * (sub % (len(ranges) // 10))]
    lead = "".join(str(2 + (v >> k) % 7) for k in range(digits - 6))  # no subscriber number starts with 0
    return Phone(country, prefix, lead + str(sub).rjust(6, "0"))
