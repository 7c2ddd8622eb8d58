"""A phone number as identity resolution keys it: E.164, parsed with `phonenumbers`.

Identity resolution matches phones only through these keys (model.md): a maintained library, not
regular expressions, decides what a number is, and only numbers it judges valid get a key. The
dbt model int_phone_numbers_parsed calls it as the SQL function `cx360_phone_key(phone, region)`,
which each engine runs in Python (orchestration/dbt_functions.py).
"""

from __future__ import annotations

import phonenumbers


def e164(phone: str | None, region: str | None) -> str | None:
    """E.164 of `phone` read in `region`; None when unparseable or invalid.

    Without a region only international numbers parse (model.md); `00` is then read as `+`, the
    international prefix of most of Europe, so `0040 721 234 567` is +40721234567.
    """
    text = (phone or "").strip()
    if not text:
        return None
    region = region.strip().upper() if region and region.strip() else None
    if region is None and text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
