-- Every journey touch of every department, one row per event (model.md). `email_sent` and
-- `impression` are outbound reach, not journey steps: they stay in the marketing reach figures.

{{ config(materialized='view') }}

with

marketing_events as (
    select * from {{ ref('stg_marketing__events') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

crm_activities as (
    select * from {{ ref('stg_crm__activities') }}
),

orders as (
    select * from {{ ref('stg_sales__orders') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

surveys as (
    select * from {{ ref('stg_support__surveys') }}
),

feedback as (
    select * from {{ ref('stg_support__feedback') }}
),

-- outbound reach is not a journey step; channel: the campaign's, else e-mail for e-mail touches,
-- else the website
marketing_touchpoints as (
    select
        'marketing' as source_system,
        'events' as source_entity,
        marketing_events.event_id as source_id,
        marketing_events.event_type as touchpoint,
        marketing_events.occurred_at,
        'marketing' as department,
        coalesce(
            campaigns.campaign_channel,
            case
                when marketing_events.event_type in ('email_open', 'email_click', 'unsubscribe') then 'email'
                else 'web'
            end
        ) as channel
    from marketing_events
    left join campaigns
        on marketing_events.campaign_id = campaigns.campaign_id
    where marketing_events.event_type not in ('email_sent', 'impression')
),

crm_touchpoints as (
    select
        'crm' as source_system,
        'activities' as source_entity,
        activity_id as source_id,
        {{ dbt.concat(["'crm_'", "activity_type"]) }} as touchpoint,
        occurred_at,
        'account_management' as department,
        case activity_type
            when 'call' then 'phone'
            when 'meeting' then 'in_person'
            when 'visit' then 'in_person'
            else activity_type
        end as channel
    from crm_activities
),

orders_placed as (
    select
        'sales' as source_system,
        'orders' as source_entity,
        order_id as source_id,
        'order_placed' as touchpoint,
        ordered_at as occurred_at,
        'sales' as department,
        sales_channel as channel
    from orders
),

orders_delivered as (
    select
        'sales' as source_system,
        'orders' as source_entity,
        order_id as source_id,
        'order_delivered' as touchpoint,
        delivered_at as occurred_at,
        'sales' as department,
        sales_channel as channel
    from orders
    where delivered_at is not null
),

-- the latest version's updated_at is when the order was cancelled or returned
orders_cancelled_or_returned as (
    select
        'sales' as source_system,
        'orders' as source_entity,
        order_id as source_id,
        {{ dbt.concat(["'order_'", "order_status"]) }} as touchpoint,
        updated_at as occurred_at,
        'sales' as department,
        sales_channel as channel
    from orders
    where order_status in ('cancelled', 'returned')
),

tickets_opened as (
    select
        'support' as source_system,
        'tickets' as source_entity,
        ticket_id as source_id,
        'ticket_opened' as touchpoint,
        created_at as occurred_at,
        'customer_service' as department,
        ticket_channel as channel
    from tickets
),

tickets_solved as (
    select
        'support' as source_system,
        'tickets' as source_entity,
        ticket_id as source_id,
        'ticket_solved' as touchpoint,
        solved_at as occurred_at,
        'customer_service' as department,
        ticket_channel as channel
    from tickets
    where solved_at is not null
),

survey_touchpoints as (
    select
        'support' as source_system,
        'surveys' as source_entity,
        response_id as source_id,
        {{ dbt.concat(["'survey_'", "survey_type"]) }} as touchpoint,
        responded_at as occurred_at,
        'customer_service' as department,
        'survey' as channel
    from surveys
),

feedback_touchpoints as (
    select
        'support' as source_system,
        'feedback' as source_entity,
        feedback_id as source_id,
        feedback_kind as touchpoint,
        created_at as occurred_at,
        'customer_service' as department,
        feedback_source as channel
    from feedback
),

unioned as (
    select * from marketing_touchpoints
    union all
    select * from crm_touchpoints
    union all
    select * from orders_placed
    union all
    select * from orders_delivered
    union all
    select * from orders_cancelled_or_returned
    union all
    select * from tickets_opened
    union all
    select * from tickets_solved
    union all
    select * from survey_touchpoints
    union all
    select * from feedback_touchpoints
)

select * from unioned
