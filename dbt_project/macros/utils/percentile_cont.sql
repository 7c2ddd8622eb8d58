{#
    The continuous percentile (linear interpolation between the two nearest values, model.md) of
    `expression` at `fraction` (0.5 = the median), ignoring nulls. The SQL-standard ordered-set
    aggregate `percentile_cont(f) within group (order by x)`, which DuckDB, Postgres, Snowflake,
    Redshift and SQL Server all run; dbt has no cross-database macro for it. Not DuckDB's
    `median()` or `quantile()`, which are not portable, nor `percentile_disc`, which picks a value.
#}
{% macro percentile_cont(fraction, expression) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}
