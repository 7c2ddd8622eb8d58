"""Which delivered columns identify a person, how each is normalised, and its salted hash.

One rule, written twice because it runs in two places: `hash_sql` (DuckDB, over the raw zone and
a batch being loaded) and `hashes_of` (Python, over quarantined rows and rejected copies). Both
give sha256(salt | kind | normalised value) in hex, so an erasure's list and a later delivery meet
without either holding a value in clear. Normalisation follows model.md where it fixes one:
  - email: lower(trim(value)), the model's email key;
  - phone: the national number's digits (E.164 without the country code). A delivered number is
    written in any format, and its country comes from other rows; so a delivered number offers its
    digits with leading zeros dropped and with one, two or three leading digits dropped (a country
    code), and matches when any of these is the person's national number. Six digits at least;
  - handle: lower(trim(value)) without a leading @;
  - ids (a CRM id, a shop customer number, an anonymous id, an order id): trim(value).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path

from orchestration.sql import ident, literal

EMAIL, PHONE, HANDLE = "email", "phone", "handle"
CRM_ID, CUSTOMER_NUMBER, ANONYMOUS_ID, ORDER_ID = "crm_customer_id", "sales_customer_number", "anonymous_id", "order_id"
KINDS = (EMAIL, PHONE, HANDLE, CRM_ID, CUSTOMER_NUMBER, ANONYMOUS_ID, ORDER_ID)

# entity -> {contract column: kind}: a delivered row belongs to a person when one of these matches
IDENTIFIER_COLUMNS: dict[str, dict[str, str]] = {
    "crm/customers": {"customer_id": CRM_ID, "email": EMAIL, "phone": PHONE},
    "crm/activities": {"customer_id": CRM_ID},
    "marketing/events": {"contact_email": EMAIL, "anonymous_id": ANONYMOUS_ID, "crm_customer_id": CRM_ID},
    "sales/customers": {"customer_number": CUSTOMER_NUMBER, "email": EMAIL, "phone": PHONE, "crm_customer_id": CRM_ID},
    "sales/orders": {"customer_number": CUSTOMER_NUMBER, "order_id": ORDER_ID},
    "sales/order_lines": {"order_id": ORDER_ID},
    "support/tickets": {"requester_email": EMAIL, "requester_phone": PHONE, "crm_customer_id": CRM_ID},
    "support/surveys": {"respondent_email": EMAIL, "crm_customer_id": CRM_ID},
    "support/feedback": {"author_email": EMAIL, "author_handle": HANDLE, "crm_customer_id": CRM_ID},
}
# columns that hold a person's name: not identifiers (two people share one), but what an erasure
# removes from logs and documents besides the identifiers
NAME_COLUMNS = ("first_name", "last_name", "full_name")
# kinds whose values are the person's own (an order id is not personal data by itself)
PERSONAL_KINDS = (EMAIL, PHONE, HANDLE, CRM_ID, CUSTOMER_NUMBER, ANONYMOUS_ID)
_MIN_PHONE_DIGITS = 6
SALT_FILE = "salt"


def salt(privacy_dir: Path) -> str:
    """The warehouse's salt, made once: hashes from two warehouses cannot be joined."""
    path = privacy_dir / SALT_FILE
    if not path.exists():
        privacy_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(".salt.tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.replace(path)
    return path.read_text().strip()


def digest(salt_hex: str, kind: str, normalised: str) -> str:
    return hashlib.sha256(f"{salt_hex}|{kind}|{normalised}".encode()).hexdigest()


def normalised(kind: str, value) -> list[str]:
    """The forms of `value` that stand for it (a phone offers several); none for an empty value."""
    if value is None:
        return []
    text = str(value).strip()
    if not text:
        return []
    if kind == EMAIL:
        return [text.lower()]
    if kind == HANDLE:
        handle = text.lower().removeprefix("@")
        return [handle] if handle else []
    if kind == PHONE:
        digits = re.sub(r"\D", "", text).lstrip("0")
        return [d for d in (digits[i:] for i in range(4)) if len(d) >= _MIN_PHONE_DIGITS]
    return [text]


def hashes_of(salt_hex: str, kind: str, value) -> set[str]:
    return {digest(salt_hex, kind, n) for n in normalised(kind, value)}


def phone_national_number(phone_key: str) -> str | None:
    """The national number of an E.164 phone key (the form a person's phone is listed under)."""
    import phonenumbers

    try:
        return str(phonenumbers.parse(phone_key, None).national_number)
    except phonenumbers.NumberParseException:
        return None


def row_hashes(salt_hex: str, entity: str, row: dict) -> set[str]:
    """The hashes a delivered row offers; `row`'s keys as delivered (trimmed, any case)."""
    columns = IDENTIFIER_COLUMNS.get(entity, {})
    out: set[str] = set()
    for key, value in row.items():
        kind = columns.get(str(key).strip().lower())
        if kind:
            out |= hashes_of(salt_hex, kind, value)
    return out


def _normalised_sql(kind: str, text_sql: str) -> list[str]:
    """SQL of the forms of a varchar expression, as `normalised` gives them (null when empty)."""
    t = f"nullif(trim({text_sql}), '')"
    if kind == EMAIL:
        return [f"lower({t})"]
    if kind == HANDLE:
        return [f"nullif(regexp_replace(lower({t}), '^@', ''), '')"]
    if kind == PHONE:
        digits = f"ltrim(regexp_replace({t}, '[^0-9]', '', 'g'), '0')"
        return [
            f"case when length({digits}) - {i} >= {_MIN_PHONE_DIGITS} then {digits}[{i + 1}:] end" for i in range(4)
        ]
    return [t]


def hash_sql(salt_hex: str, kind: str, text_sql: str) -> list[str]:
    return [f"sha256({literal(salt_hex + '|' + kind + '|')} || {n})" for n in _normalised_sql(kind, text_sql)]


def match_sql(salt_hex: str, entity: str, hash_set_sql: str, present: set[str] | None = None) -> str:
    """A predicate: the row offers a hash in `hash_set_sql` (a one-column relation of hashes).
    `present`: the row's columns, when some identifier columns may be missing (a batch being read)."""
    terms = []
    for column, kind in IDENTIFIER_COLUMNS.get(entity, {}).items():
        if present is not None and column not in present:
            continue
        for h in hash_sql(salt_hex, kind, f"cast({ident(column)} as varchar)"):
            terms.append(f"{h} in (select * from {hash_set_sql})")
    # an empty identifier hashes to null: the predicate must say false, not null (`not null` is null)
    return "coalesce(" + " or ".join(terms) + ", false)" if terms else "false"
