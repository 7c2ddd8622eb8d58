-- Every record that identity resolution assigns, with the identifiers each rule reads. Sales
-- orders carry their sales/customers row's identifiers (rules 2 and 4, and 5 through it).
-- _batch_seq is the latest batch of any row a record's identifiers come from (its own, its sales
-- customer's, the CRM customer whose country reads its phone): a later batch may change them.
-- A view: int_identity_records_keyed stores the records, reading only those of later batches.

{{ config(materialized='view') }}

with

crm_customers as {{ not_materialized() }} (
    select * from {{ ref('stg_crm__customers') }}
),

crm_activities as (
    select * from {{ ref('stg_crm__activities') }}
),

marketing_events as (
    select * from {{ ref('stg_marketing__events') }}
),

sales_customers as (
    select * from {{ ref('stg_sales__customers') }}
),

sales_orders as (
    select * from {{ ref('stg_sales__orders') }}
),

support_tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

support_surveys as (
    select * from {{ ref('stg_support__surveys') }}
),

support_feedback as (
    select * from {{ ref('stg_support__feedback') }}
),

-- phone region: own country, else the country of the CRM customer its crm_customer_id names
sales_customers_regioned as (
    select
        sales_customers.*,
        coalesce(
            sales_customers.country, crm_customers.country, {{ sql_string(var('default_phone_region')) }}
        ) as phone_region,
        greatest(sales_customers._batch_seq, coalesce(crm_customers._batch_seq, 0)) as identity_batch_seq
    from sales_customers
    left join crm_customers
        on sales_customers.crm_customer_id = crm_customers.customer_id
),

tickets_regioned as (
    select
        support_tickets.*,
        coalesce(crm_customers.country, {{ sql_string(var('default_phone_region')) }}) as phone_region,
        greatest(support_tickets._batch_seq, coalesce(crm_customers._batch_seq, 0)) as identity_batch_seq
    from support_tickets
    left join crm_customers
        on support_tickets.crm_customer_id = crm_customers.customer_id
),

-- the CRM master itself
crm_customer_records as (
    select
        'crm' as source_system,
        'customers' as source_entity,
        customer_id as source_id,
        true as is_crm_master,
        false as is_via_sales_customer,
        customer_id as given_crm_customer_id,
        {{ email_key('email') }} as email_key,
        phone,
        coalesce(country, {{ sql_string(var('default_phone_region')) }}) as phone_region,
        cast(null as {{ dbt.type_string() }}) as sales_customer_number,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        _batch_seq
    from crm_customers
),

-- an activity belongs to its customer_id when that exists in the CRM
crm_activity_records as (
    select
        'crm' as source_system,
        'activities' as source_entity,
        activity_id as source_id,
        false as is_crm_master,
        false as is_via_sales_customer,
        customer_id as given_crm_customer_id,
        cast(null as {{ dbt.type_string() }}) as email_key,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as phone_region,
        cast(null as {{ dbt.type_string() }}) as sales_customer_number,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        _batch_seq
    from crm_activities
),

marketing_event_records as (
    select
        'marketing' as source_system,
        'events' as source_entity,
        event_id as source_id,
        false as is_crm_master,
        false as is_via_sales_customer,
        crm_customer_id as given_crm_customer_id,
        {{ email_key('contact_email') }} as email_key,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as phone_region,
        cast(null as {{ dbt.type_string() }}) as sales_customer_number,
        anonymous_id,
        _batch_seq
    from marketing_events
),

sales_customer_records as (
    select
        'sales' as source_system,
        'customers' as source_entity,
        customer_number as source_id,
        false as is_crm_master,
        false as is_via_sales_customer,
        crm_customer_id as given_crm_customer_id,
        {{ email_key('email') }} as email_key,
        phone,
        phone_region,
        customer_number as sales_customer_number,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        identity_batch_seq as _batch_seq
    from sales_customers_regioned
),

-- an order whose customer_number is not in sales/customers keeps only that customer_number
sales_order_records as (
    select
        'sales' as source_system,
        'orders' as source_entity,
        sales_orders.order_id as source_id,
        false as is_crm_master,
        true as is_via_sales_customer,
        sales_customers_regioned.crm_customer_id as given_crm_customer_id,
        {{ email_key('sales_customers_regioned.email') }} as email_key,
        sales_customers_regioned.phone,
        sales_customers_regioned.phone_region,
        sales_orders.customer_number as sales_customer_number,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        greatest(
            sales_orders._batch_seq, coalesce(sales_customers_regioned.identity_batch_seq, 0)
        ) as _batch_seq
    from sales_orders
    left join sales_customers_regioned
        on sales_orders.customer_number = sales_customers_regioned.customer_number
),

ticket_records as (
    select
        'support' as source_system,
        'tickets' as source_entity,
        ticket_id as source_id,
        false as is_crm_master,
        false as is_via_sales_customer,
        crm_customer_id as given_crm_customer_id,
        {{ email_key('requester_email') }} as email_key,
        requester_phone as phone,
        phone_region,
        cast(null as {{ dbt.type_string() }}) as sales_customer_number,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        identity_batch_seq as _batch_seq
    from tickets_regioned
),

-- a survey's order_id and ticket_id are not used for identity (model.md)
survey_records as (
    select
        'support' as source_system,
        'surveys' as source_entity,
        response_id as source_id,
        false as is_crm_master,
        false as is_via_sales_customer,
        crm_customer_id as given_crm_customer_id,
        {{ email_key('respondent_email') }} as email_key,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as phone_region,
        cast(null as {{ dbt.type_string() }}) as sales_customer_number,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        _batch_seq
    from support_surveys
),

feedback_records as (
    select
        'support' as source_system,
        'feedback' as source_entity,
        feedback_id as source_id,
        false as is_crm_master,
        false as is_via_sales_customer,
        crm_customer_id as given_crm_customer_id,
        {{ email_key('author_email') }} as email_key,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as phone_region,
        cast(null as {{ dbt.type_string() }}) as sales_customer_number,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        _batch_seq
    from support_feedback
),

unioned as (
    select * from crm_customer_records
    union all
    select * from crm_activity_records
    union all
    select * from marketing_event_records
    union all
    select * from sales_customer_records
    union all
    select * from sales_order_records
    union all
    select * from ticket_records
    union all
    select * from survey_records
    union all
    select * from feedback_records
),

final as (
    select
        {{ dbt.concat(["source_system", "'/'", "source_entity", "'/'", "source_id"]) }} as record_key,
        *
    from unioned
)

select * from final
