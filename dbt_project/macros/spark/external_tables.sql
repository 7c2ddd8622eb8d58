{#
    The tables dbt's sources read that no model builds. On DuckDB they are in the working database:
    ingestion keeps a view per raw entity (orchestration/rawzone.py) and the run writes its
    records to schema ops. On Spark each is an external Parquet table over a folder of files:
      - raw.<entity>: the entity's batch files, declared with the contract's columns, so a batch
        written before a column existed reads it as null (DuckDB's union_by_name) and an entity
        never delivered is an empty table;
      - ops.<table>: the run records the orchestration writes as Parquet before each Spark build
        (orchestration/spark_warehouse.py), their columns read from the file.
    Run at the start of every dbt invocation (on-run-start), from var cx360_external_tables
    ({schema.table: {columns: definitions (optional), location: folder}}), which the orchestration
    passes (settings.py). A table already declared is refreshed: Spark caches a table's file listing.
#}
{% macro create_external_tables() -%}
    {{ return(adapter.dispatch('create_external_tables', 'cx360')()) }}
{%- endmacro %}

{% macro default__create_external_tables() -%}
{%- endmacro %}

{% macro spark__create_external_tables() -%}
    {%- set tables = var('cx360_external_tables', {}) -%}
    {%- set schemas = [] -%}
    {%- for name in tables.keys() -%}
        {%- set schema = name.split('.')[0] -%}
        {%- if schema not in schemas -%}
            {%- do schemas.append(schema) -%}
            {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, spec in tables.items() -%}
        {%- set columns = ' (' ~ spec['columns'] ~ ')' if spec.get('columns') else '' -%}
        {%- do run_query(
            'create table if not exists ' ~ name ~ columns ~ ' using parquet location '
            ~ sql_string(spec['location'])
        ) -%}
        {%- do run_query('refresh table ' ~ name) -%}
    {%- endfor -%}
{%- endmacro %}
