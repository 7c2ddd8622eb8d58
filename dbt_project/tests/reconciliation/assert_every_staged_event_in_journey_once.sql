-- Reconciliation (quality.md): every staged source event up to the as-of date appears in
-- fct_customer_journey exactly once. Derived from staging independently of the journey models, so
-- a lost or doubled union branch shows here. Returns the events missing or repeated.
{{ config(meta={'dagster': {'ref': {'name': 'fct_customer_journey'}}}) }}

with

as_of as (
    select {{ day_end(as_of_date()) }} as as_of_end
),

orders as (
    select * from {{ ref('stg_sales__orders') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

expected as (
    select 'events' as source_entity, event_id as source_id, event_type as touchpoint, occurred_at
    from {{ ref('stg_marketing__events') }}
    where event_type not in ('email_sent', 'impression')
    union all
    select 'activities', activity_id, {{ dbt.concat(["'crm_'", "activity_type"]) }}, occurred_at
    from {{ ref('stg_crm__activities') }}
    union all
    select 'orders', order_id, 'order_placed', ordered_at from orders
    union all
    select 'orders', order_id, 'order_delivered', delivered_at from orders where delivered_at is not null
    union all
    select 'orders', order_id, {{ dbt.concat(["'order_'", "order_status"]) }}, updated_at
    from orders
    where order_status in ('cancelled', 'returned')
    union all
    select 'tickets', ticket_id, 'ticket_opened', created_at from tickets
    union all
    select 'tickets', ticket_id, 'ticket_solved', solved_at from tickets where solved_at is not null
    union all
    select 'surveys', response_id, {{ dbt.concat(["'survey_'", "survey_type"]) }}, responded_at
    from {{ ref('stg_support__surveys') }}
    union all
    select 'feedback', feedback_id, feedback_kind, created_at from {{ ref('stg_support__feedback') }}
),

expected_as_of as (
    select expected.source_entity, expected.source_id, expected.touchpoint
    from expected
    cross join as_of
    where expected.occurred_at < as_of.as_of_end
),

published as (
    select source_entity, source_id, touchpoint, count(*) as occurrences
    from {{ ref('fct_customer_journey') }}
    group by source_entity, source_id, touchpoint
)

select
    coalesce(expected_as_of.source_entity, published.source_entity) as source_entity,
    coalesce(expected_as_of.source_id, published.source_id) as source_id,
    coalesce(expected_as_of.touchpoint, published.touchpoint) as touchpoint,
    coalesce(published.occurrences, 0) as occurrences_in_journey,
    expected_as_of.source_id is not null as is_staged
from expected_as_of
full outer join published
    on expected_as_of.source_entity = published.source_entity
    and expected_as_of.source_id = published.source_id
    and expected_as_of.touchpoint = published.touchpoint
where published.occurrences is distinct from 1 or expected_as_of.source_id is null
