{#- Whether a customer's journey is re-derived by this build: listed in int_journey_scope, or everyone
    when the scope says rebuild all. The journey, its enriched touches and the per-customer journey
    summary delete and read by this one rule. `scope`: the relation of int_journey_scope (a CTE's
    name where the model imports it; the model itself by default). -#}
{% macro in_journey_scope(customer_key, scope=none) -%}
    {%- set scope = scope or ref('int_journey_scope') -%}
    (
        {{ customer_key }} in (select in_scope.customer_key from {{ scope }} as in_scope)
        or {{ journey_scope_rebuilds_all(scope) }}
    )
{%- endmacro %}

{#- Whether the scope says rebuild all, as a scalar subquery over `scope`. -#}
{% macro journey_scope_rebuilds_all(scope) -%}
    (select coalesce(bool_or(in_scope.is_rebuild_all), false) from {{ scope }} as in_scope)
{%- endmacro %}

{#- Whether this build's int_journey_scope re-derives every customer (a full build): read from the
    scope once it is built; false while dbt parses, compiles before a first build, or runs a unit
    test (the ref is then a fixture, not a table). -#}
{% macro journey_rebuilds_everyone() -%}
    {%- set scope = ref('int_journey_scope') -%}
    {%- if not execute or scope.schema is none or load_relation(scope) is none -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(run_query('select ' ~ journey_scope_rebuilds_all(scope)).rows[0][0]) }}
{%- endmacro %}
