{#
    Deletes the rows of `relation` for which `condition` holds, in a pre-hook:
    `pre_hook="{{ delete_where(this, 'customer_key in (...)') }}"`. DuckDB deletes them; Spark
    (plain Parquet) keeps the others in a new table that takes the old one's place.
#}
{% macro delete_where(relation, condition) -%}
    {{ return(adapter.dispatch('delete_where', 'cx360')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_where(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro spark__delete_where(relation, condition) -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='quoted') | join(', ') -%}
    {%- set kept = 'select ' ~ columns ~ ' from ' ~ relation
        ~ ' where not coalesce(' ~ condition ~ ', false)' -%}
    {{ cx360.spark_replace_table(relation, kept) }}
{%- endmacro %}
