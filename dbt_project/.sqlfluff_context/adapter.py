"""Lint-only stand-in for dbt's `adapter` context, loaded by sqlfluff, never by dbt.

get_relation answers as if the relation exists (an incremental build), so the linter sees the SQL
of the branch that reads it; the other branch is linted too (sqlfluff renders both sides of an if).
"""


def get_relation(database, schema, identifier):
    return f"{schema}.{identifier}"


def get_columns_in_relation(relation):
    return []


def dispatch(macro_name, macro_namespace=None):
    """SQL of the shape the DuckDB implementation of our adapter-dispatched macros gives, for the
    linter to parse (dbt picks the real ones)."""
    rendered = {
        "not_materialized": lambda: "not materialized",
        "materialized": lambda: "materialized",
        "rows_digest": lambda columns: f"sum(hash({', '.join(columns)}))",
        "sql_string": lambda text: "'" + text.replace("'", "''") + "'",
        "row_as_text": lambda alias: f"cast({alias} as varchar)",
        "delete_where": lambda relation, condition: f"delete from {relation} where {condition}",
        "create_external_tables": lambda: "",
        "date_series": lambda start, end, datepart, column: (
            f"select cast(unnest(generate_series(cast({start} as timestamp), cast({end} as timestamp), "
            f"interval 1 {datepart})) as date) as {column}"
        ),
        "listagg_sorted": lambda measure, delimiter: (
            f"array_to_string(list_sort(list({measure}) filter (where {measure} is not null)), {delimiter})"
        ),
        "latest_rate_join": lambda orders, rates: (
            f"from {orders} asof left join {rates} on {orders}.currency = {rates}.currency "
            f"and cast({orders}.ordered_at as date) >= {rates}.rate_date"
        ),
    }
    return rendered[macro_name]
