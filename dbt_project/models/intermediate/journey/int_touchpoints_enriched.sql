-- Every touch up to the end of the as-of date, with its customer, the attributes of its source
-- record, and its revenue, experience score and friction (model.md). Only the customers in this
-- build's scope (int_journey_scope: everyone on a full build) and the touches with no customer.

{{ config(materialized='view') }}

with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

assignments as (
    select * from {{ ref('int_identity__assignments') }}
),

orders as (
    select * from {{ ref('int_orders_converted') }}
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

scope as (
    select * from {{ ref('int_journey_scope') }}
),

as_of as (
    select {{ day_end(as_of_date()) }} as as_of_end
),

-- every touch's record has an assignment (identity resolution assigns every record of these
-- entities, to no customer when none); choosing the assignments in scope first lets an incremental
-- build read its customers' touches instead of joining every touch with every assignment
assignments_in_scope as (
    select * from assignments
    where
        customer_key is null
        or {{ in_journey_scope('customer_key', 'scope') }}
),

joined as (
    select
        touchpoints.*,
        assignments.customer_key,
        assignments.crm_customer_id,
        assignments.is_prospect,
        assignments.match_rule,
        coalesce(orders.order_id, tickets.order_id, surveys.order_id) as order_id,
        coalesce(tickets.ticket_id, surveys.ticket_id) as ticket_id,
        orders.ordered_at,
        orders.is_valid_order,
        orders.is_missing_fx_rate,
        orders.order_total_reporting,
        orders.delivered_at,
        orders.promised_delivery_on,
        tickets.created_at as ticket_created_at,
        tickets.solved_at as ticket_solved_at,
        tickets.reopened_count,
        surveys.survey_type,
        surveys.survey_score,
        surveys.rated_touchpoint,
        feedback.feedback_kind,
        feedback.feedback_department,
        feedback.topic,
        feedback.feedback_rating,
        as_of.as_of_end
    from touchpoints
    cross join as_of
    inner join assignments_in_scope as assignments
        on
            touchpoints.source_system = assignments.source_system
            and touchpoints.source_entity = assignments.source_entity
            and touchpoints.source_id = assignments.source_id
    left join orders
        on touchpoints.source_entity = 'orders' and touchpoints.source_id = orders.order_id
    left join tickets
        on touchpoints.source_entity = 'tickets' and touchpoints.source_id = tickets.ticket_id
    left join surveys
        on touchpoints.source_entity = 'surveys' and touchpoints.source_id = surveys.response_id
    left join feedback
        on touchpoints.source_entity = 'feedback' and touchpoints.source_id = feedback.feedback_id
    -- events after the as-of date count in no figure
    where touchpoints.occurred_at < as_of.as_of_end
),

final as (
    select
        *,
        case
            when touchpoint = 'order_placed' and is_valid_order then order_total_reporting
        end as revenue,
        case
            when survey_type = 'nps' then survey_score * 10.0
            when survey_type = 'csat' then (survey_score - 1) * 25.0
            when survey_type = 'ces' then (survey_score - 1) * {{ double(100) }} / 6
            when feedback_rating is not null then (feedback_rating - 1) * 25.0
        end as experience_score,
        case
            when touchpoint in ('complaint', 'order_cancelled', 'order_returned') then true
            when survey_type = 'nps' then survey_score <= 6
            when survey_type = 'csat' then survey_score <= 2
            when survey_type = 'ces' then survey_score <= 3
            when touchpoint = 'order_delivered'
                then coalesce(cast(delivered_at as date) > promised_delivery_on, false)
            -- open until solved, or until the end of the as-of date when not solved by then
            when touchpoint = 'ticket_opened'
                then
                    coalesce(reopened_count, 0) > 0
                    or case
                        when ticket_solved_at < as_of_end then ticket_solved_at
                        else as_of_end
                    end > {{ ticket_friction_from('ticket_created_at') }}
            else false
        end as is_friction
    from joined
)

select * from final
