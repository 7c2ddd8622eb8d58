{#
    A number as a double, for a ratio: `{{ double(100) }} * part / nullif(whole, 0)`. A literal such
    as `100.0` is a decimal, and engines divide decimals their own way (DuckDB gives a double,
    Spark rounds to six decimal places), so a ratio starts from a double on every engine.
#}
{% macro double(number) -%}
    cast({{ number }} as double)
{%- endmacro %}
