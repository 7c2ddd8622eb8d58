{#
    The exclusive end of a day: the next day at 00:00, as a timestamp. "Up to the end of D" is
    `< day_end(D)`, which keeps the last microsecond of D and nothing of D+1.
#}
{% macro day_end(date_column='as_of_date') -%}
    cast({{ dbt.dateadd('day', 1, date_column) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
