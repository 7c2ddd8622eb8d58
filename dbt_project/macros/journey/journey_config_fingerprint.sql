{#
    What the journey's rows depend on besides the data and the as-of date: the touchpoint map and
    the reporting currency. When it changes, int_journey_scope rebuilds every customer.
    Each map row is rendered whole as text (row_as_text), so a new column counts too.
#}
{% macro journey_config_fingerprint() -%}
    md5(
        {{ sql_string(var('reporting_currency')) }} || '|' || coalesce((
            select {{ dbt.listagg(row_as_text('touchpoint_map'), "';'", 'order by touchpoint') }}
            from {{ ref('touchpoint_map') }} as touchpoint_map
        ), '')
    )
{%- endmacro %}

{# The whole row of the relation aliased `alias`, as text. #}
{% macro row_as_text(alias) -%}
    {{ return(adapter.dispatch('row_as_text', 'cx360')(alias)) }}
{%- endmacro %}

{% macro default__row_as_text(alias) -%}
    cast({{ alias }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__row_as_text(alias) -%}
    to_json(struct({{ alias }}.*))
{%- endmacro %}
