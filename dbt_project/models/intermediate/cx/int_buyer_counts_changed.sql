-- How the number of buying customers changes from day to day, for the rolling KPIs (model.md):
-- on day d, a customer is active with 1+ valid orders, and a repeat buyer with 2+, in the
-- var kpi_rolling_window_days days ending on d. Counting distinct customers over a moving
-- window row by row would join every day to every order; instead each valid order opens an
-- interval of days, disjoint per customer, and the count is a running sum of +1/-1 changes:
--   active: order i counts from its day until the customer's next order day or its day + N,
--           whichever comes first (the latest order on or before d is what keeps d active);
--   repeat: order i (not the first) counts from its day until the next order day or the
--           previous order's day + N (d needs the order before the latest one in the window).
-- Intervals are half-open [start, end); an empty one (two orders on one day) changes nothing.

{% set window_days = number_var('kpi_rolling_window_days') %}

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

valid_orders as (
    select
        customer_key,
        cast(occurred_at as date) as order_day,
        lead(cast(occurred_at as date)) over (
            partition by customer_key order by occurred_at, source_id
        ) as next_order_day,
        lag(cast(occurred_at as date)) over (
            partition by customer_key order by occurred_at, source_id
        ) as previous_order_day
    from journey
    where
        touchpoint = 'order_placed'
        and is_valid_order
        and customer_key is not null
),

intervals as (
    select
        'active' as kind,
        order_day as started_on,
        least(
            coalesce(next_order_day, {{ dbt.dateadd('day', window_days, 'order_day') }}),
            {{ dbt.dateadd('day', window_days, 'order_day') }}
        ) as ended_before
    from valid_orders
    union all
    select
        'repeat' as kind,
        order_day as started_on,
        least(
            coalesce(next_order_day, {{ dbt.dateadd('day', window_days, 'previous_order_day') }}),
            {{ dbt.dateadd('day', window_days, 'previous_order_day') }}
        ) as ended_before
    from valid_orders
    where previous_order_day is not null
),

changes as (
    select
        kind,
        cast(started_on as date) as day,
        1 as change
    from intervals
    where started_on < ended_before
    union all
    select
        kind,
        cast(ended_before as date) as day,
        -1 as change
    from intervals
    where started_on < ended_before
),

final as (
    select
        day,
        sum(case when kind = 'active' then change else 0 end) as active_customers_change,
        sum(case when kind = 'repeat' then change else 0 end) as repeat_customers_change
    from changes
    group by day
)

select * from final
