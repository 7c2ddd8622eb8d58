{#
    When this dbt invocation started, as a timestamp literal: every row an incremental model
    (re)writes in one build carries the same value, so a later model of a later build can ask
    which rows changed since it was built.
#}
{% macro build_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
