{#
    The calendar month of a timestamp or date as a DATE, the month's first day: the `month` column
    of every mart (model.md, "Names BI tools rely on"). dbt's date_trunc returns a timestamp on
    some engines, hence the cast.
#}
{% macro month_start(expression) -%}
    cast({{ dbt.date_trunc('month', expression) }} as date)
{%- endmacro %}
