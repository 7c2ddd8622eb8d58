-- Reconciliation (quality.md): every staged source event up to the as-of date appears in
-- fct_customer_journey exactly once. Derived from staging independently of the journey models, so
-- a lost or doubled union branch shows here. Returns the events missing or repeated.
-- The two sides' counts and digests (rows_digest) are compared first, one scan each; the join that
-- names the events runs on rows only when they differ (at 1M: 1 s instead of 6-9 s).
{{ config(meta={'dagster': {'ref': {'name': 'fct_customer_journey'}}}) }}
{%- set event_key = ['source_entity', 'source_id', 'touchpoint'] %}

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

expected_as_of as {{ not_materialized() }} (
    select expected.source_entity, expected.source_id, expected.touchpoint
    from expected
    cross join as_of
    where expected.occurred_at < as_of.as_of_end
),

journey as {{ not_materialized() }} (
    select source_entity, source_id, touchpoint from {{ ref('fct_customer_journey') }}
),

totals as (
    select
        (select count(*) from expected_as_of) as expected_rows,
        (select count(*) from journey) as journey_rows,
        (select {{ rows_digest(event_key) }} from expected_as_of) as expected_digest,
        (select {{ rows_digest(event_key) }} from journey) as journey_digest
),

differs as (
    select (
        expected_rows != journey_rows
        or expected_digest is distinct from journey_digest
    ) as the_rows_differ
    from totals
),

expected_when_differs as (
    select
        expected_as_of.source_entity,
        expected_as_of.source_id,
        expected_as_of.touchpoint
    from expected_as_of
    cross join differs
    where differs.the_rows_differ
),

published as (
    select
        journey.source_entity,
        journey.source_id,
        journey.touchpoint,
        count(*) as occurrences
    from journey
    cross join differs
    where differs.the_rows_differ
    group by journey.source_entity, journey.source_id, journey.touchpoint
)

select
    coalesce(expected_when_differs.source_entity, published.source_entity) as source_entity,
    coalesce(expected_when_differs.source_id, published.source_id) as source_id,
    coalesce(expected_when_differs.touchpoint, published.touchpoint) as touchpoint,
    coalesce(published.occurrences, 0) as occurrences_in_journey,
    expected_when_differs.source_id is not null as is_staged
from expected_when_differs
full outer join published
    on expected_when_differs.source_entity = published.source_entity
    and expected_when_differs.source_id = published.source_id
    and expected_when_differs.touchpoint = published.touchpoint
where published.occurrences is distinct from 1 or expected_when_differs.source_id is null
