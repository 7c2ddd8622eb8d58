{#
    A stored ratio reconciles with its own numerator and denominator (model.md: every ratio comes
    with them, so a BI tool can re-aggregate it): column = scale x numerator / denominator, within
    1e-9 (nothing is rounded in storage), and null exactly when the denominator is 0 (a ratio over
    zero is null, never 0). numerator, denominator and scale are SQL expressions over the row
    (scale may depend on it: mart_cx_targets). Returns the rows breaking either rule; a row whose
    rule cannot be evaluated (a null denominator) fails too. The numerator is cast to `double`, a
    64-bit float on DuckDB and Spark alike (dbt.type_float() is a 32-bit `float` on both), so an
    integer division cannot truncate.
#}
{% test ratio_of(model, column_name, numerator, denominator, scale=1) %}

select *
from {{ model }}
where
    not coalesce(
        case
            when ({{ denominator }}) = 0 then {{ column_name }} is null
            else abs(
                {{ column_name }}
                - ({{ scale }}) * cast(({{ numerator }}) as double) / ({{ denominator }})
            ) <= 1e-9
        end,
        false
    )

{% endtest %}
