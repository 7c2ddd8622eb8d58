{#- The journey's stages in their order (model.md): the one list the funnel, the journey map and the
    journey's first-of-stage flags read (the seed touchpoint_map's tests accept only these). -#}
{% macro journey_stage_names() -%}
    {{ return(['awareness', 'consideration', 'purchase', 'service', 'loyalty']) }}
{%- endmacro %}

{#- The stages as a relation (stage_number, journey_stage), to lay them out left to right. -#}
{% macro journey_stages() -%}
    {%- set rows = [] -%}
    {%- for stage in journey_stage_names() -%}
        {%- do rows.append("(" ~ loop.index ~ ", '" ~ stage ~ "')") -%}
    {%- endfor -%}
    select
        stage_order.stage_number,
        stage_order.journey_stage
    from (
        values
        {{ rows | join(', ') }}
    ) as stage_order (stage_number, journey_stage)
{%- endmacro %}
