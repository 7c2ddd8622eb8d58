-- Value tier (model.md): customers with revenue > 0 in the last 365 days, ranked by that revenue
-- (ties by customer_key): the top 20% by count, rounding up, `high`; the top 50%, rounding up,
-- less the high ones, `mid`; the rest `low`. Every other customer is `none` (in dim_customer).

with

orders_summarised as (
    select * from {{ ref('int_customer_orders_summarised') }}
),

ranked as (
    select
        customer_key,
        revenue_in_value_tier_window,
        row_number() over (order by revenue_in_value_tier_window desc, customer_key asc) as revenue_rank,
        count(*) over () as ranked_customers
    from orders_summarised
    where revenue_in_value_tier_window > 0
),

final as (
    select
        customer_key,
        revenue_in_value_tier_window,
        revenue_rank,
        -- whole percentages: n * pct / 100.0 is exact where it is an integer, so ceil cuts exactly
        case
            when revenue_rank <= ceil(ranked_customers * {{ number_var('value_tier_high_pct') }} / 100.0)
                then 'high'
            when
                revenue_rank
                <= ceil(ranked_customers * {{ number_var('value_tier_mid_or_high_pct') }} / 100.0)
                then 'mid'
            else 'low'
        end as value_tier
    from ranked
)

select * from final
