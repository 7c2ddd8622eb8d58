{#
    An aggregate: a digest of a set of rows that does not depend on their order (the exact sum of a
    64-bit hash of each row's columns). Two sets with the same count and digest hold the same rows
    (a different set would need a hash collision), found with one scan of each instead of a join;
    publish's snapshots name their files the same way.
#}
{% macro rows_digest(columns) -%}
    {{ return(adapter.dispatch('rows_digest', 'cx360')(columns)) }}
{%- endmacro %}

{% macro default__rows_digest(columns) -%}
    {{ exceptions.raise_compiler_error(
        "rows_digest: no 64-bit row hash for the " ~ target.type ~ " adapter yet"
    ) }}
{%- endmacro %}

{% macro duckdb__rows_digest(columns) -%}
    sum(hash({{ columns | join(', ') }}))
{%- endmacro %}

{% macro spark__rows_digest(columns) -%}
    {#- xxhash64 is signed: summed as a decimal, it cannot overflow -#}
    sum(cast(xxhash64({{ columns | join(', ') }}) as decimal(38, 0)))
{%- endmacro %}
