-- Every record with what each identity rule finds in the CRM: its signature's answer
-- (int_identity_signatures_matched) joined back by the identifiers the signature is made of.
-- A view: the rules run per record in int_identity__assignments, which stores the records that
-- changed and those whose signature's answer changed (_matched_at), and identity_exceptions lists
-- the records of the signatures with an unknown crm id or an ambiguous match.

{{ config(materialized='view') }}

with

records as (
    select * from {{ ref('int_identity_records_keyed') }}
),

signatures as (
    select * from {{ ref('int_identity_signatures_matched') }}
),

final as (
    select
        records.record_key,
        records.source_system,
        records.source_entity,
        records.source_id,
        signatures.is_crm_master,
        records.is_via_sales_customer,
        -- identifiers (those of the signature are its own: a filter on them narrows the signatures
        -- before the join instead of the joined records after it)
        signatures.given_crm_customer_id,
        signatures.email_key,
        signatures.phone_key,
        records.sales_customer_number,
        records.anonymous_id,
        -- what the rules find
        signatures.signature_key,
        signatures.is_given_crm_id_known,
        signatures.email_candidates,
        signatures.email_crm_customer_id,
        signatures.email_candidate_ids,
        signatures.phone_candidates,
        signatures.phone_crm_customer_id,
        signatures.phone_candidate_ids,
        -- lineage: the record's answer last changed when the record did (a row in a later batch)
        -- or its signature's answer did
        records._batch_seq,
        records._keyed_at,
        signatures._matched_at as _signature_matched_at,
        greatest(records._keyed_at, signatures._matched_at) as _matched_at,
        signatures._default_phone_region
    from records
    inner join signatures
        on
            records.is_crm_master = signatures.is_crm_master
            and records.given_crm_customer_id is not distinct from signatures.given_crm_customer_id
            and records.email_key is not distinct from signatures.email_key
            and records.phone_key is not distinct from signatures.phone_key
)

select * from final
