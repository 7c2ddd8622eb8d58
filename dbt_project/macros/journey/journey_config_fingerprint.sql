{#
    What the journey's rows depend on besides the data and the as-of date: the touchpoint map and
    the reporting currency. When it changes, int_journey_scope rebuilds every customer.
    DuckDB renders a row as text (`cast(touchpoint_map as varchar)`), so a new column counts too.
#}
{% macro journey_config_fingerprint() -%}
    md5(
        {{ sql_string(var('reporting_currency')) }} || '|' || coalesce((
            select string_agg(cast(touchpoint_map as {{ dbt.type_string() }}), ';' order by touchpoint)
            from {{ ref('touchpoint_map') }} as touchpoint_map
        ), '')
    )
{%- endmacro %}
