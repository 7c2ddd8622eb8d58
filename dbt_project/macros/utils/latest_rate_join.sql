{#
    `from <orders> left join <fx_rates>` on the latest rate of the order's currency on or before
    its order date (rates: currency, rate_date): the FROM clause of int_orders_converted.
    DuckDB has the as-of join, one probe per order. Elsewhere each rate is valid until the next
    one of its currency, and the order joins the rate whose days hold its date.
#}
{% macro latest_rate_join(orders, fx_rates) -%}
    {{ return(adapter.dispatch('latest_rate_join', 'cx360')(orders, fx_rates)) }}
{%- endmacro %}

{% macro duckdb__latest_rate_join(orders, fx_rates) -%}
    from {{ orders }}
    asof left join {{ fx_rates }}
        on
            {{ orders }}.currency = {{ fx_rates }}.currency
            and cast({{ orders }}.ordered_at as date) >= {{ fx_rates }}.rate_date
{%- endmacro %}

{% macro default__latest_rate_join(orders, fx_rates) -%}
    from {{ orders }}
    left join (
        select
            *,
            lead(rate_date) over (partition by currency order by rate_date) as _next_rate_date
        from {{ fx_rates }}
    ) as {{ fx_rates }}
        on
            {{ orders }}.currency = {{ fx_rates }}.currency
            and cast({{ orders }}.ordered_at as date) >= {{ fx_rates }}.rate_date
            and (
                {{ fx_rates }}._next_rate_date is null
                or cast({{ orders }}.ordered_at as date) < {{ fx_rates }}._next_rate_date
            )
{%- endmacro %}
