{#- The moment from which a ticket still open is friction (model.md: "tickets open over 72 hours"):
    72 hours after it was created. One rule for the journey's flag (int_touchpoints_enriched) and for
    the customers a moved as-of date re-derives (int_journey_scope). -#}
{% macro ticket_friction_from(created_at) -%}
    {{ dbt.dateadd('hour', 72, created_at) }}
{%- endmacro %}
