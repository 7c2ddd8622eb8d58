-- The CX KPIs of every day from the first journey event to the as-of date, each over the
-- var kpi_rolling_window_days (90) days ending on that day, both included (model.md). Daily
-- counts are summed over a dense day spine, so the window is always exactly 90 days.

{#- number_var refuses a non-number, so int's default only ever applies under the linter -#}
{%- set preceding_days = (number_var('kpi_rolling_window_days') | int(1)) - 1 -%}
{%- set window_frame = 'order by days.day rows between ' ~ preceding_days ~ ' preceding and current row' %}

with

journey as {{ not_materialized() }} (
    select * from {{ ref('fct_customer_journey') }}
),

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
),

buyer_changes as (
    select * from {{ ref('int_buyer_counts_changed') }}
),

days as (
    {{ date_series('(select min(cast(occurred_at as date)) from journey)', as_of_date()) }}
),

daily_events as (
    select
        cast(occurred_at as date) as day,
        count(case when touchpoint = 'order_placed' and is_valid_order then 1 end) as valid_orders,
        count(revenue) as priced_orders,
        sum(revenue) as revenue,
        count(case when touchpoint = 'ticket_opened' then 1 end) as tickets,
        count(case when touchpoint = 'complaint' then 1 end) as complaints
    from journey
    group by cast(occurred_at as date)
),

daily_answers as (
    select
        cast(responded_at as date) as day,
        count(case when survey_type = 'nps' then 1 end) as nps_responses,
        count(case when is_promoter then 1 end) as promoters,
        count(case when is_detractor then 1 end) as detractors,
        count(case when survey_type = 'csat' then 1 end) as csat_responses,
        count(case when is_csat_satisfied then 1 end) as csat_satisfied,
        count(case when survey_type = 'ces' then 1 end) as ces_responses,
        sum(case when survey_type = 'ces' then survey_score else 0 end) as ces_score_sum
    from responses
    group by cast(responded_at as date)
),

rolled as (
    select
        days.day,
        sum(coalesce(daily_answers.nps_responses, 0)) over ({{ window_frame }}) as nps_responses,
        sum(coalesce(daily_answers.promoters, 0)) over ({{ window_frame }}) as promoters,
        sum(coalesce(daily_answers.detractors, 0)) over ({{ window_frame }}) as detractors,
        sum(coalesce(daily_answers.csat_responses, 0)) over ({{ window_frame }}) as csat_responses,
        sum(coalesce(daily_answers.csat_satisfied, 0)) over ({{ window_frame }}) as csat_satisfied,
        sum(coalesce(daily_answers.ces_responses, 0)) over ({{ window_frame }}) as ces_responses,
        sum(coalesce(daily_answers.ces_score_sum, 0)) over ({{ window_frame }}) as ces_score_sum,
        sum(coalesce(daily_events.valid_orders, 0)) over ({{ window_frame }}) as valid_orders,
        sum(coalesce(daily_events.priced_orders, 0)) over ({{ window_frame }}) as priced_orders,
        sum(coalesce(daily_events.revenue, 0)) over ({{ window_frame }}) as revenue_of_priced_orders,
        sum(coalesce(daily_events.tickets, 0)) over ({{ window_frame }}) as tickets,
        sum(coalesce(daily_events.complaints, 0)) over ({{ window_frame }}) as complaints,
        -- running totals of the +1/-1 changes: customers buying in the window ending today
        sum(coalesce(buyer_changes.active_customers_change, 0)) over (
            order by days.day rows between unbounded preceding and current row
        ) as active_customers,
        sum(coalesce(buyer_changes.repeat_customers_change, 0)) over (
            order by days.day rows between unbounded preceding and current row
        ) as repeat_customers
    from days
    left join daily_events
        on days.day = daily_events.day
    left join daily_answers
        on days.day = daily_answers.day
    left join buyer_changes
        on days.day = buyer_changes.day
),

final as (
    select
        -- grain
        day,
        -- NPS
        cast(nps_responses as bigint) as nps_responses,
        cast(promoters as bigint) as promoters,
        cast(detractors as bigint) as detractors,
        {{ double(100) }} * (promoters - detractors) / nullif(nps_responses, 0) as nps,
        -- CSAT
        cast(csat_responses as bigint) as csat_responses,
        cast(csat_satisfied as bigint) as csat_satisfied,
        {{ double(100) }} * csat_satisfied / nullif(csat_responses, 0) as csat_pct,
        -- CES
        cast(ces_responses as bigint) as ces_responses,
        cast(ces_score_sum as bigint) as ces_score_sum,
        {{ double(1) }} * ces_score_sum / nullif(ces_responses, 0) as ces_avg,
        -- sales: revenue of the valid orders with a known amount; null when none of them has one
        case
            when valid_orders > 0 and priced_orders = 0 then null else revenue_of_priced_orders
        end as revenue,
        cast(valid_orders as bigint) as valid_orders,
        cast(valid_orders - priced_orders as bigint) as orders_missing_fx_rate,
        -- customers with 1+ (active) and 2+ (repeat) valid orders in the window
        cast(active_customers as bigint) as active_customers,
        cast(repeat_customers as bigint) as repeat_customers,
        {{ double(1) }} * repeat_customers / nullif(active_customers, 0) as repeat_purchase_rate,
        -- support
        cast(tickets as bigint) as tickets,
        cast(complaints as bigint) as complaints
    from rolled
)

select * from final
