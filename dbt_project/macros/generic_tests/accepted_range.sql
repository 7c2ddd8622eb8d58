{#
    dbt-utils' accepted_range: every value of the column lies within [min_value, max_value] (either
    bound may be left out; `inclusive=false` excludes the bounds). Returns the rows outside it. A
    null is not judged here: whether a column may be null is a not_null test (a ratio over zero is
    null, model.md). The bounds are SQL, so a bound may depend on the row (mart_cx_targets: the
    metric's range).
#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

    {%- set bounds = ['1 = 1'] -%}
    {%- if min_value is not none -%}
        {%- do bounds.append(column_name ~ (' >= ' if inclusive else ' > ') ~ min_value) -%}
    {%- endif -%}
    {%- if max_value is not none -%}
        {%- do bounds.append(column_name ~ (' <= ' if inclusive else ' < ') ~ max_value) -%}
    {%- endif -%}

select *
from {{ model }}
where not ({{ bounds | join(' and ') }})

{% endtest %}
