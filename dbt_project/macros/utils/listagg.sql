{#
    dbt's own listagg on Spark drops the order (collect_list, with a warning), and the order is
    part of the figure (a customer's identifiers, the latest touchpoints newest first). Spark 4
    has the SQL-standard listagg ... within group (order by ...).
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg: limit_num is not supported on Spark") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
