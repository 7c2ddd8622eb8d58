-- The journey funnel per first-seen month cohort (model.md): of the customers first seen in a
-- month (dim_customer.first_seen_at), how many reached each stage up to the as-of date, how many
-- of those who reached the previous stage (in the order awareness, consideration, purchase,
-- service, loyalty) also reached this one, and how long after being first seen they got there.

with

customers as (
    select * from {{ ref('dim_customer') }}
),

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

stages as (
    {{ journey_stages() }}
),

cohort_customers as (
    select
        customer_key,
        first_seen_at,
        {{ month_start('first_seen_at') }} as cohort_month
    from customers
    where first_seen_at is not null
),

-- each customer's first event in each stage
stages_reached as (
    select
        cohort_customers.customer_key,
        cohort_customers.cohort_month,
        stages.stage_number,
        {{ dbt.datediff('cohort_customers.first_seen_at', 'journey.occurred_at', 'second') }}
        / {{ double(86400) }}
            as days_from_first_seen
    from cohort_customers
    inner join journey
        on cohort_customers.customer_key = journey.customer_key
    inner join stages
        on journey.journey_stage = stages.journey_stage
    where journey.is_first_of_stage
),

with_previous as (
    select
        stages_reached.*,
        previous_stage.customer_key is not null as reached_previous_stage
    from stages_reached
    left join stages_reached as previous_stage
        on
            stages_reached.customer_key = previous_stage.customer_key
            and stages_reached.stage_number = previous_stage.stage_number + 1
),

counted as (
    select
        cohort_month,
        stage_number,
        count(*) as customers,
        count(case when reached_previous_stage then 1 end) as converted_from_previous_stage,
        {{ percentile_cont(0.5, 'days_from_first_seen') }} as median_days_from_first_seen
    from with_previous
    group by cohort_month, stage_number
),

-- every stage of every cohort, reached or not
grid as (
    select
        cohorts.cohort_month,
        stages.stage_number,
        stages.journey_stage,
        cohorts.cohort_customers
    from (
        select
            cohort_month,
            count(*) as cohort_customers
        from cohort_customers
        group by cohort_month
    ) as cohorts
    cross join stages
),

final as (
    select
        -- grain
        grid.cohort_month,
        grid.journey_stage,
        -- figures
        grid.stage_number,
        grid.cohort_customers,
        coalesce(counted.customers, 0) as customers,
        coalesce(counted.converted_from_previous_stage, 0) as converted_from_previous_stage,
        coalesce(previous_counted.customers, 0) as previous_stage_customers,
        {{ double(1) }} * coalesce(counted.converted_from_previous_stage, 0)
        / nullif(previous_counted.customers, 0)
            as conversion_rate,
        counted.median_days_from_first_seen
    from grid
    left join counted
        on grid.cohort_month = counted.cohort_month and grid.stage_number = counted.stage_number
    left join counted as previous_counted
        on
            grid.cohort_month = previous_counted.cohort_month
            and grid.stage_number = previous_counted.stage_number + 1
)

select * from final
