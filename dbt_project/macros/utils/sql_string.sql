{#
    A setting as a SQL string literal, quotes doubled: values are data, never SQL (quality.md).
    None gives a typed null, so an unset setting compares and coalesces like a missing value.
#}
{% macro sql_string(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
