-- Every customer with records (its CRM id or prospect key, which its customer_key is made of), the
-- identifiers every system holds for it, as sorted comma-separated lists, and the sales register's
-- country and first creation (prospects have no CRM record to give them). Personal data:
-- dim_customer carries the lists as pii_* columns, which the BI copy drops. int_customers_listed
-- is this table without them: listing every customer again was a pass over every record a day.
--
-- Incremental by customer: a build deletes (pre-hook) and lists again only the customers whose
-- identifiers can have changed since the last build, as a full build would list them:
--   - the customer a record re-matched since then belongs to now (int_identity__assignments
--     ._matched_at): a new or corrected record, or one whose customer changed, gains them; a
--     sales customer's or a feedback's new version re-matches its record too;
--   - a customer whose number of records is no longer _record_count: one that lost a record to
--     another customer, or has none left. The assignments themselves say so, whatever builds
--     failed in between.
-- Then every customer with records and no row here (those deleted, and new ones) is listed.

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="""
            {% if is_incremental() %}
            {% set changed %}
                customer_key in (
                    select rematched.customer_key from {{ ref('int_identity__assignments') }} as rematched
                    where rematched._matched_at > (select max(listed._built_at) from {{ this }} as listed)
                )
                or customer_key in (
                    select listed.customer_key
                    from {{ this }} as listed
                    left join (
                        select
                            customer_key,
                            count(*) as record_count
                        from {{ ref('int_identity__assignments') }}
                        group by customer_key
                    ) as assigned
                        on listed.customer_key = assigned.customer_key
                    where assigned.record_count is distinct from listed._record_count
                )
            {% endset %}
            {{ delete_where(this, changed) }}
            {% endif %}
        """
    )
}}

with

-- read where used on a full build (a copy of all 20M records would cost more than the reads);
-- worked out once on a daily build, when it holds only the records of the customers listed again:
-- read where used, each of its six readers scanned the 20M records and ran the not-in again (1M
-- customers, a day's 81,300: 4.8-5.9 against 3.0-3.9 s)
assignments as {{ materialized() if is_incremental() else not_materialized() }} (
    select * from {{ ref('int_identity__assignments') }}
    where
        customer_key is not null
        {%- if is_incremental() %}
            and customer_key not in (select listed.customer_key from {{ this }} as listed)
        {%- endif %}
),

-- one row per customer with records; a customer_key is made of the CRM id, or of the prospect kind
-- and key, so each has one value per customer
record_counts as (
    select
        customer_key,
        count(*) as record_count,
        max(crm_customer_id) as crm_customer_id,
        max(prospect_kind) as prospect_kind,
        max(prospect_key) as prospect_key
    from assignments
    group by customer_key
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
        {{ listagg_sorted('value', "', '") }} as identifier_list
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
        record_counts.customer_key,
        record_counts.crm_customer_id,
        record_counts.prospect_kind is not null as is_prospect,
        record_counts.prospect_kind,
        record_counts.prospect_key,
        pivoted.email_keys,
        pivoted.phone_keys,
        pivoted.sales_customer_numbers,
        pivoted.sales_names,
        pivoted.anonymous_ids,
        pivoted.social_handles,
        sales_registers.first_sales_created_at,
        sales_registers.sales_country,
        -- lineage
        record_counts.record_count as _record_count,
        {{ build_started_at() }} as _built_at
    from record_counts
    left join pivoted
        on record_counts.customer_key = pivoted.customer_key
    left join sales_registers
        on record_counts.customer_key = sales_registers.customer_key
)

select * from final
