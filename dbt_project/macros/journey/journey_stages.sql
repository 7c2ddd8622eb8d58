{#- The journey's stages in their order (model.md), as a relation (stage_number, journey_stage):
    the funnel and the journey map lay them out left to right from this one list. -#}
{% macro journey_stages() -%}
    select
        stage_order.stage_number,
        stage_order.journey_stage
    from (
        values
        (1, 'awareness'), (2, 'consideration'), (3, 'purchase'), (4, 'service'), (5, 'loyalty')
    ) as stage_order (stage_number, journey_stage)
{%- endmacro %}
