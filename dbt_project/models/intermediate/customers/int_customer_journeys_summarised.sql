-- Each customer's journey up to the as-of date: first and latest touch, the stage of the latest
-- touch, and the departments that touched them (sorted, comma-separated).

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

events as (
    select * from journey
    where customer_key is not null
),

departments as (
    select distinct
        customer_key,
        department
    from events
),

departments_listed as (
    select
        customer_key,
        {{ dbt.listagg('department', "','", 'order by department') }} as departments
    from departments
    group by customer_key
),

events_summarised as (
    select
        customer_key,
        count(*) as journey_events,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at,
        -- event_seq numbers a customer's events: the latest has the greatest (DuckDB and Spark
        -- both have max_by)
        max_by(journey_stage, event_seq) as current_stage
    from events
    group by customer_key
),

final as (
    select
        events_summarised.*,
        departments_listed.departments
    from events_summarised
    inner join departments_listed
        on events_summarised.customer_key = departments_listed.customer_key
)

select * from final
