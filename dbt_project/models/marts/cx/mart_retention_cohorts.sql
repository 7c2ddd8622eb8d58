-- Retention per first-order cohort (model.md): the cohort is the month of a customer's first
-- valid order; k months later (0 to the as-of month) it is the share of the cohort with a valid
-- order in month m + k. Month 0 is 1 by construction.

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

as_of as (
    select {{ month_start(as_of_date()) }} as as_of_month
),

order_months as (
    select distinct
        customer_key,
        {{ month_start('occurred_at') }} as order_month
    from journey
    where
        touchpoint = 'order_placed'
        and is_valid_order
        and customer_key is not null
),

cohorts as (
    select
        customer_key,
        min(order_month) as cohort_month
    from order_months
    group by customer_key
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_customers
    from cohorts
    group by cohort_month
),

months as (
    {{ date_series(
        '(select min(cohort_month) from cohorts)', '(select as_of_month from as_of)', 'month', 'month'
    ) }}
),

active as (
    select
        cohorts.cohort_month,
        order_months.order_month,
        count(*) as active_customers
    from cohorts
    inner join order_months
        on cohorts.customer_key = order_months.customer_key
    group by cohorts.cohort_month, order_months.order_month
),

final as (
    select
        -- grain
        cohort_sizes.cohort_month,
        {{ dbt.datediff('cohort_sizes.cohort_month', 'months.month', 'month') }} as months_since_first_order,
        -- figures
        months.month as activity_month,
        cohort_sizes.cohort_customers,
        coalesce(active.active_customers, 0) as active_customers,
        {{ double(1) }} * coalesce(active.active_customers, 0) / cohort_sizes.cohort_customers
            as retention_rate
    from cohort_sizes
    inner join months
        on cohort_sizes.cohort_month <= months.month
    left join active
        on cohort_sizes.cohort_month = active.cohort_month and months.month = active.order_month
)

select * from final
