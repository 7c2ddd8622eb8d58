-- Who to call back (model.md): every detractor answer (NPS 0-6), low CSAT (1-2) and complaint
-- of the last var follow_up_window_days days that no one has answered yet, that is with no CRM
-- activity and no ticket reply for the same customer strictly after the signal and up to the
-- end of the as-of date. Prospects are queued; signals tied to no customer cannot be. Contact
-- details (pii_*): published to the restricted database only.

with

journey as {{ not_materialized() }} (
    select * from {{ ref('fct_customer_journey') }}
),

replies as (
    select * from {{ ref('int_customer_replies_listed') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

as_of as (
    select {{ last_days_start(number_var('follow_up_window_days'), as_of_date()) }} as window_start
),

signals as (
    select
        journey.customer_key,
        case
            when journey.touchpoint = 'complaint' then 'complaint'
            when journey.survey_type = 'nps' then 'detractor'
            else 'low_csat'
        end as signal,
        journey.occurred_at as signal_at,
        journey.source_id,
        journey.survey_score as signal_score,
        coalesce(journey.rated_touchpoint, journey.topic) as signal_about
    from journey
    cross join as_of
    where
        journey.customer_key is not null
        and journey.occurred_at >= as_of.window_start
        and (
            journey.touchpoint = 'complaint'
            or (journey.survey_type = 'nps' and journey.survey_score <= 6)
            or (journey.survey_type = 'csat' and journey.survey_score <= 2)
        )
),

open_signals as (
    select * from signals
    where not exists (
        select 1 from replies
        where replies.customer_key = signals.customer_key and replies.replied_at > signals.signal_at
    )
),

-- the latest touchpoints of the queued customers only: ranking every customer's events would
-- sort the whole journey for a queue of a few thousand
events_ranked as (
    select
        customer_key,
        journey_event_key,
        touchpoint,
        occurred_at,
        row_number() over (partition by customer_key order by occurred_at desc, journey_event_key desc)
            as recency_rank
    from journey
    where customer_key in (select open_signals.customer_key from open_signals)
),

latest_touchpoints as (
    select
        customer_key,
        max(case when recency_rank = 1 then touchpoint end) as latest_touchpoint,
        max(case when recency_rank = 1 then occurred_at end) as latest_touchpoint_at,
        {{ dbt.listagg(
            dbt.concat(["touchpoint", "' '", "cast(occurred_at as " ~ dbt.type_string() ~ ")"]),
            "', '",
            'order by occurred_at desc, journey_event_key desc'
        ) }} as latest_touchpoints
    from events_ranked
    where recency_rank <= {{ number_var('follow_up_latest_touchpoints') }}
    group by customer_key
),

final as (
    select
        -- grain
        open_signals.customer_key,
        open_signals.signal,
        open_signals.source_id,
        -- signal
        open_signals.signal_at,
        open_signals.signal_score,
        open_signals.signal_about,
        -- customer
        customers.crm_customer_id,
        customers.is_prospect,
        customers.segment,
        customers.value_tier,
        customers.health_score,
        customers.open_tickets,
        -- contact details: personal data
        customers.pii_name,
        customers.pii_email,
        customers.pii_phone,
        customers.pii_email_keys,
        customers.pii_phone_keys,
        -- latest touchpoints, newest first
        latest_touchpoints.latest_touchpoint,
        latest_touchpoints.latest_touchpoint_at,
        latest_touchpoints.latest_touchpoints
    from open_signals
    inner join customers
        on open_signals.customer_key = customers.customer_key
    left join latest_touchpoints
        on open_signals.customer_key = latest_touchpoints.customer_key
)

select * from final
