-- The identifiers every system holds for each customer, as sorted comma-separated lists, plus the
-- sales register's country and first creation (prospects have no CRM record to give them).
-- Personal data: dim_customer carries these as pii_* columns, which the BI copy drops.

with

assignments as (
    select * from {{ ref('int_identity__assignments') }}
),

sales_customers as (
    select * from {{ ref('stg_sales__customers') }}
),

feedback as (
    select * from {{ ref('stg_support__feedback') }}
),

assigned_sales_customers as (
    select
        assignments.customer_key,
        sales_customers.*,
        row_number() over (
            partition by assignments.customer_key
            order by sales_customers.updated_at desc, sales_customers.customer_number asc
        ) as recency_rank
    from assignments
    inner join sales_customers
        on
            assignments.source_entity = 'customers'
            and assignments.source_system = 'sales'
            and assignments.source_id = sales_customers.customer_number
),

identifiers as (
    select
        customer_key,
        'email_key' as kind,
        email_key as value
    from assignments
    union all
    select
        customer_key,
        'phone_key' as kind,
        phone_key as value
    from assignments
    union all
    select
        customer_key,
        'sales_customer_number' as kind,
        customer_number as value
    from assigned_sales_customers
    union all
    select
        customer_key,
        'sales_name' as kind,
        full_name as value
    from assigned_sales_customers
    union all
    select
        customer_key,
        'anonymous_id' as kind,
        anonymous_id as value
    from assignments
    union all
    select
        assignments.customer_key,
        'social_handle' as kind,
        feedback.author_handle as value
    from assignments
    inner join feedback
        on
            assignments.source_entity = 'feedback'
            and assignments.source_id = feedback.feedback_id
),

distinct_identifiers as (
    select distinct
        customer_key,
        kind,
        value
    from identifiers
    where customer_key is not null and value is not null
),

-- one ordered list per customer and kind, then one row per customer: six ordered aggregates over
-- every identifier of a customer would sort each customer's identifiers six times
lists as (
    select
        customer_key,
        kind,
        {{ dbt.listagg('value', "', '", 'order by value') }} as identifier_list
    from distinct_identifiers
    group by customer_key, kind
),

pivoted as (
    select
        customer_key,
        max(case when kind = 'email_key' then identifier_list end) as email_keys,
        max(case when kind = 'phone_key' then identifier_list end) as phone_keys,
        max(case when kind = 'sales_customer_number' then identifier_list end) as sales_customer_numbers,
        max(case when kind = 'sales_name' then identifier_list end) as sales_names,
        max(case when kind = 'anonymous_id' then identifier_list end) as anonymous_ids,
        max(case when kind = 'social_handle' then identifier_list end) as social_handles
    from lists
    group by customer_key
),

sales_registers as (
    select
        customer_key,
        min(created_at) as first_sales_created_at,
        max(case when recency_rank = 1 then country end) as sales_country
    from assigned_sales_customers
    group by customer_key
),

final as (
    select
        pivoted.*,
        sales_registers.first_sales_created_at,
        sales_registers.sales_country
    from pivoted
    left join sales_registers
        on pivoted.customer_key = sales_registers.customer_key
)

select * from final
