{#
    dbt-utils' expression_is_true: a row-level rule that must hold. Returns the rows where it does
    not (a null result fails too: a rule that cannot be evaluated is not known to hold). Narrow
    it with the test's `where` config.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
