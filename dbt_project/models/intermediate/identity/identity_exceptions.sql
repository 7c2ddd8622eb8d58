-- Records identity resolution had to pass over, for people to act on: an explicit crm id that is
-- not in the CRM (ignored; the next rule was tried) and records whose first matching rule points
-- at two or more CRM customers (assigned to no one). Every resolved record is listed, sales
-- customers and their orders alike.

with

-- the records of a signature with an unknown crm id or an ambiguous match: a filter on the
-- signature's columns alone, so the signatures are chosen before the records are joined to them
records as (
    select * from {{ ref('int_identity_records_matched') }}
    where
        not is_given_crm_id_known
        and (given_crm_customer_id is not null or email_candidates > 1 or phone_candidates > 1)
),

unknown_crm_ids as (
    select
        source_system,
        source_entity,
        source_id,
        'unknown_crm_id' as reason,
        case when is_via_sales_customer then 'sales_customer_crm_id' else 'explicit_crm_id' end as rule,
        given_crm_customer_id as offending_value,
        cast(null as {{ dbt.type_string() }}) as candidate_crm_customer_ids
    from records
    where
        given_crm_customer_id is not null
        and not is_given_crm_id_known
),

ambiguous_emails as (
    select
        source_system,
        source_entity,
        source_id,
        'ambiguous' as reason,
        case when is_via_sales_customer then 'sales_customer_email' else 'email' end as rule,
        email_key as offending_value,
        email_candidate_ids as candidate_crm_customer_ids
    from records
    where
        not is_given_crm_id_known
        and email_candidates > 1
),

ambiguous_phones as (
    select
        source_system,
        source_entity,
        source_id,
        'ambiguous' as reason,
        case when is_via_sales_customer then 'sales_customer_phone' else 'phone' end as rule,
        phone_key as offending_value,
        phone_candidate_ids as candidate_crm_customer_ids
    from records
    where
        not is_given_crm_id_known
        and email_candidates = 0
        and phone_candidates > 1
),

final as (
    select * from unknown_crm_ids
    union all
    select * from ambiguous_emails
    union all
    select * from ambiguous_phones
)

select * from final
