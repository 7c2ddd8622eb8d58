-- Voice of the customer per month, department, kind and topic (model.md): feedback up to the end
-- of the as-of date, its share of all the month's feedback and its average star rating. A
-- feedback without a department or topic is counted under `unknown`.

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

feedback as (
    select * from {{ ref('stg_support__feedback') }}
),

mentions as (
    select
        {{ month_start('journey.occurred_at') }} as month,
        coalesce(journey.feedback_department, 'unknown') as department,
        journey.feedback_kind as kind,
        coalesce(nullif(trim(journey.topic), ''), 'unknown') as topic,
        feedback.feedback_rating
    from journey
    inner join feedback
        on journey.source_id = feedback.feedback_id
    where journey.source_entity = 'feedback'
),

counted as (
    select
        month,
        department,
        kind,
        topic,
        count(*) as mentions,
        count(feedback_rating) as rated_mentions,
        cast(sum(feedback_rating) as bigint) as rating_sum
    from mentions
    group by month, department, kind, topic
),

final as (
    select
        -- grain
        month,
        department,
        kind,
        topic,
        -- figures
        mentions,
        cast(sum(mentions) over (partition by month) as bigint) as month_feedback,
        {{ double(100) }} * mentions / sum(mentions) over (partition by month) as share_pct,
        rated_mentions,
        rating_sum,
        {{ double(1) }} * rating_sum / nullif(rated_mentions, 0) as avg_rating
    from counted
)

select * from final
