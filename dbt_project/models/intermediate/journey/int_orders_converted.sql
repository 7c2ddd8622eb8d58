-- Every order with its total in the reporting currency, at the latest sales/fx_rates rate on or
-- before its order date. No rate: the amount is null and the order is flagged, never 0.

with

orders as (
    select * from {{ ref('stg_sales__orders') }}
),

fx_rates as (
    select * from {{ ref('stg_sales__fx_rates') }}
),

-- the latest rate on or before the order date: an as-of join, one probe per order
rated as (
    select
        orders.*,
        case
            when orders.currency = {{ sql_string(var('reporting_currency')) }} then 1.0
            else fx_rates.rate_to_reporting
        end as fx_rate
    from orders
    asof left join fx_rates
        on
            orders.currency = fx_rates.currency
            and cast(orders.ordered_at as date) >= fx_rates.rate_date
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
