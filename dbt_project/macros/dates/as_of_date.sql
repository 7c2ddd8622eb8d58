{#
    The as-of date of every "last N days" and "current" figure (model.md): var `as_of` when set,
    else the UTC date of the latest journey event, which int_as_of_date works out once a build.
    Renders a scalar expression of type date; use it once per model, in an `as_of` import CTE.
#}
{% macro as_of_date() -%}
    {#- declared whatever the branch, so that dbt orders every model after it -#}
    {%- set worked_out = ref('int_as_of_date') -%}
    {{ as_of_var_date() or '(select as_of_date from ' ~ worked_out ~ ')' }}
{%- endmacro %}

{# var `as_of` (YYYY-MM-DD) as a date literal, or none when it is not set #}
{% macro as_of_var_date() -%}
    {%- set as_of = var('as_of') -%}
    {%- if as_of and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', as_of | string) -%}
        {%- do exceptions.raise_compiler_error("var as_of must be YYYY-MM-DD, got " ~ as_of) -%}
    {%- endif -%}
    {{- return('cast(' ~ sql_string(as_of) ~ ' as date)' if as_of else none) -}}
{%- endmacro %}
