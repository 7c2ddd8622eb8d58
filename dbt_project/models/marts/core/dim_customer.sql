with

customers as {{ not_materialized() }} (
    select * from {{ ref('int_customers_listed') }}
),

crm_customers as {{ not_materialized() }} (
    select * from {{ ref('stg_crm__customers') }}
),

orders_summarised as (
    select * from {{ ref('int_customer_orders_summarised') }}
),

service_summarised as (
    select * from {{ ref('int_customer_service_summarised') }}
),

journeys_summarised as {{ not_materialized() }} (
    select * from {{ ref('int_customer_journeys_summarised') }}
),

identifiers as {{ not_materialized() }} (
    select * from {{ ref('int_customer_identifiers_pivoted') }}
),

tiers as (
    select * from {{ ref('int_customers_tiered') }}
),

scores as (
    select * from {{ ref('int_customers_scored') }}
),

as_of as (
    select {{ day_end(as_of_date()) }} as as_of_end
),

-- first seen: the earliest CRM record, sales register record or journey touch up to the as-of date
sightings as (
    select
        customers.customer_key,
        crm_customers.created_at as seen_at
    from customers
    inner join crm_customers
        on customers.crm_customer_id = crm_customers.customer_id
    union all
    select
        customer_key,
        first_sales_created_at as seen_at
    from identifiers
    union all
    select
        customer_key,
        first_event_at as seen_at
    from journeys_summarised
),

first_seen as (
    select
        sightings.customer_key,
        min(sightings.seen_at) as first_seen_at
    from sightings
    cross join as_of
    where sightings.seen_at < as_of.as_of_end
    group by sightings.customer_key
),

final as (
    select
        -- customer
        customers.customer_key,
        customers.crm_customer_id,
        customers.is_prospect,
        coalesce(crm_customers.segment, 'unknown') as segment,
        coalesce(crm_customers.country, identifiers.sales_country) as country,
        first_seen.first_seen_at,
        -- orders
        orders_summarised.first_order_at,
        orders_summarised.last_order_at,
        coalesce(orders_summarised.valid_orders, 0) as valid_orders,
        case when orders_summarised.valid_orders is null then 0 else orders_summarised.revenue end as revenue,
        {{ double('orders_summarised.revenue') }} / orders_summarised.valid_orders as avg_order_value,
        coalesce(orders_summarised.orders_missing_fx_rate, 0) as orders_missing_fx_rate,
        -- service and voice of the customer
        coalesce(service_summarised.tickets, 0) as tickets,
        coalesce(service_summarised.open_tickets, 0) as open_tickets,
        coalesce(service_summarised.complaints, 0) as complaints,
        service_summarised.last_nps_score,
        service_summarised.last_nps_category,
        service_summarised.avg_csat,
        -- journey and status
        journeys_summarised.current_stage,
        coalesce(tiers.value_tier, 'none') as value_tier,
        scores.is_churned,
        scores.health_score,
        journeys_summarised.departments,
        -- identifiers of every system: personal data, dropped from the BI copy (pii_*)
        coalesce(
            crm_customers.email, case when customers.prospect_kind = 'email' then customers.prospect_key end
        ) as pii_email,
        crm_customers.phone as pii_phone,
        nullif(trim({{ dbt.concat([
            "coalesce(crm_customers.first_name, '')", "' '", "coalesce(crm_customers.last_name, '')"
        ]) }}), '') as pii_name,
        identifiers.email_keys as pii_email_keys,
        identifiers.phone_keys as pii_phone_keys,
        identifiers.sales_customer_numbers as pii_sales_customer_numbers,
        identifiers.sales_names as pii_sales_names,
        identifiers.anonymous_ids as pii_anonymous_ids,
        identifiers.social_handles as pii_social_handles
    from customers
    left join crm_customers
        on customers.crm_customer_id = crm_customers.customer_id
    left join orders_summarised
        on customers.customer_key = orders_summarised.customer_key
    left join service_summarised
        on customers.customer_key = service_summarised.customer_key
    left join journeys_summarised
        on customers.customer_key = journeys_summarised.customer_key
    left join identifiers
        on customers.customer_key = identifiers.customer_key
    left join tiers
        on customers.customer_key = tiers.customer_key
    left join scores
        on customers.customer_key = scores.customer_key
    left join first_seen
        on customers.customer_key = first_seen.customer_key
)

select * from final
