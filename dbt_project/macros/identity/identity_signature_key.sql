{#
    The key of an identity signature (int_identity_signatures_matched): md5 of its identifiers, a
    null written apart from any value (`-`, a value as `=<value>`), so that two signatures share a
    key only when they are the same. The records are joined to their signature by the identifiers
    themselves (null-safe), not by this key: it is worked out for the signatures alone.
#}
{% macro identity_signature_key(is_crm_master, given_crm_customer_id, email_key, phone_key) -%}
    {%- set parts = ["case when " ~ is_crm_master ~ " then 'm' else 'r' end"] -%}
    {%- for column in [given_crm_customer_id, email_key, phone_key] -%}
        {%- do parts.extend(["'|'", "case when " ~ column ~ " is null then '-' else "
            ~ dbt.concat(["'='", column]) ~ " end"]) -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
