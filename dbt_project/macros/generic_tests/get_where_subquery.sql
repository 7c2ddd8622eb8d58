{#
    dbt's `where` config of a test (the rows it reads), with one form of our own for large
    incremental models: `where: "latest_build:<column>"` reads the rows the model's latest build
    wrote, those whose build-time column (build_started_at() on every row a build writes) holds its
    greatest value, optionally narrowed by `and <condition>`. A full build writes every row, so
    --full-refresh and a first build test the whole table; a daily build tests what it changed.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') or '' -%}
    {%- if where.startswith('latest_build:') -%}
        {%- set column, _, narrower = where.split(':', 1)[1].strip().partition(' ') -%}
        {%- set filtered -%}
            (
                select * from {{ relation }}
                where {{ column }} = (select max({{ column }}) from {{ relation }}) {{ narrower }}
            ) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -%}
{%- endmacro %}
