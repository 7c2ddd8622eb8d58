{#
    dbt's date arithmetic on Spark, as DuckDB does it. dbt-spark's own dateadd goes through unix
    seconds (null for Spark's timestamps without a zone, which cx360 uses: profiles.yml) and its
    datediff differs from DuckDB's in the units it counts.
    - dateadd returns a timestamp, as DuckDB's date + interval does;
    - datediff counts the boundaries crossed (DuckDB's date_diff): days between the two dates,
      months between the two months; seconds, minutes and hours between whole timestamps; as a
      bigint, as DuckDB's (Spark's own datediff gives an int).
#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set start = 'cast(' ~ from_date_or_timestamp ~ ' as timestamp)' -%}
    {%- set n = 'cast(' ~ interval ~ ' as int)' -%}
    {%- if datepart == 'year' -%} ({{ start }} + make_ym_interval({{ n }}, 0))
    {%- elif datepart == 'quarter' -%} ({{ start }} + make_ym_interval(0, 3 * {{ n }}))
    {%- elif datepart == 'month' -%} ({{ start }} + make_ym_interval(0, {{ n }}))
    {%- elif datepart == 'week' -%} ({{ start }} + make_dt_interval(7 * {{ n }}, 0, 0, 0))
    {%- elif datepart == 'day' -%} ({{ start }} + make_dt_interval({{ n }}, 0, 0, 0))
    {%- elif datepart == 'hour' -%} ({{ start }} + make_dt_interval(0, {{ n }}, 0, 0))
    {%- elif datepart == 'minute' -%} ({{ start }} + make_dt_interval(0, 0, {{ n }}, 0))
    {%- elif datepart == 'second' -%} ({{ start }} + make_dt_interval(0, 0, 0, {{ n }}))
    {%- else -%} {{ exceptions.raise_compiler_error("dateadd: unsupported datepart " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast({{ spark_boundaries_crossed(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}

{% macro spark_boundaries_crossed(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%} datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart == 'month' -%}
        ((year({{ second_date }}) * 12 + month({{ second_date }})) - (year({{ first_date }}) * 12 + month({{ first_date }})))
    {%- elif datepart == 'year' -%} (year({{ second_date }}) - year({{ first_date }}))
    {%- elif datepart in ('hour', 'minute', 'second') -%}
        timestampdiff({{ datepart | upper }}, date_trunc('{{ datepart }}', {{ first_date }}), date_trunc('{{ datepart }}', {{ second_date }}))
    {%- else -%} {{ exceptions.raise_compiler_error("datediff: unsupported datepart " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}
