{#
    A month column is a DATE holding the month's first day (model.md, "Names BI tools rely on"),
    so BI tools join and sort months as dates. Returns the rows holding another day; nulls are
    left to not_null.
#}
{% test first_day_of_month(model, column_name) %}

select *
from {{ model }}
where extract(day from {{ column_name }}) <> 1

{% endtest %}
