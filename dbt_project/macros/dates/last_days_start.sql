{#
    Start of "the last N days as of D" (model.md): D-(N-1) at 00:00 UTC, as a timestamp. The window
    ends with D, so it is `>= last_days_start(N)` and `< as_of_end`, both days included.
#}
{% macro last_days_start(days, as_of_date_column='as_of_date') -%}
    cast({{ dbt.dateadd('day', '-(' ~ days ~ ' - 1)', as_of_date_column) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
