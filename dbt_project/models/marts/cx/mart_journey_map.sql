-- The journey map (model.md's stages, seed touchpoint_map): each stage's touchpoints over the last
-- var journey_map_window_days days, with their volume, their friction and the CSAT of the survey
-- touchpoint they are experienced at, so a CX manager sees where along the journey friction sits.
-- A journey touchpoint is experienced at the survey touchpoint most of its events map to
-- (int_experience_events_mapped; ties by name): one touchpoint can map to several (a complaint by
-- the department it is about). Survey answers are the measurement itself: they get no CSAT here.

with

-- the journey's events, each with the survey touchpoint it is experienced at (one row per event)
experience_events as (
    select * from {{ ref('int_experience_events_mapped') }}
),

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
),

as_of as (
    select
        {{ last_days_start(number_var('journey_map_window_days'), as_of_date()) }} as window_start,
        {{ day_end(as_of_date()) }} as as_of_end
),

stages as (
    {{ journey_stages() }}
),

-- read once for the volumes and the survey touchpoints: joined back to the journey by key, the
-- same events cost a second pass over the journey (1M customers: 3.3-3.9 s against 1.3-1.5 s)
recent_events as (
    select experience_events.*
    from experience_events
    cross join as_of
    where
        experience_events.occurred_at >= as_of.window_start
        and experience_events.occurred_at < as_of.as_of_end
),

volumes as (
    select
        journey_stage,
        touchpoint,
        count(*) as events,
        count(distinct customer_key) as customers,
        count(case when is_friction then 1 end) as friction_events
    from recent_events
    group by journey_stage, touchpoint
),

-- the survey touchpoint most of each stage's touchpoint's events are experienced at
experienced_at as (
    select
        journey_stage,
        touchpoint,
        experience_touchpoint,
        count(*) as events
    from recent_events
    where survey_type is null and experience_touchpoint is not null
    group by journey_stage, touchpoint, experience_touchpoint
),

experience_ranked as (
    select
        journey_stage,
        touchpoint,
        experience_touchpoint,
        row_number() over (
            partition by journey_stage, touchpoint order by events desc, experience_touchpoint asc
        ) as experience_rank
    from experienced_at
),

main_experience as (
    select
        journey_stage,
        touchpoint,
        experience_touchpoint
    from experience_ranked
    where experience_rank = 1
),

csat as (
    select
        responses.rated_touchpoint as experience_touchpoint,
        count(*) as csat_responses,
        count(case when responses.is_csat_satisfied then 1 end) as csat_satisfied
    from responses
    cross join as_of
    where
        responses.survey_type = 'csat'
        and responses.responded_at >= as_of.window_start
        and responses.responded_at < as_of.as_of_end
    group by responses.rated_touchpoint
),

final as (
    select
        -- grain
        volumes.journey_stage,
        volumes.touchpoint,
        stages.stage_number,
        -- volume and friction
        volumes.events,
        volumes.customers,
        volumes.friction_events,
        {{ double(100) }} * volumes.friction_events / volumes.events as friction_pct,
        -- experience
        main_experience.experience_touchpoint,
        coalesce(csat.csat_responses, 0) as csat_responses,
        coalesce(csat.csat_satisfied, 0) as csat_satisfied,
        {{ double(100) }} * csat.csat_satisfied / nullif(csat.csat_responses, 0) as csat_pct
    from volumes
    inner join stages
        on volumes.journey_stage = stages.journey_stage
    left join main_experience
        on
            volumes.journey_stage = main_experience.journey_stage
            and volumes.touchpoint = main_experience.touchpoint
    left join csat
        on main_experience.experience_touchpoint = csat.experience_touchpoint
)

select * from final
