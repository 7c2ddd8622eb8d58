{#
    Every day (or month) from `start_expression` to `end_expression`, both included, as a DATE
    column `column_name`: the spine of the daily and monthly marts, so a period without events is
    a row with zero counts and null ratios instead of a missing row. Both ends are SQL
    expressions (scalar subqueries welcome); nothing when either is null. Each engine's series
    function: dbt has no cross-database macro for it (dbt.date_spine needs its ends at compile time).
#}
{% macro date_series(start_expression, end_expression, datepart='day', column_name='day') -%}
    {%- set arguments = [start_expression, end_expression, datepart, column_name] -%}
    {{ return(adapter.dispatch('date_series', 'cx360')(*arguments)) }}
{%- endmacro %}

{% macro default__date_series(start_expression, end_expression, datepart, column_name) -%}
    select
        cast(unnest(generate_series(
            cast({{ start_expression }} as {{ dbt.type_timestamp() }}),
            cast({{ end_expression }} as {{ dbt.type_timestamp() }}),
            interval 1 {{ datepart }}
        )) as date) as {{ column_name }}
{%- endmacro %}

{% macro spark__date_series(start_expression, end_expression, datepart, column_name) -%}
    select
        explode(sequence(
            cast({{ start_expression }} as date),
            cast({{ end_expression }} as date),
            interval 1 {{ datepart }}
        )) as {{ column_name }}
{%- endmacro %}
