-- NPS per month, segment and value tier, with the totals `all` (model.md). Every valid NPS
-- response counts (see int_survey_responses_attributed). The all x all row exists for every
-- month from the first NPS response to the as-of month, so a month without responses reads
-- 0 responses and a null NPS instead of going missing.

with

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
),

as_of as (
    select {{ month_start(as_of_date()) }} as as_of_month
),

nps_responses as (
    select * from responses
    where survey_type = 'nps'
),

months as (
    {{ date_series(
        '(select min(month) from nps_responses)', '(select as_of_month from as_of)', 'month', 'month'
    ) }}
),

counted as (
    select
        month,
        case when grouping(segment) = 1 then 'all' else segment end as segment,
        case when grouping(value_tier) = 1 then 'all' else value_tier end as value_tier,
        count(*) as responses,
        count(case when is_promoter then 1 end) as promoters,
        count(case when is_passive then 1 end) as passives,
        count(case when is_detractor then 1 end) as detractors
    from nps_responses
    group by grouping sets ((month, segment, value_tier), (month, segment), (month, value_tier), (month))
),

-- the all x all row of every month, with or without responses
with_empty_months as (
    select
        months.month,
        'all' as segment,
        'all' as value_tier,
        0 as responses,
        0 as promoters,
        0 as passives,
        0 as detractors
    from months
    left join counted
        on
            months.month = counted.month
            and counted.segment = 'all'
            and counted.value_tier = 'all'
    where counted.month is null
    union all
    select * from counted
),

final as (
    select
        -- grain
        month,
        segment,
        value_tier,
        -- figures
        responses,
        promoters,
        passives,
        detractors,
        {{ double(100) }} * (promoters - detractors) / nullif(responses, 0) as nps
    from with_empty_months
)

select * from final
