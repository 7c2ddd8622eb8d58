{#
    The rows of a `values` list of age bands in whole days: (number, '<first>-<last> days', first,
    last) for each first day in the list var `starts_var`; a band ends the day before the next one
    starts, the last one with the window of `window_days_var` days. The vars must hold numbers, so
    a setting can never inject SQL.
#}
{% macro day_bands(starts_var, window_days_var) -%}
    {%- set starts = var(starts_var) -%}
    {%- set window_days = number_var(window_days_var) | int -%}
    {%- set rows = [] -%}
    {%- for start in starts -%}
        {%- if not (start is number and start is not boolean) -%}
            {%- do exceptions.raise_compiler_error("var " ~ starts_var ~ " must list numbers: " ~ start) -%}
        {%- endif -%}
        {%- set first_day = start | int -%}
        {%- set last_day = (starts[loop.index] | int) - 1 if not loop.last else window_days - 1 -%}
        {%- do rows.append(
            "(" ~ loop.index ~ ", '" ~ first_day ~ "-" ~ last_day ~ " days', " ~ first_day ~ ", " ~ last_day ~ ")"
        ) -%}
    {%- endfor -%}
    {{ rows | join(', ') }}
{%- endmacro %}
