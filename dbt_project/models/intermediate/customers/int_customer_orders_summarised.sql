-- Valid orders per customer up to the as-of date, over all time and over the value-tier and churn
-- windows. Revenue sums the orders with a known reporting-currency amount (a missing fx rate is
-- null, never 0; orders_missing_fx_rate counts them).

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

valid_orders as (
    select
        journey.customer_key,
        journey.occurred_at as ordered_at,
        journey.revenue,
        journey.is_missing_fx_rate,
        journey.occurred_at
        >= {{ last_days_start(number_var('value_tier_window_days')) }} as is_in_value_tier_window,
        journey.occurred_at
        >= {{ last_days_start(number_var('churn_window_days')) }} as is_in_churn_window
    from journey
    cross join as_of
    where
        journey.touchpoint = 'order_placed'
        and journey.is_valid_order
        and journey.customer_key is not null
),

final as (
    select
        customer_key,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        count(*) as valid_orders,
        sum(revenue) as revenue,
        count(case when is_missing_fx_rate then 1 end) as orders_missing_fx_rate,
        count(case when is_in_value_tier_window then 1 end) as valid_orders_in_value_tier_window,
        sum(case when is_in_value_tier_window then revenue end) as revenue_in_value_tier_window,
        count(case when is_in_churn_window then 1 end) as valid_orders_in_churn_window
    from valid_orders
    group by customer_key
)

select * from final
