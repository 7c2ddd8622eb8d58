{#
    None of the listed columns is ever null. One test for all the required columns of a model, at
    model level, rather than dbt's not_null on each column: a model has up to a dozen of them, and
    every test is a query and a node of its own (~0.05 s each, on every build). Returns the rows
    where any listed column is null.
#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where
    {% for column in columns -%}
        {{ 'or ' if not loop.first }}{{ column }} is null
    {% endfor %}

{% endtest %}
