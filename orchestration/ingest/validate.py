"""Typing and row validation of a batch, in one set-based SQL statement.

Each contract column gets a typed value and, when the text cannot be that value, an error
`reason_code|column|message`. A row's first error (in column order) decides its quarantine
reason; all its errors are kept in the message. Reason codes (quality.md's row errors):
missing_required, invalid_type, invalid_enum, out_of_range, negative_amount, end_before_start,
duplicate_key, not_an_object, and the implausible values: not_finite (a number such as 1e999),
future_timestamp (after the delivery, beyond a tolerance) and before_floor (before the earliest
plausible date). Implausible values never reach the models, so they count in no figure and never
move the as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.contracts import Column, Entity
from orchestration.sql import ident, literal

_INTEGER = r"^[+-]?[0-9]+$"
_DECIMAL = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_TRUE = ("true", "t", "yes", "1")
_FALSE = ("false", "f", "no", "0")


@dataclass(frozen=True)
class TimeLimits:
    """The plausible range of a batch's timestamps (quality.md): from the floor to the delivery plus a tolerance."""

    floor: dt.date
    delivered_at: dt.datetime
    tolerance: dt.timedelta

    @property
    def latest(self) -> dt.datetime:
        return self.delivered_at + self.tolerance


def _text(c: Column, prefix: str = "") -> str:
    """The column's text with empty and blank strings as null (extracts.md: empty means null)."""
    col = ident(prefix + c.name)
    return f"(case when trim({col}) = '' then null else {col} end)"


def _in(values) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def _when_matches(text_sql: str, pattern: str, sql_type: str) -> str:
    """Cast only text of the right shape: DuckDB would round '3.5' into an integer, for one."""
    text = f"trim({text_sql})"
    return f"case when regexp_full_match({text}, {literal(pattern)}) then try_cast({text} as {sql_type}) end"


def typed_expr(c: Column) -> str:
    t = _text(c)
    if c.type == "string":
        return f"upper(trim({t}))" if c.upper else t
    if c.type == "enum":
        return f"lower(trim({t}))"
    if c.type == "timestamp":
        return f"cast(timezone('UTC', try_cast(trim({t}) as timestamptz)) as timestamp)"
    if c.type == "date":
        return f"try_cast(trim({t}) as date)"
    if c.type == "boolean":
        word = f"lower(trim({t}))"
        return f"case when {word} in {_in(_TRUE)} then true when {word} in {_in(_FALSE)} then false end"
    if c.type == "integer":
        return _when_matches(t, _INTEGER, "bigint")
    if c.type == "decimal":
        return _when_matches(t, _DECIMAL, "double")
    raise ValueError(f"unknown type {c.type}")


def _err(code: str, column: str, message_sql: str) -> str:
    return f"{literal(code + '|' + column + '|')} || {message_sql}"


def _shown(text_sql: str) -> str:
    """The offending value, shortened, for the message."""
    return f"'''' || left({text_sql}, 60) || ''''"


def column_errors(entity: Entity, c: Column, limits: TimeLimits | None = None) -> list[tuple[str, str]]:
    """(condition, error) SQL of each of this column's checks, in the order they are checked."""
    t, v, name = _text(c, "_src_"), f"v.{ident(c.name)}", c.name
    checks: list[tuple[str, str]] = []
    if c.required:
        checks.append((f"{t} is null", _err("missing_required", name, literal(f"required value {name} is empty"))))
    if c.type == "enum":
        allowed = ", ".join(c.enum)
        checks.append(
            (
                f"{t} is not null and {v} not in {_in(c.enum)}",
                _err("invalid_enum", name, f"{_shown(t)} || {literal(f' is not one of: {allowed}')}"),
            )
        )
    elif c.type not in ("string",):
        what = {
            "timestamp": "an ISO-8601 timestamp",
            "date": "a YYYY-MM-DD date",
            "boolean": "a boolean",
            "integer": "a whole number",
            "decimal": "a decimal number",
        }[c.type]
        checks.append(
            (
                f"{t} is not null and {v} is null",
                _err("invalid_type", name, f"{_shown(t)} || {literal(f' is not {what}')}"),
            )
        )
    if c.type == "decimal":
        checks.append(
            (
                f"{v} is not null and not isfinite({v})",
                _err("not_finite", name, f"{_shown(t)} || {literal(' is not a finite number')}"),
            )
        )
    if c.type == "timestamp" and limits:
        latest, floor = limits.latest.replace(microsecond=0), limits.floor
        hours = limits.tolerance.total_seconds() / 3600
        checks.append(
            (
                f"{v} is not null and {v} > {literal(latest.isoformat(' '))}::timestamp",
                _err(
                    "future_timestamp",
                    name,
                    f"{_shown(t)} || "
                    + literal(
                        f" is in the future of the delivery ({limits.delivered_at:%Y-%m-%d %H:%M} UTC) by more "
                        f"than the {hours:g} hours tolerated"
                    ),
                ),
            )
        )
        checks.append(
            (
                f"{v} is not null and {v} < {literal(floor.isoformat())}::timestamp",
                _err(
                    "before_floor",
                    name,
                    f"{_shown(t)} || {literal(f' is before {floor.isoformat()}, the earliest date taken')}",
                ),
            )
        )
    if c.minimum is not None:
        op, word = (">=", "at least") if c.minimum_inclusive else (">", "greater than")
        code = "negative_amount" if c.type == "decimal" and c.minimum == 0 and c.minimum_inclusive else "out_of_range"
        checks.append(
            (
                f"{v} is not null and not ({v} {op} {c.minimum:g})",
                _err(code, name, f"{_shown(t)} || {literal(f' must be {word} {c.minimum:g}')}"),
            )
        )
    if c.maximum is not None:
        checks.append(
            (
                f"{v} is not null and {v} > {c.maximum:g}",
                _err("out_of_range", name, f"{_shown(t)} || {literal(f' must be at most {c.maximum:g}')}"),
            )
        )
    if c.not_before:
        other = f"v.{ident(c.not_before)}"
        checks.append(
            (
                f"{v} is not null and {other} is not null and {v} < {other}",
                _err("end_before_start", name, f"{_shown(t)} || {literal(f' is before {c.not_before}')}"),
            )
        )
    if c.name == "score" and entity.score_ranges:
        for kind, (lo, hi) in entity.score_ranges.items():
            checks.append(
                (
                    f"v.survey_type = {literal(kind)} and {v} is not null and ({v} < {lo} or {v} > {hi})",
                    _err(
                        "out_of_range",
                        name,
                        f"{_shown(t)} || {literal(f' is outside {lo}-{hi} for {kind} surveys')}",
                    ),
                )
            )
    return checks


def checked_sql(entity: Entity, limits: TimeLimits | None = None) -> str:
    """batch_src -> one row per source row: typed columns, first error and all errors; timestamps
    outside `limits` are errors."""
    typed = ", ".join(f"{typed_expr(c)} as {ident(c.name)}" for c in entity.columns)
    # JSONL: a line that is JSON but not an object has no fields at all
    checks = [("_not_object", "'not_an_object||the record is not a JSON object'")]
    checks += [check for c in entity.columns for check in column_errors(entity, c, limits)]
    listed = ", ".join(f"case when {cond} then {err} end" for cond, err in checks)
    # the list is built only for a row with an error: building and filtering it for every row cost
    # more than the checks themselves
    all_errors = (
        f"case when {' or '.join(f'({cond})' for cond, _ in checks)} "
        f"then list_filter([{listed}], lambda x: x is not null) else []::varchar[] end"
    )
    keys = [ident(k) for k in entity.key]
    duplicate = (
        f"{literal('duplicate_key|' + '+'.join(entity.key) + '|key ')} || "
        f"concat_ws('/', {', '.join('e.' + k for k in keys)}) || ' appears more than once in the file'"
    )
    originals = ", ".join(f"{ident(c.name)} as {ident('_src_' + c.name)}" for c in entity.columns)
    drop = ", ".join(ident("_src_" + c.name) for c in entity.columns)
    same_key = " and ".join(f"e.{k} = r.{k}" for k in keys)
    # a key's first error-free row loads, its later ones are duplicates: found by grouping (almost
    # every key appears once), not by numbering every row of the file in key order
    return f"""
        with v as (
            select {typed}, _row_number, _not_object, {originals}
            from batch_src
        ),
        e as materialized (
            select v.*, {all_errors} as _errors from v
        ),
        repeated as (
            select {", ".join(keys)}, min(_row_number) as _first_row
            from e where len(_errors) = 0
            group by all having count(*) > 1
        )
        select e.* exclude (_errors, _not_object, {drop}),
            case
                when len(e._errors) > 0 then e._errors
                when e._row_number > r._first_row then [{duplicate}]
                else []
            end as _errors
        from e left join repeated as r on {same_key} and len(e._errors) = 0
    """
