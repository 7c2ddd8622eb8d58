{#
    The as-of date of every "last N days" and "current" figure (model.md): var `as_of` when set,
    else the UTC date of the latest journey event. The latest event is read from the journey's
    input (int_touchpoints_unioned), which is fct_customer_journey's content before the as-of cut,
    so the default equals "the greatest occurred_at in fct_customer_journey" without a cycle.
    Renders a scalar expression of type date; use it once per model, in an `as_of` import CTE.
#}
{% macro as_of_date() -%}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {%- set as_of = var('as_of') -%}
    {%- if as_of and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', as_of | string) -%}
        {%- do exceptions.raise_compiler_error("var as_of must be YYYY-MM-DD, got " ~ as_of) -%}
    {%- endif -%}
    {%- set latest_event_date = '(select cast(max(occurred_at) as date) from ' ~ touchpoints ~ ')' -%}
    {{ 'cast(' ~ sql_string(as_of) ~ ' as date)' if as_of else latest_event_date }}
{%- endmacro %}
