{#
    The e-mail key of identity resolution (model.md): lower(trim(email)), an empty result is null.
    No other rewriting: dots and +tags are kept.
#}
{% macro email_key(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}
