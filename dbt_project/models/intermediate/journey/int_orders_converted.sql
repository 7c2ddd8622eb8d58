-- Every order with its total in the reporting currency, at the latest sales/fx_rates rate on or
-- before its order date. No rate: the amount is null and the order is flagged, never 0.

with

orders as (
    select * from {{ ref('stg_sales__orders') }}
),

fx_rates as (
    select * from {{ ref('stg_sales__fx_rates') }}
),

rates_ranked as (
    select
        orders.order_id,
        fx_rates.rate_to_reporting,
        row_number() over (partition by orders.order_id order by fx_rates.rate_date desc) as rate_rank
    from orders
    inner join fx_rates
        on
            orders.currency = fx_rates.currency
            and fx_rates.rate_date <= cast(orders.ordered_at as date)
),

rated as (
    select
        orders.*,
        case
            when orders.currency = {{ sql_string(var('reporting_currency')) }} then 1.0
            else rates_ranked.rate_to_reporting
        end as fx_rate
    from orders
    left join rates_ranked
        on
            orders.order_id = rates_ranked.order_id
            and rates_ranked.rate_rank = 1
),

final as (
    select
        *,
        order_status not in ('cancelled', 'returned') as is_valid_order,
        -- exact decimals (totals to 4 places, rates to 8), so every sum is exact and identical from
        -- run to run, whatever order the engine adds the rows in
        cast(order_total as decimal(38, 4)) * cast(fx_rate as decimal(18, 8)) as order_total_reporting,
        fx_rate is null as is_missing_fx_rate
    from rated
)

select * from final
