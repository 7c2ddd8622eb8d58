-- The customers whose journey this build (re)derives. fct_customer_journey is incremental: it
-- deletes and rebuilds every row of these customers (and the few rows with no customer), so their
-- sequence, first-of-stage flags and journey stages are computed over all their events, exactly
-- as a full build would. One row (null, true) means: rebuild everything.
--
-- A customer is in scope when, since the last build (int_journey_watermark):
--   record        identity resolution re-matched one of their records (int_identity__assignments
--                 ._matched_at): it is new or corrected, or its customer may have changed; the
--                 customer it has now and the one the journey holds are both in scope
--   as_of         the as-of date moved and they have events between the two dates, or a ticket
--                 that turns into friction between them
--   fx_rate       a new rate re-prices their orders (latest rate on or before the order date)
--   campaign      a new or corrected campaign re-channels their marketing events
-- Everything is rebuilt on --full-refresh, on the first build, and when the touchpoint map or the
-- reporting currency changed (int_journey_watermark.config_fingerprint).

{{ config(materialized='table') }}

{#- the journey and its watermark as the previous build left them (sources: both are rebuilt after
    this model); none on the first build -#}
{%- set fact = source('previous_journey', 'fct_customer_journey') -%}
{%- set fact = adapter.get_relation(fact.database, fact.schema, fact.identifier) -%}
{%- set previous = source('previous_journey_watermark', 'int_journey_watermark') -%}
{%- set previous = adapter.get_relation(previous.database, previous.schema, previous.identifier) -%}
{#- a watermark from before built_at existed cannot say what changed since: rebuild once -#}
{%- set rebuild_all = flags.FULL_REFRESH or fact is none or previous is none
    or 'built_at' not in (adapter.get_columns_in_relation(previous) | map(attribute='name') | list) -%}

with

-- the inputs, declared whatever the branch so that dbt sees them; a full build selects none of them
-- noqa: disable=ST03
assignments as {{ not_materialized() }} (
    select * from {{ ref('int_identity__assignments') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

rates as (
    select * from {{ ref('stg_sales__fx_rates') }}
),

orders as (
    select * from {{ ref('stg_sales__orders') }}
),

marketing_events as (
    select * from {{ ref('stg_marketing__events') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

current_state as (
    select {{ journey_config_fingerprint() }} as config_fingerprint
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),
-- noqa: enable=ST03

{% if rebuild_all %}

    final as (
        select
            cast(null as {{ dbt.type_string() }}) as customer_key,
            true as is_rebuild_all,
            'full_build' as scope_reason
    )

{% else %}

    {#- The two as-of dates, read before the query runs, so that the filters on the dates between them
        compare with values: compared through a join, DuckDB took the day's touches for ~10M rows
        and built its hash table on the 20M assignments (8.1 s against 5.1 s, alone, at 1M). -#}
    {%- set dates = run_query(
        'select ' ~ as_of_date() ~ ', (select as_of_date from ' ~ previous ~ ')'
    ).rows[0] if execute else [none, none] -%}
    {%- set known = dates | reject('none') | list -%}
    {%- set date_sql = "cast(%s as date)" -%}
    {%- set changed_from = day_end(date_sql % sql_string(known | min)) if known else 'null' -%}
    {%- set changed_to = day_end(date_sql % sql_string(known | max)) if known else 'null' -%}
    {%- set is_as_of_moved = 'true' if dates[0] != dates[1] else 'false' -%}

    previous as (
        select * from {{ previous }}
    ),

    fact as (
        select * from {{ fact }}
    ),

    moved as (
        select
            (current_state.config_fingerprint is distinct from previous.config_fingerprint) as is_rebuild_all,
            previous.batch_seq
        from current_state
        cross join previous
    ),

    -- records identity resolution looked at again since the journey was built: new or corrected
    -- ones and those whose customer may have changed (int_identity_records_matched)
    rematched as (
        select
            source_system,
            source_entity,
            source_id,
            customer_key
        from assignments
        where _matched_at > (select previous.built_at from previous)
    ),

    -- their customer as they are now, and as the journey holds them
    record as (
        select
            customer_key,
            'record' as scope_reason
        from rematched
        union all
        select
            fact.customer_key,
            'record' as scope_reason
        from fact
        inner join rematched
            on
                fact.source_system = rematched.source_system
                and fact.source_entity = rematched.source_entity
                and fact.source_id = rematched.source_id
    ),

    -- events between the two as-of dates enter or leave the journey
    as_of_events as (
        select
            assignments.customer_key,
            'as_of' as scope_reason
        from touchpoints
        inner join assignments
            on
                touchpoints.source_system = assignments.source_system
                and touchpoints.source_entity = assignments.source_entity
                and touchpoints.source_id = assignments.source_id
        where
            {{ is_as_of_moved }}
            and touchpoints.occurred_at >= {{ changed_from }}
            and touchpoints.occurred_at < {{ changed_to }}
    ),

    -- a ticket open at the earlier as-of date turns into friction (open over 72 hours) by the later
    -- one only when its 72nd hour falls between them and it was not solved by then: with that hour
    -- before both dates, or after both, its flag is the same at both (at 1M customers the tickets
    -- open across a day were ~16,500 customers of a day's ~88,000, of whom ~170 turn into friction)
    as_of_tickets as (
        select
            assignments.customer_key,
            'as_of' as scope_reason
        from tickets
        inner join assignments
            on
                assignments.source_system = 'support'
                and assignments.source_entity = 'tickets'
                and tickets.ticket_id = assignments.source_id
        where
            {{ is_as_of_moved }}
            and {{ ticket_friction_from('tickets.created_at') }} >= {{ changed_from }}
            and {{ ticket_friction_from('tickets.created_at') }} < {{ changed_to }}
            and (
                tickets.solved_at is null
                or tickets.solved_at > {{ ticket_friction_from('tickets.created_at') }}
            )
    ),

    new_rates as (
        select
            currency,
            min(rate_date) as first_rate_date
        from rates
        where _batch_seq > (select moved.batch_seq from moved)
        group by currency
    ),

    fx_rate as (
        select
            assignments.customer_key,
            'fx_rate' as scope_reason
        from orders
        inner join new_rates
            on
                orders.currency = new_rates.currency
                and cast(orders.ordered_at as date) >= new_rates.first_rate_date
        inner join assignments
            on
                assignments.source_system = 'sales'
                and assignments.source_entity = 'orders'
                and orders.order_id = assignments.source_id
    ),

    -- the events of those campaigns first, then their customers: joined in one query, DuckDB
    -- hashed the 15M marketing assignments before it learnt that no campaign changed (a 1M day:
    -- 1.5-2.1 s for no row, 0.01 s like this)
    campaign_events as {{ materialized() }} (
        select events.event_id
        from marketing_events as events
        where events.campaign_id in (
            select campaigns.campaign_id from campaigns
            where campaigns._batch_seq > (select moved.batch_seq from moved)
        )
    ),

    campaign as (
        select
            assignments.customer_key,
            'campaign' as scope_reason
        from campaign_events
        inner join assignments
            on
                assignments.source_system = 'marketing'
                and assignments.source_entity = 'events'
                and campaign_events.event_id = assignments.source_id
    ),

    affected as (
        select * from record
        union all
        select * from as_of_events
        union all
        select * from as_of_tickets
        union all
        select * from fx_rate
        union all
        select * from campaign
    ),

    final as (
        select
            cast(null as {{ dbt.type_string() }}) as customer_key,
            true as is_rebuild_all,
            'config_changed' as scope_reason
        from moved
        where moved.is_rebuild_all
        union all
        -- one row per customer (the alphabetically first reason) keeps the key unique
        select
            customer_key,
            false as is_rebuild_all,
            min(scope_reason) as scope_reason
        from affected
        where
            customer_key is not null
            and not (select moved.is_rebuild_all from moved)
        group by customer_key
    )

{% endif %}

select * from final
