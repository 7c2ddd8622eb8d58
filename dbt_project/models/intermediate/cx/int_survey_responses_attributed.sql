-- Every valid survey response up to the end of the as-of date, with the segment and value tier it
-- is reported under and its category flags (model.md, "Metric definitions"). Every response
-- counts: those of prospects and those tied to no customer fall under segment `unknown` and
-- value tier `none` (model.md says so of both); CRM customers carry their current (as-of)
-- segment and value tier from dim_customer.

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

responses as (
    select
        journey.*,
        customers.segment as customer_segment,
        customers.value_tier as customer_value_tier
    from journey
    left join customers
        on journey.customer_key = customers.customer_key
    where journey.source_entity = 'surveys'
),

final as (
    select
        -- ids
        source_id as response_id,
        customer_key,
        is_prospect,
        ticket_id,
        order_id,
        -- answer
        occurred_at as responded_at,
        {{ month_start('occurred_at') }} as month,
        survey_type,
        survey_score,
        rated_touchpoint,
        -- reported under
        case when customer_key is null or is_prospect then 'unknown' else customer_segment end as segment,
        case when customer_key is null or is_prospect then 'none' else customer_value_tier end as value_tier,
        -- categories: NPS promoters 9-10, passives 7-8, detractors 0-6; CSAT satisfied 4-5; CES easy 5-7
        survey_type = 'nps' and survey_score >= 9 as is_promoter,
        survey_type = 'nps' and survey_score between 7 and 8 as is_passive,
        survey_type = 'nps' and survey_score <= 6 as is_detractor,
        survey_type = 'csat' and survey_score >= 4 as is_csat_satisfied,
        survey_type = 'ces' and survey_score >= 5 as is_ces_easy
    from responses
)

select * from final
