{#
    Every column the model's YAML documents exists in the built table (model.md, "Names BI tools
    rely on": dashboards break when names move; more columns are welcome). The documented names
    are read from the model's own node in the graph, so they are written once, in the YAML.
    Returns one row per documented column the table lacks.
#}
{% test documented_columns_exist(model) %}

    {%- set missing = [] -%}
    {%- if execute -%}
        {%- set built = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model'
                and node.alias | lower == model.identifier | lower
                and node.schema | lower == model.schema | lower -%}
                {%- for column in node.columns if column | lower not in built -%}
                    {%- do missing.append('select ' ~ sql_string(column) ~ ' as missing_column') -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do missing.append('select cast(null as ' ~ dbt.type_string() ~ ') as missing_column') -%}

select missing_column
from (
    {{ missing | join('\n    union all\n    ') }}
) as documented
where missing_column is not null

{% endtest %}
