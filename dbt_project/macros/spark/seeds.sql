{#
    Seeds on Spark: dbt-spark's session mode binds each value as the text '{value}', so an empty
    cell became the string 'None' and a quote broke the statement. The seeds are small: their
    values are written into the insert as literals instead.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set sql -%}
        insert into {{ this.render() }} values
        {% for row in agate_table.rows -%}
            ({%- for value in row -%}
                {%- set name = agate_table.column_names[loop.index0] -%}
                {%- set type = column_override.get(name, adapter.convert_type(agate_table, loop.index0)) -%}
                cast({{ cx360.seed_literal(value) }} as {{ type }}){% if not loop.last %}, {% endif %}
            {%- endfor -%}){% if not loop.last %},{% endif %}
        {% endfor %}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {{ return(sql) }}
{% endmacro %}

{% macro seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        {{ sql_string(value | string) }}
    {%- endif -%}
{%- endmacro %}
