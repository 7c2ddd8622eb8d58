"""Lint-only stand-in for dbt's cross-database macros (the `dbt.` namespace), rendering DuckDB SQL.

Loaded by sqlfluff's jinja templater (see ../.sqlfluff), never by dbt.
"""


def hash(field):  # noqa: A001 - dbt's name
    return f"md5(cast({field} as varchar))"


def concat(fields):
    return " || ".join(fields)


def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    return f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + cast({interval} as bigint) * interval 1 {datepart})"


def type_string():
    return "varchar"


def type_bigint():
    return "bigint"


def type_timestamp():
    return "timestamp"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"
