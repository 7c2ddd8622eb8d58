{#
    customer_key (model.md): md5 of `crm:<customer_id>` or `prospect:<kind>:<key>` through dbt's
    cross-database hash, so the same customer gets the same key in every run and on every engine.
#}
{% macro crm_customer_key(crm_customer_id) -%}
    {{ dbt.hash(dbt.concat(["'crm:'", crm_customer_id])) }}
{%- endmacro %}

{% macro prospect_customer_key(prospect_kind, prospect_key) -%}
    {{ dbt.hash(dbt.concat(["'prospect:'", prospect_kind, "':'", prospect_key])) }}
{%- endmacro %}
