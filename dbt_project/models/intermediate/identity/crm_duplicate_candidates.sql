-- Likely duplicates inside the CRM: pairs of CRM customers sharing an e-mail key or a phone key.
-- The resolver never merges them; people do, in the CRM. One row per pair per shared key kind.

with

crm_customers as (
    select
        source_id as crm_customer_id,
        email_key,
        phone_key
    from {{ ref('int_identity_records_keyed') }}
    where is_crm_master
),

shared_emails as (
    select
        customer_a.crm_customer_id as crm_customer_id_a,
        customer_b.crm_customer_id as crm_customer_id_b,
        'email' as shared_key_kind,
        customer_a.email_key as shared_key
    from crm_customers as customer_a
    inner join crm_customers as customer_b
        on
            customer_a.email_key = customer_b.email_key
            and customer_a.crm_customer_id < customer_b.crm_customer_id
),

shared_phones as (
    select
        customer_a.crm_customer_id as crm_customer_id_a,
        customer_b.crm_customer_id as crm_customer_id_b,
        'phone' as shared_key_kind,
        customer_a.phone_key as shared_key
    from crm_customers as customer_a
    inner join crm_customers as customer_b
        on
            customer_a.phone_key = customer_b.phone_key
            and customer_a.crm_customer_id < customer_b.crm_customer_id
),

final as (
    select * from shared_emails
    union all
    select * from shared_phones
)

select * from final
