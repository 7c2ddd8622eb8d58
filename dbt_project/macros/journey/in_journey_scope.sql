{#- Whether a customer's journey is re-derived by this build: listed in int_journey_scope, or everyone
    when the scope says rebuild all. The journey, its enriched touches and the per-customer journey
    summary delete and read by this one rule. `scope`: the relation of int_journey_scope (a CTE's
    name where the model imports it; the model itself by default). -#}
{% macro in_journey_scope(customer_key, scope=none) -%}
    {%- set scope = scope or ref('int_journey_scope') -%}
    (
        {{ customer_key }} in (select in_scope.customer_key from {{ scope }} as in_scope)
        or (select bool_or(in_scope.is_rebuild_all) from {{ scope }} as in_scope)
    )
{%- endmacro %}
