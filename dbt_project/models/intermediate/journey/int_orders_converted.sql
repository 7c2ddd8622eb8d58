-- Every order with its total in the reporting currency, at the latest sales/fx_rates rate on or
-- before its order date (no rate: the amount is null and the order is flagged, never 0), and
-- whether it was valid as it stood on the as-of date (model.md, "Metric definitions").

with

orders as (
    select * from {{ ref('stg_sales__orders') }}
),

fx_rates as (
    select * from {{ ref('stg_sales__fx_rates') }}
),

as_of as (
    select {{ day_end(as_of_date()) }} as as_of_end
),

-- the latest rate on or before the order date (latest_rate_join: an as-of join on DuckDB)
rated as (
    select
        orders.*,
        case
            when orders.currency = {{ sql_string(var('reporting_currency')) }} then 1.0
            else fx_rates.rate_to_reporting
        end as fx_rate
    {{ latest_rate_join('orders', 'fx_rates') }}
),

final as (
    select
        rated.*,
        -- a cancellation or return happens at the updated_at of the version that says so
        -- (extracts.md): one after the as-of date has not happened yet, so the order stood valid
        -- (like a ticket solved after the as-of date is still open on it)
        (
            rated.order_status not in ('cancelled', 'returned')
            or rated.updated_at >= as_of.as_of_end
        ) as is_valid_order,
        -- exact decimals (totals to 4 places, rates to 8), so every sum is exact and identical from
        -- run to run, whatever order the engine adds the rows in. 18 + 18 digits: a product of at
        -- most 38 keeps all 12 decimals on every engine (Spark rounds a wider one to 6)
        cast(
            cast(rated.order_total as decimal(18, 4)) * cast(rated.fx_rate as decimal(18, 8))
            as decimal(38, 12)
        ) as order_total_reporting,
        rated.fx_rate is null as is_missing_fx_rate
    from rated
    cross join as_of
)

select * from final
