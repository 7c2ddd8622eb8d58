-- Each CX target against its actual over the last var cx_targets_window_days days (model.md):
-- every survey touchpoint and metric of the seed cx_targets, for all customers and for each
-- value tier. A tier without its own seed row takes the touchpoint's `all` target.
-- Status (var cx_targets_at_risk_points = 5): on_track at or above target; at_risk below it by
-- at most 5 points of the 0-100 scale; off_track below that. CSAT % and NPS gaps are points
-- already; a CES gap (1-7 scale) is scaled by 100/6 first, like experience_score, so 5 points
-- is 0.3 of a CES point. No responses: actual, gap and status are null.

with

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
),

targets as (
    select * from {{ ref('cx_targets') }}
),

as_of as (
    select
        {{ last_days_start(number_var('cx_targets_window_days'), as_of_date()) }} as window_start,
        {{ day_end(as_of_date()) }} as as_of_end
),

value_tiers as (
    select tiers.value_tier
    from (values ('all'), ('high'), ('mid'), ('low'), ('none')) as tiers (value_tier)
),

-- every (touchpoint, metric) with a target, for each tier: its own target, else the `all` one
grid as (
    select
        touchpoint_metrics.touchpoint,
        value_tiers.value_tier,
        touchpoint_metrics.metric,
        coalesce(own.target, fallback.target) as target
    from (
        select distinct
            touchpoint,
            metric
        from targets
    ) as touchpoint_metrics
    cross join value_tiers
    left join targets as own
        on
            touchpoint_metrics.touchpoint = own.touchpoint
            and touchpoint_metrics.metric = own.metric
            and value_tiers.value_tier = own.value_tier
    left join targets as fallback
        on
            touchpoint_metrics.touchpoint = fallback.touchpoint
            and touchpoint_metrics.metric = fallback.metric
            and fallback.value_tier = 'all'
),

recent as (
    select
        responses.rated_touchpoint as touchpoint,
        responses.value_tier,
        case responses.survey_type when 'csat' then 'csat_pct' else responses.survey_type end as metric,
        -- numerator: satisfied (CSAT), promoters - detractors (NPS), the sum of scores (CES)
        case responses.survey_type
            when 'csat' then case when responses.is_csat_satisfied then 1 else 0 end
            when 'nps'
                then case when responses.is_promoter then 1 when responses.is_detractor then -1 else 0 end
            else responses.survey_score
        end as numerator_part
    from responses
    cross join as_of
    where responses.responded_at >= as_of.window_start and responses.responded_at < as_of.as_of_end
),

actuals as (
    select
        touchpoint,
        case when grouping(value_tier) = 1 then 'all' else value_tier end as value_tier,
        metric,
        count(*) as responses,
        cast(sum(numerator_part) as bigint) as actual_numerator
    from recent
    group by grouping sets ((touchpoint, metric, value_tier), (touchpoint, metric))
),

measured as (
    select
        grid.*,
        coalesce(actuals.responses, 0) as responses,
        coalesce(actuals.actual_numerator, 0) as actual_numerator,
        -- actual = unit x numerator / responses; a CES point is 100/6 points of the 0-100 scale
        case when grid.metric = 'ces' then 1 else 100 end as unit,
        case when grid.metric = 'ces' then 100 else 1 end as points_per_unit_times,
        case when grid.metric = 'ces' then 6 else 1 end as points_per_unit_per
    from grid
    left join actuals
        on
            grid.touchpoint = actuals.touchpoint
            and grid.value_tier = actuals.value_tier
            and grid.metric = actuals.metric
),

-- (actual - target) x responses, in exact decimals, so a gap of exactly -5 points is at_risk
compared as (
    select
        *,
        unit * actual_numerator - cast(target as decimal(18, 6)) * responses as gap_times_responses
    from measured
),

final as (
    select
        -- grain
        touchpoint,
        value_tier,
        metric,
        -- figures
        target,
        {{ double(1) }} * unit * actual_numerator / nullif(responses, 0) as actual,
        cast(gap_times_responses as double) / nullif(responses, 0) as gap,
        cast(gap_times_responses as double) * points_per_unit_times / points_per_unit_per
        / nullif(responses, 0) as gap_points,
        case
            when responses = 0 or target is null then null
            when gap_times_responses >= 0 then 'on_track'
            when
                gap_times_responses * points_per_unit_times
                >= -{{ number_var('cx_targets_at_risk_points') }} * points_per_unit_per * responses
                then 'at_risk'
            else 'off_track'
        end as status,
        responses,
        actual_numerator
    from compared
)

select * from final
