"""Phone keys: every distinct (phone, region) pair in E.164, parsed once with `phonenumbers`.

Identity resolution matches phones only through this table (model.md): a maintained library, not
regular expressions, decides what a number is, and only numbers it judges valid get a key. Parsing is
the slow part of identity resolution at scale, so the table only grows: each build parses the pairs
it has not parsed before.
"""

import phonenumbers
import pyarrow as pa


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


def model(dbt, session):
    # incremental: a number parses the same way every day, so a run parses only pairs it has not seen
    dbt.config(materialized="incremental", incremental_strategy="append")
    listed = dbt.ref("int_phone_numbers_listed")
    if dbt.is_incremental:
        listed = listed.set_alias("listed").filter(
            f"not exists (select 1 from {dbt.this} as seen where seen.phone = listed.phone "
            "and seen.phone_region is not distinct from listed.phone_region)"
        )
    pairs = listed.fetchall()
    phones = [phone for phone, _ in pairs]
    regions = [region for _, region in pairs]
    return pa.table(
        {
            "phone": pa.array(phones, pa.string()),
            "phone_region": pa.array(regions, pa.string()),
            "phone_key": pa.array([e164(p, r) for p, r in pairs], pa.string()),
        }
    )
