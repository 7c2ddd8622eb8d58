{#
    A setting as a SQL string literal, escaped: values are data, never SQL (quality.md).
    None gives a typed null, so an unset setting compares and coalesces like a missing value.
#}
{% macro sql_string(value) -%}
    {%- if value is none -%}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {%- endif -%}
    {{ return(adapter.dispatch('sql_string', 'cx360')(value | string)) }}
{%- endmacro %}

{% macro default__sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{#- Spark reads a backslash in a literal as an escape, and '' as two adjacent literals -#}
{% macro spark__sql_string(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
