{#
    Every listed column is a count: 0 or more, never null (model.md: every ratio comes with its
    numerator and denominator, and a BI tool re-aggregating them needs a 0, not a null). One test
    for all the counts of a model, at model level, rather than two tests per column: a mart has
    up to a dozen counts, and each test is a query of its own. Returns the rows where any listed
    column is null or negative.
#}
{% test non_negative_counts(model, columns) %}

select *
from {{ model }}
where
    {% for column in columns -%}
        {{ 'or ' if not loop.first }}coalesce({{ column }} < 0, true)
    {% endfor %}

{% endtest %}
