{#
    Custom schemas are used as written (staging, intermediate, marts, reference) instead of dbt's
    default `<target schema>_<custom schema>`: one working database per environment, so the schema
    names do not need a prefix, and the publish step and BI users read plain names.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
