{#
    A numeric setting, refused at compile time unless it is a number, so a var can never inject SQL.
    `key` reads one entry of a dictionary var (the health-score weights).
#}
{% macro number_var(name, key=none) -%}
    {%- set value = var(name) if key is none else var(name)[key] -%}
    {%- if not (value is number and value is not boolean) -%}
        {%- do exceptions.raise_compiler_error(
            "var " ~ name ~ ("" if key is none else "." ~ key) ~ " must be a number, got " ~ value
        ) -%}
    {%- endif -%}
    {{ value }}
{%- endmacro %}
