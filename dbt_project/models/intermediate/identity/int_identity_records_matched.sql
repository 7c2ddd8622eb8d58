-- Every record with what each identity rule finds in the CRM: whether its crm id exists, and how
-- many CRM customers share its e-mail key and its phone key. CRM customers are never matched to
-- each other (the master is never merged); likely duplicates go to crm_duplicate_candidates.

with

records as (
    select * from {{ ref('int_identity_records_keyed') }}
),

crm_customers as (
    select
        source_id as crm_customer_id,
        email_key,
        phone_key
    from records
    where is_crm_master
),

email_matches as (
    select
        records.record_key,
        count(*) as email_candidates,
        min(crm_customers.crm_customer_id) as email_crm_customer_id,
        {{ dbt.listagg('crm_customers.crm_customer_id', "', '", 'order by crm_customers.crm_customer_id') }}
            as email_candidate_ids
    from records
    inner join crm_customers
        on records.email_key = crm_customers.email_key
    where not records.is_crm_master
    group by records.record_key
),

phone_matches as (
    select
        records.record_key,
        count(*) as phone_candidates,
        min(crm_customers.crm_customer_id) as phone_crm_customer_id,
        {{ dbt.listagg('crm_customers.crm_customer_id', "', '", 'order by crm_customers.crm_customer_id') }}
            as phone_candidate_ids
    from records
    inner join crm_customers
        on records.phone_key = crm_customers.phone_key
    where not records.is_crm_master
    group by records.record_key
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
        phone_matches.phone_candidate_ids
    from records
    left join crm_customers
        on records.given_crm_customer_id = crm_customers.crm_customer_id
    left join email_matches
        on records.record_key = email_matches.record_key
    left join phone_matches
        on records.record_key = phone_matches.record_key
)

select * from final
