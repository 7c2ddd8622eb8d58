-- The customers whose journey this build (re)derives. fct_customer_journey is incremental: it
-- deletes and rebuilds every row of these customers (and the few rows with no customer), so their
-- sequence, first-of-stage flags and journey stages are computed over all their events, exactly
-- as a full build would. One row (null, true) means: rebuild everything.
--
-- A customer is in scope when, since the last build (int_journey_watermark):
--   new_batch     one of their records has a version in a later batch (new or corrected records)
--   identity      one of their records changed customer (old and new customer both in scope) or
--                 stays with them by another rule (match_rule, crm_customer_id and is_prospect are kept)
--   as_of         the as-of date moved and they have events or open tickets around it
--   fx_rate       a new rate re-prices their orders (latest rate on or before the order date)
--   campaign      a new or corrected campaign re-channels their marketing events
-- Everything is rebuilt on --full-refresh, on the first build, and when the touchpoint map or the
-- reporting currency changed (int_journey_watermark.config_fingerprint).

-- the incremental branch's inputs (dbt cannot see refs inside a condition when it parses):
-- depends_on: {{ ref('int_identity__assignments') }}
-- depends_on: {{ ref('int_touchpoints_unioned') }}
-- depends_on: {{ ref('touchpoint_map') }}
-- depends_on: {{ ref('stg_marketing__events') }}
-- depends_on: {{ ref('stg_marketing__campaigns') }}
-- depends_on: {{ ref('stg_crm__activities') }}
-- depends_on: {{ ref('stg_sales__orders') }}
-- depends_on: {{ ref('stg_sales__fx_rates') }}
-- depends_on: {{ ref('stg_support__tickets') }}
-- depends_on: {{ ref('stg_support__surveys') }}
-- depends_on: {{ ref('stg_support__feedback') }}

{{ config(materialized='table') }}

{#- read by name, not ref(): both are built after this model, from the previous build -#}
{%- set fact = adapter.get_relation(this.database, 'marts', 'fct_customer_journey') -%}
{%- set previous = adapter.get_relation(this.database, this.schema, 'int_journey_watermark') -%}
{%- set rebuild_all = flags.FULL_REFRESH or fact is none or previous is none -%}

with

{% if rebuild_all %}

    final as (
        select
            cast(null as {{ dbt.type_string() }}) as customer_key,
            true as is_rebuild_all,
            'full_build' as scope_reason
    )

{% else %}

    previous as (
        select * from {{ previous }}
    ),

    fact as (
        select * from {{ fact }}
    ),

    assignments as (
        select * from {{ ref('int_identity__assignments') }}
    ),

    current_state as (
        select
            {{ as_of_date() }} as as_of_date,
            {{ journey_config_fingerprint() }} as config_fingerprint
    ),

    moved as (
        select
            current_state.*,
            {{ day_end('least(current_state.as_of_date, previous.as_of_date)') }} as changed_from,
            {{ day_end('greatest(current_state.as_of_date, previous.as_of_date)') }} as changed_to,
            (current_state.config_fingerprint is distinct from previous.config_fingerprint) as is_rebuild_all,
            (current_state.as_of_date is distinct from previous.as_of_date) as is_as_of_moved,
            previous.batch_seq
        from current_state
        cross join previous
    ),

    records as (
    {% for model, entity, id in [
        ('stg_marketing__events', 'marketing|events', 'event_id'),
        ('stg_crm__activities', 'crm|activities', 'activity_id'),
        ('stg_sales__orders', 'sales|orders', 'order_id'),
        ('stg_support__tickets', 'support|tickets', 'ticket_id'),
        ('stg_support__surveys', 'support|surveys', 'response_id'),
        ('stg_support__feedback', 'support|feedback', 'feedback_id'),
    ] %}
            select
                '{{ entity.split("|")[0] }}' as source_system,
                '{{ entity.split("|")[1] }}' as source_entity,
                {{ id }} as source_id,
                _batch_seq
            from {{ ref(model) }}
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ),

    new_batch as (
        select
            assignments.customer_key,
            'new_batch' as scope_reason
        from records
        inner join assignments
            on
                records.source_system = assignments.source_system
                and records.source_entity = assignments.source_entity
                and records.source_id = assignments.source_id
        where records._batch_seq > (select moved.batch_seq from moved)
    ),

    identity_changed as (
        select
            fact.customer_key as old_customer_key,
            assignments.customer_key as new_customer_key
        from fact
        inner join assignments
            on
                fact.source_system = assignments.source_system
                and fact.source_entity = assignments.source_entity
                and fact.source_id = assignments.source_id
        -- the journey keeps the evidence too: a record that stays with its customer by another rule changes
        where
            fact.customer_key is distinct from assignments.customer_key
            or fact.match_rule is distinct from assignments.match_rule
            or fact.crm_customer_id is distinct from assignments.crm_customer_id
            or fact.is_prospect is distinct from assignments.is_prospect
    ),

    identity as (
        select
            old_customer_key as customer_key,
            'identity' as scope_reason
        from identity_changed
        union all
        select
            new_customer_key as customer_key,
            'identity' as scope_reason
        from identity_changed
    ),

    -- events between the two as-of dates enter or leave the journey; a ticket open at the earlier
    -- one may turn into friction (open over 72 hours) by the later one
    as_of_events as (
        select
            assignments.customer_key,
            'as_of' as scope_reason
        from {{ ref('int_touchpoints_unioned') }} as touchpoints
        inner join assignments
            on
                touchpoints.source_system = assignments.source_system
                and touchpoints.source_entity = assignments.source_entity
                and touchpoints.source_id = assignments.source_id
        cross join moved
        where
            moved.is_as_of_moved
            and touchpoints.occurred_at >= moved.changed_from
            and touchpoints.occurred_at < moved.changed_to
    ),

    as_of_tickets as (
        select
            assignments.customer_key,
            'as_of' as scope_reason
        from {{ ref('stg_support__tickets') }} as tickets
        inner join assignments
            on
                assignments.source_system = 'support'
                and assignments.source_entity = 'tickets'
                and tickets.ticket_id = assignments.source_id
        cross join moved
        where
            moved.is_as_of_moved
            and tickets.created_at < moved.changed_to
            and (tickets.solved_at is null or tickets.solved_at >= moved.changed_from)
    ),

    new_rates as (
        select
            currency,
            min(rate_date) as first_rate_date
        from {{ ref('stg_sales__fx_rates') }}
        where _batch_seq > (select moved.batch_seq from moved)
        group by currency
    ),

    fx_rate as (
        select
            assignments.customer_key,
            'fx_rate' as scope_reason
        from {{ ref('stg_sales__orders') }} as orders
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

    campaign as (
        select
            assignments.customer_key,
            'campaign' as scope_reason
        from {{ ref('stg_marketing__events') }} as events
        inner join assignments
            on
                assignments.source_system = 'marketing'
                and assignments.source_entity = 'events'
                and events.event_id = assignments.source_id
        where events.campaign_id in (
            select campaigns.campaign_id from {{ ref('stg_marketing__campaigns') }} as campaigns
            where campaigns._batch_seq > (select moved.batch_seq from moved)
        )
    ),

    affected as (
        select * from new_batch
        union all
        select * from identity
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
