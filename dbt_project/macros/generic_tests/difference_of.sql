{#
    A stored difference (a gap to target, NPS with minus without) is exactly the difference it
    names: column = minuend - subtrahend within 1e-9, and null exactly when either side is null.
    minuend and subtrahend are SQL expressions over the row. Returns the rows breaking the rule.
#}
{% test difference_of(model, column_name, minuend, subtrahend) %}

select *
from {{ model }}
where
    not coalesce(
        case
            when ({{ minuend }}) is null or ({{ subtrahend }}) is null then {{ column_name }} is null
            else abs({{ column_name }} - (({{ minuend }}) - ({{ subtrahend }}))) <= 1e-9
        end,
        false
    )

{% endtest %}
