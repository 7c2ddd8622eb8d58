{#
    The raw zone as dbt's sources read it. On DuckDB, ingestion keeps a view per entity in the
    working database (orchestration/rawzone.py). On Spark each entity is an external Parquet
    table over the entity's folder of batch files, declared with the contract's columns, so a
    batch written before a column existed reads it as null (DuckDB's union_by_name) and an entity
    never delivered is an empty table. Run at the start of every dbt invocation (on-run-start),
    from var cx360_raw_tables ({table: {columns: definitions, location: folder}}), which the
    orchestration passes (orchestration/rawzone.py). A table already declared is refreshed: Spark
    caches a table's file listing.
#}
{% macro create_raw_tables() -%}
    {{ return(adapter.dispatch('create_raw_tables', 'cx360')()) }}
{%- endmacro %}

{% macro default__create_raw_tables() -%}
{%- endmacro %}

{% macro spark__create_raw_tables() -%}
    {%- set tables = var('cx360_raw_tables', {}) -%}
    {%- if tables -%}
        {%- do run_query('create database if not exists raw') -%}
    {%- endif -%}
    {%- for table, spec in tables.items() -%}
        {%- do run_query(
            'create table if not exists raw.' ~ table ~ ' (' ~ spec['columns'] ~ ') using parquet location '
            ~ sql_string(spec['location'])
        ) -%}
        {%- do run_query('refresh table raw.' ~ table) -%}
    {%- endfor -%}
{%- endmacro %}
