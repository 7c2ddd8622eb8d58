-- Driver analysis (model.md): for each journey touchpoint, the NPS of the answers whose customer
-- had that touchpoint in the var nps_driver_lookback_days days before answering, against the
-- NPS of the answers whose customer had not. Every NPS answer with a customer up to the as-of
-- date counts once per touchpoint; answers tied to no customer have no journey to look back on.
-- A correlation, not a cause: see the YAML.

with

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
),

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

touchpoint_map as (
    select * from {{ ref('touchpoint_map') }}
),

nps_answers as (
    select
        response_id,
        customer_key,
        responded_at,
        case when is_promoter then 1 when is_detractor then -1 else 0 end as nps_part
    from responses
    where survey_type = 'nps' and customer_key is not null
),

-- the touchpoints each answer's customer had in the look-back window, strictly before answering
touched as (
    select distinct
        nps_answers.response_id,
        journey.touchpoint
    from nps_answers
    inner join journey
        on nps_answers.customer_key = journey.customer_key
    where
        journey.occurred_at < nps_answers.responded_at
        and journey.occurred_at
        >= {{ dbt.dateadd('day', '-' ~ number_var('nps_driver_lookback_days'), 'nps_answers.responded_at') }}
),

answers_by_touchpoint as (
    select
        touchpoint_map.touchpoint,
        nps_answers.nps_part,
        touched.response_id is not null as had_touchpoint
    from touchpoint_map
    cross join nps_answers
    left join touched
        on nps_answers.response_id = touched.response_id and touchpoint_map.touchpoint = touched.touchpoint
),

counted as (
    select
        touchpoint,
        count(case when had_touchpoint then 1 end) as respondents_with,
        count(case when had_touchpoint and nps_part = 1 then 1 end) as promoters_with,
        count(case when had_touchpoint and nps_part = -1 then 1 end) as detractors_with,
        count(case when not had_touchpoint then 1 end) as respondents_without,
        count(case when not had_touchpoint and nps_part = 1 then 1 end) as promoters_without,
        count(case when not had_touchpoint and nps_part = -1 then 1 end) as detractors_without
    from answers_by_touchpoint
    group by touchpoint
),

scored as (
    select
        *,
        {{ double(100) }} * (promoters_with - detractors_with) / nullif(respondents_with, 0) as nps_with,
        {{ double(100) }} * (promoters_without - detractors_without) / nullif(respondents_without, 0)
            as nps_without
    from counted
),

final as (
    select
        -- grain
        touchpoint,
        -- answers whose customer had the touchpoint in the look-back window
        respondents_with,
        promoters_with,
        detractors_with,
        nps_with,
        -- the other answers
        respondents_without,
        promoters_without,
        detractors_without,
        nps_without,
        -- driver
        nps_with - nps_without as nps_difference
    from scored
)

select * from final
