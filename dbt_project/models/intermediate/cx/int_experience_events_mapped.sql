-- Every journey event up to the end of the as-of date with the survey touchpoint it is
-- experienced at (seed experience_touchpoint_map), so friction and complaints sit beside the
-- CSAT and CES answers of the same touchpoint. A survey answer is experienced at the touchpoint
-- it rates; feedback by the department it is about, else its kind's row without a department.
-- A view: a table would copy every journey row each build, and its two marts read few columns
-- (and one of them only the last quarter); they read the events from here, not joined back to
-- the journey by key (a second pass over the journey).

{{ config(materialized='view') }}

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

experience_map as (
    select * from {{ ref('experience_touchpoint_map') }}
),

final as (
    select
        journey.journey_event_key,
        journey.customer_key,
        journey.occurred_at,
        {{ month_start('journey.occurred_at') }} as month,
        journey.journey_stage,
        journey.touchpoint,
        journey.survey_type,
        journey.is_friction,
        journey.touchpoint = 'complaint' as is_complaint,
        coalesce(
            journey.rated_touchpoint,
            by_department.experience_touchpoint,
            by_touchpoint.experience_touchpoint
        ) as experience_touchpoint
    from journey
    left join experience_map as by_department
        on
            journey.touchpoint = by_department.touchpoint
            and journey.feedback_department = by_department.feedback_department
    left join experience_map as by_touchpoint
        on
            journey.touchpoint = by_touchpoint.touchpoint
            and by_touchpoint.feedback_department is null
)

select * from final
