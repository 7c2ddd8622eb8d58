-- One row per resolved record: its customer by the first identity rule that gives an answer
-- (model.md), else a prospect, else no customer. The rule is kept as match_rule.
-- Incremental: a build rewrites the records keyed again since the last one and those whose
-- signature's answer changed (int_identity_records_matched); _matched_at tells the journey which
-- records it has to look at again.

{{
    config(
        materialized='incremental',
        unique_key='record_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

{% if is_incremental() %}
    last_build as (
        select max(_matched_at) as matched_at from {{ this }}
    ),

    -- the records keyed again, and those whose signature's answer changed: two selects, so that
    -- each filter narrows one side of the view's join before it (a filter on their greater stamp
    -- would join every record first)
    records as (
        select * from {{ ref('int_identity_records_matched') }}
        where _keyed_at > (select last_build.matched_at from last_build)
        union all
        select * from {{ ref('int_identity_records_matched') }}
        where
            _signature_matched_at > (select last_build.matched_at from last_build)
            and _keyed_at <= (select last_build.matched_at from last_build)
    ),
{% else %}
    records as (
        select * from {{ ref('int_identity_records_matched') }}
    ),
{% endif %}

ruled as (
    select
        *,
        case
            when is_crm_master then 'crm_master'
            when is_given_crm_id_known and is_via_sales_customer then 'sales_customer_crm_id'
            when is_given_crm_id_known then 'explicit_crm_id'
            when email_candidates > 1 then 'ambiguous'
            when email_candidates = 1 and is_via_sales_customer then 'sales_customer_email'
            when email_candidates = 1 then 'email'
            when phone_candidates > 1 then 'ambiguous'
            when phone_candidates = 1 and is_via_sales_customer then 'sales_customer_phone'
            when phone_candidates = 1 then 'phone'
            when email_key is not null then 'prospect_email'
            when sales_customer_number is not null then 'prospect_customer_number'
            when anonymous_id is not null then 'prospect_anonymous_id'
            else 'no_identifier'
        end as match_rule
    from records
),

assigned as (
    select
        *,
        case
            when match_rule in ('crm_master', 'explicit_crm_id', 'sales_customer_crm_id')
                then given_crm_customer_id
            when match_rule in ('email', 'sales_customer_email') then email_crm_customer_id
            when match_rule in ('phone', 'sales_customer_phone') then phone_crm_customer_id
        end as crm_customer_id,
        case match_rule
            when 'prospect_email' then 'email'
            when 'prospect_customer_number' then 'customer_number'
            when 'prospect_anonymous_id' then 'anonymous_id'
        end as prospect_kind,
        case match_rule
            when 'prospect_email' then email_key
            when 'prospect_customer_number' then sales_customer_number
            when 'prospect_anonymous_id' then anonymous_id
        end as prospect_key
    from ruled
),

final as (
    select
        -- record
        record_key,
        source_system,
        source_entity,
        source_id,
        -- customer
        case
            when crm_customer_id is not null then {{ crm_customer_key('crm_customer_id') }}
            when prospect_kind is not null then {{ prospect_customer_key('prospect_kind', 'prospect_key') }}
        end as customer_key,
        crm_customer_id,
        prospect_kind is not null as is_prospect,
        prospect_kind,
        prospect_key,
        -- evidence
        match_rule,
        email_key,
        phone_key,
        anonymous_id,
        -- lineage
        _matched_at
    from assigned
)

select * from final
