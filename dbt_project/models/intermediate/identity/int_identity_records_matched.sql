-- Every record with what each identity rule finds in the CRM: whether its crm id exists, and how
-- many CRM customers share its e-mail key and its phone key. CRM customers are never matched to
-- each other (the master is never merged); likely duplicates go to crm_duplicate_candidates.
--
-- Incremental: a build re-matches only the records whose answer can have changed since the last
-- one, and stamps them with _matched_at: the records with a row in a later batch (new, corrected,
-- or their sales customer's or CRM customer's row is), and the records whose crm id, e-mail key or
-- phone key is that of a CRM customer who changed, before or after the change. All of them when
-- var default_phone_region changed.

{{
    config(
        materialized='incremental',
        unique_key='record_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

all_records as {{ not_materialized() }} (
    select * from {{ ref('int_identity_records_keyed') }}
),

crm_customers as (
    select
        source_id as crm_customer_id,
        email_key,
        phone_key
    from all_records
    where is_crm_master
),

{% if is_incremental() %}

    previous as (
        select * from {{ this }}
    ),

    -- another default phone region reads every phone anew: then every record is re-matched
    watermark as (
        {{ identity_batch_watermark(this) }}
    ),

    changed_crm_customers as (
        select * from crm_customers
        where crm_customer_id in (
            select changed.source_id from all_records as changed
            where changed.is_crm_master and changed._batch_seq > (select watermark.batch_seq from watermark)
        )
    ),

    -- a changed CRM customer's keys as they are and as they were
    touched_keys as (
        select
            crm_customer_id,
            email_key,
            phone_key
        from changed_crm_customers
        union all
        select
            source_id as crm_customer_id,
            email_key,
            phone_key
        from previous
        where
            is_crm_master
            and source_id in (select changed.crm_customer_id from changed_crm_customers as changed)
    ),

    records as (
        select all_records.* from all_records
        where
            all_records._batch_seq > (select watermark.batch_seq from watermark)
            or all_records.given_crm_customer_id in (select touched_keys.crm_customer_id from touched_keys)
            or all_records.email_key in (select touched_keys.email_key from touched_keys)
            or all_records.phone_key in (select touched_keys.phone_key from touched_keys)
    ),

{% else %}

    records as (
        select * from all_records
    ),

{% endif %}

-- CRM customers per e-mail key and per phone key: looked up once per key, then joined to every
-- record by its key, instead of joining every record with the CRM and grouping 20M records back
email_matches as (
    select
        email_key,
        count(*) as email_candidates,
        min(crm_customer_id) as email_crm_customer_id,
        {{ dbt.listagg('crm_customer_id', "', '", 'order by crm_customer_id') }} as email_candidate_ids
    from crm_customers
    where email_key is not null
    group by email_key
),

phone_matches as (
    select
        phone_key,
        count(*) as phone_candidates,
        min(crm_customer_id) as phone_crm_customer_id,
        {{ dbt.listagg('crm_customer_id', "', '", 'order by crm_customer_id') }} as phone_candidate_ids
    from crm_customers
    where phone_key is not null
    group by phone_key
),

final as (
    select
        records.record_key,
        records.source_system,
        records.source_entity,
        records.source_id,
        records.is_crm_master,
        records.is_via_sales_customer,
        -- identifiers
        records.given_crm_customer_id,
        records.email_key,
        records.phone_key,
        records.sales_customer_number,
        records.anonymous_id,
        -- what the rules find
        crm_customers.crm_customer_id is not null as is_given_crm_id_known,
        coalesce(email_matches.email_candidates, 0) as email_candidates,
        email_matches.email_crm_customer_id,
        email_matches.email_candidate_ids,
        coalesce(phone_matches.phone_candidates, 0) as phone_candidates,
        phone_matches.phone_crm_customer_id,
        phone_matches.phone_candidate_ids,
        -- lineage
        records._batch_seq,
        {{ build_started_at() }} as _matched_at,
        cast(
            {{ sql_string(var('default_phone_region')) }} as {{ dbt.type_string() }}
        ) as _default_phone_region
    from records
    left join crm_customers
        on records.given_crm_customer_id = crm_customers.crm_customer_id
    left join email_matches
        on
            records.email_key = email_matches.email_key
            and not records.is_crm_master
    left join phone_matches
        on
            records.phone_key = phone_matches.phone_key
            and not records.is_crm_master
)

select * from final
