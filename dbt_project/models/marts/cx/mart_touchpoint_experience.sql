-- Experience per month and survey touchpoint (model.md): CSAT and CES answers, NPS, friction
-- events and complaints, and the gap of each score to its target for all customers (seed
-- cx_targets, value_tier `all`).

with

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
),

events as (
    select * from {{ ref('int_experience_events_mapped') }}
),

targets as (
    select * from {{ ref('cx_targets') }}
),

answers as (
    select
        month,
        rated_touchpoint as touchpoint,
        count(case when survey_type = 'csat' then 1 end) as csat_responses,
        count(case when is_csat_satisfied then 1 end) as csat_satisfied,
        count(case when survey_type = 'ces' then 1 end) as ces_responses,
        cast(sum(case when survey_type = 'ces' then survey_score end) as bigint) as ces_score_sum,
        count(case when is_ces_easy then 1 end) as ces_easy,
        count(case when survey_type = 'nps' then 1 end) as nps_responses,
        count(case when is_promoter then 1 end) as nps_promoters,
        count(case when is_detractor then 1 end) as nps_detractors
    from responses
    group by month, rated_touchpoint
),

frictions as (
    select
        month,
        experience_touchpoint as touchpoint,
        count(case when is_friction then 1 end) as friction_events,
        count(case when is_complaint then 1 end) as complaints
    from events
    where is_friction or is_complaint
    group by month, experience_touchpoint
),

all_tier_targets as (
    select
        touchpoint,
        max(case when metric = 'csat_pct' then target end) as csat_pct_target,
        max(case when metric = 'ces' then target end) as ces_avg_target,
        max(case when metric = 'nps' then target end) as nps_target
    from targets
    where value_tier = 'all'
    group by touchpoint
),

joined as (
    select
        coalesce(answers.month, frictions.month) as month,
        coalesce(answers.touchpoint, frictions.touchpoint) as touchpoint,
        coalesce(answers.csat_responses, 0) as csat_responses,
        coalesce(answers.csat_satisfied, 0) as csat_satisfied,
        coalesce(answers.ces_responses, 0) as ces_responses,
        coalesce(answers.ces_score_sum, 0) as ces_score_sum,
        coalesce(answers.ces_easy, 0) as ces_easy,
        coalesce(answers.nps_responses, 0) as nps_responses,
        coalesce(answers.nps_promoters, 0) as nps_promoters,
        coalesce(answers.nps_detractors, 0) as nps_detractors,
        coalesce(frictions.friction_events, 0) as friction_events,
        coalesce(frictions.complaints, 0) as complaints
    from answers
    full outer join frictions
        on answers.month = frictions.month and answers.touchpoint = frictions.touchpoint
),

scored as (
    select
        *,
        {{ double(100) }} * csat_satisfied / nullif(csat_responses, 0) as csat_pct,
        {{ double(1) }} * ces_score_sum / nullif(ces_responses, 0) as ces_avg,
        {{ double(100) }} * ces_easy / nullif(ces_responses, 0) as ces_easy_pct,
        {{ double(100) }} * (nps_promoters - nps_detractors) / nullif(nps_responses, 0) as nps
    from joined
),

final as (
    select
        -- grain
        scored.month,
        scored.touchpoint,
        -- CSAT
        scored.csat_responses,
        scored.csat_satisfied,
        scored.csat_pct,
        all_tier_targets.csat_pct_target,
        scored.csat_pct - all_tier_targets.csat_pct_target as csat_pct_gap,
        -- CES
        scored.ces_responses,
        scored.ces_score_sum,
        scored.ces_avg,
        all_tier_targets.ces_avg_target,
        scored.ces_avg - all_tier_targets.ces_avg_target as ces_avg_gap,
        scored.ces_easy,
        scored.ces_easy_pct,
        -- NPS
        scored.nps_responses,
        scored.nps_promoters,
        scored.nps_detractors,
        scored.nps,
        all_tier_targets.nps_target,
        scored.nps - all_tier_targets.nps_target as nps_gap,
        -- friction
        scored.friction_events,
        scored.complaints
    from scored
    left join all_tier_targets
        on scored.touchpoint = all_tier_targets.touchpoint
)

select * from final
