{#
    dbt's own listagg on Spark drops the order (collect_list, with a warning), and the order is
    part of the figure (a customer's identifiers, the latest touchpoints newest first). Spark 4
    has the SQL-standard listagg ... within group (order by ...).
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg: limit_num is not supported on Spark") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}

{#
    The values of `measure` sorted ascending and joined by `delimiter_text`, nulls skipped (null
    when a group has none): dbt.listagg ordered by the measure itself. On DuckDB an ordered
    string_agg sorts every group apart; a list sorted per group gives the same text for less (at
    1M customers the identifiers' pivot 9.0 -> 6.4 s, the journeys' departments 2.5 -> 1.9 s).
#}
{% macro listagg_sorted(measure, delimiter_text) -%}
    {{ return(adapter.dispatch('listagg_sorted', 'cx360')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__listagg_sorted(measure, delimiter_text) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ measure) }}
{%- endmacro %}

{% macro duckdb__listagg_sorted(measure, delimiter_text) -%}
    array_to_string(list_sort(list({{ measure }}) filter (where {{ measure }} is not null)), {{ delimiter_text }})
{%- endmacro %}
