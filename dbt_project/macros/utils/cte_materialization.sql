{#
    Written between a CTE's name and its body, `name as {{ not_materialized() }} (select ...)`:
    the CTE is read where it is used, not copied first. DuckDB copies every CTE a query names more
    than once into memory before reading it, even a plain `select * from` a table: for the import
    CTEs of large tables (the 20M identity records) that copy was most of a model's time
    (int_identity_records_matched, when it matched every record: 25 s of a 26 s daily build at 1M,
    5 s without it). Engines that inline such CTEs anyway get nothing. Used on the import CTEs of
    tables a model reads more than once, but not in the touchpoint view: its consumers join it with
    much else, and inlining its orders made the full journey run out of memory.
#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'cx360')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}

{#
    The opposite, `name as {{ materialized() }} (select ...)`: a small result that a query reads
    several times is worked out once (the keys delivered more than once, in latest_versions).
    Engines without the hint decide for themselves.
#}
{% macro materialized() -%}
    {{ return(adapter.dispatch('materialized', 'cx360')()) }}
{%- endmacro %}

{% macro default__materialized() -%}
{%- endmacro %}

{% macro duckdb__materialized() -%}
    materialized
{%- endmacro %}
