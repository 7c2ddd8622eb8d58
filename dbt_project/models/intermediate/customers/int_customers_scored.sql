-- Churn and health per customer as of the as-of date.
-- Churned (model.md): at least one valid order, none in the last 180 days.
-- Health 0-100: the weighted mean (weights: var health_score_weights) of five components, each 0-1:
--   recency            1 - days since the last valid order / churn window, floored at 0; no order 0
--   frequency          valid orders in the value-tier window / var health_frequency_target_orders,
--                      capped at 1
--   nps                latest NPS answer: promoter 1, passive 0.5, detractor 0; never answered 0.5
--   open_tickets       1 with no ticket open at the end of the as-of date, else 0
--   recent_complaints  1 with no complaint in the last var health_complaint_window_days days, else 0

with

customers as (
    select * from {{ ref('int_customers_listed') }}
),

orders_summarised as (
    select * from {{ ref('int_customer_orders_summarised') }}
),

service_summarised as (
    select * from {{ ref('int_customer_service_summarised') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

components as (
    select
        customers.customer_key,
        coalesce(orders_summarised.valid_orders, 0) > 0
        and coalesce(orders_summarised.valid_orders_in_churn_window, 0) = 0 as is_churned,
        {{ dbt.datediff('cast(orders_summarised.last_order_at as date)', 'as_of.as_of_date', 'day') }}
            as days_since_last_order,
        case
            when
                orders_summarised.valid_orders_in_value_tier_window
                >= {{ number_var('health_frequency_target_orders') }}
                then 1.0
            else
                coalesce(orders_summarised.valid_orders_in_value_tier_window, 0) * {{ double(1) }}
                / {{ number_var('health_frequency_target_orders') }}
        end as frequency_component,
        case service_summarised.last_nps_category
            when 'promoter' then 1.0
            when 'detractor' then 0.0
            else 0.5
        end as nps_component,
        case when service_summarised.open_tickets > 0 then 0.0 else 1.0 end as open_tickets_component,
        case
            when service_summarised.recent_complaints > 0 then 0.0 else 1.0
        end as recent_complaints_component
    from customers
    cross join as_of
    left join orders_summarised
        on customers.customer_key = orders_summarised.customer_key
    left join service_summarised
        on customers.customer_key = service_summarised.customer_key
),

recency as (
    select
        *,
        case
            when days_since_last_order is null then 0.0
            when days_since_last_order >= {{ number_var('churn_window_days') }} then 0.0
            else 1.0 - days_since_last_order * {{ double(1) }} / {{ number_var('churn_window_days') }}
        end as recency_component
    from components
),

final as (
    select
        customer_key,
        is_churned,
        days_since_last_order,
        recency_component,
        frequency_component,
        nps_component,
        open_tickets_component,
        recent_complaints_component,
        {{ double(100) }} * (
            {{ number_var('health_score_weights', 'recency') }} * recency_component
            + {{ number_var('health_score_weights', 'frequency') }} * frequency_component
            + {{ number_var('health_score_weights', 'nps') }} * nps_component
            + {{ number_var('health_score_weights', 'open_tickets') }} * open_tickets_component
            + {{ number_var('health_score_weights', 'recent_complaints') }} * recent_complaints_component
        ) / (
            {{ number_var('health_score_weights', 'recency') }}
            + {{ number_var('health_score_weights', 'frequency') }}
            + {{ number_var('health_score_weights', 'nps') }}
            + {{ number_var('health_score_weights', 'open_tickets') }}
            + {{ number_var('health_score_weights', 'recent_complaints') }}
        ) as health_score
    from recency
)

select * from final
