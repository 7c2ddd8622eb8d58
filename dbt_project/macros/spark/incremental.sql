{#
    Incremental models on Spark without a table format that deletes rows (plain Parquet, what a
    local Spark or a Thrift server writes without Delta or Iceberg jars). dbt-spark offers only
    append, insert_overwrite (by partition) and merge (Delta, Iceberg, Hudi); the models here merge
    by key (delete+insert, like DuckDB) or delete by a rule in a pre-hook (delete_where) and append.
    Both are done by rewriting the table: the rows kept and the new rows go into a new table, which
    then takes the old one's place. A day's build still computes only what changed; it writes the
    whole table again. Strategies and configs as on DuckDB, so the models carry no engine branch.
#}
{% materialization incremental, adapter='spark', supported_languages=['sql'] -%}
    {%- set strategy = config.get('incremental_strategy') or 'append' -%}
    {%- if strategy not in ['append', 'delete+insert'] -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy '" ~ strategy ~ "' of " ~ this ~ ": cx360 on Spark supports append and delete+insert"
        ) }}
    {%- endif -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- if strategy == 'delete+insert' and not unique_key -%}
        {{ exceptions.raise_compiler_error("delete+insert needs a unique_key: " ~ this) }}
    {%- endif -%}
    {%- set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'), default='ignore') -%}
    {%- set target_relation = this -%}
    {%- set existing_relation = load_relation(this) -%}
    {%- set tmp_relation = this.incorporate(path={"identifier": this.identifier ~ '__dbt_tmp'}).include(database=false, schema=false) -%}

    {{ run_hooks(pre_hooks) }}

    {%- if existing_relation is none or existing_relation.is_view or should_full_refresh() -%}
        {%- if existing_relation is not none -%}
            {% do adapter.drop_relation(existing_relation) %}
        {%- endif -%}
        {%- call statement('main') -%}
            {{ create_table_as(False, target_relation, sql) }}
        {%- endcall -%}
    {%- else -%}
        {%- call statement('create_tmp_relation') -%}
            {{ create_table_as(True, tmp_relation, sql) }}
        {%- endcall -%}
        {%- do process_schema_changes(on_schema_change, tmp_relation, existing_relation) -%}
        {%- set columns = adapter.get_columns_in_relation(target_relation) | map(attribute='quoted') | join(', ') -%}
        {%- if strategy == 'append' -%}
            {%- call statement('main') -%}
                insert into table {{ target_relation }} select {{ columns }} from {{ tmp_relation }}
            {%- endcall -%}
        {%- else -%}
            {%- set keys = [unique_key] if unique_key is string else unique_key -%}
            {%- set merged -%}
                select {{ columns }} from {{ target_relation }} as kept
                where not exists (
                    select 1 from {{ tmp_relation }} as new
                    where {% for key in keys %}new.{{ key }} = kept.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
                )
                union all
                select {{ columns }} from {{ tmp_relation }}
            {%- endset -%}
            {%- call statement('main') -%}
                {{ cx360.spark_replace_table(target_relation, merged) }}
            {%- endcall -%}
        {%- endif -%}
    {%- endif -%}

    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}


{#
    Replaces `relation`'s rows with what `select_sql` returns (it may read the relation itself):
    written to a new table first, which then takes the old one's name. Runs every statement but
    the last, the rename, which it returns for the caller to run.
#}
{% macro spark_replace_table(relation, select_sql) -%}
    {%- set replacement = relation.incorporate(path={"identifier": relation.identifier ~ '__dbt_replacement'}) -%}
    {%- do run_query('drop table if exists ' ~ replacement) -%}
    {%- do run_query('create table ' ~ replacement ~ ' using parquet as ' ~ select_sql) -%}
    {%- do run_query('drop table ' ~ relation) -%}
    alter table {{ replacement }} rename to {{ relation }}
{%- endmacro %}
