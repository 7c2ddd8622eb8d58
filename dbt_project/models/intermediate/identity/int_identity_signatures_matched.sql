-- What each identity rule finds in the CRM, once per identity signature: the identifiers the
-- matching reads (whether the record is a CRM customer, its given crm id, e-mail key and phone
-- key). Whether its crm id exists, and how many CRM customers share its e-mail key and its phone
-- key, depend on nothing else, and the 20M records at a million customers carry far fewer
-- signatures (most marketing events carry the same few): int_identity_records_matched joins the
-- answer back to each record. CRM customers are never matched to each other (the master is never
-- merged); likely duplicates go to crm_duplicate_candidates.
--
-- Incremental: a build resolves again only the signatures whose answer can have changed since the
-- last one: those of the records with a row in a later batch (new, corrected, or their sales
-- customer's or CRM customer's row is), and those whose crm id, e-mail key or phone key is that of
-- a CRM customer who changed, before or after the change. _matched_at is when a signature's answer
-- last changed (or it was first resolved).
-- A signature no record holds any more stays (its answer is kept up to date like any other) until
-- a full refresh. Everything again when var default_phone_region changed: every phone key may
-- change, so the pre-hook empties the table first (only then: on Spark a delete rewrites it).

{{
    config(
        materialized='incremental',
        unique_key='signature_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="""
            {% if is_incremental() %}
            {% set other_region = '_default_phone_region is distinct from ' ~ sql_string(var('default_phone_region')) %}
            {% if run_query('select count(*) from ' ~ this ~ ' where ' ~ other_region).rows[0][0] %}
            {{ delete_where(this, other_region) }}
            {% endif %}
            {% endif %}
        """
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

    previous as {{ not_materialized() }} (
        select * from {{ this }}
    ),

    -- an empty table (the first build after another default phone region) reads every record
    watermark as (
        {{ identity_batch_watermark(this) }}
    ),

    changed_records as {{ not_materialized() }} (
        select * from all_records
        where _batch_seq > (select coalesce(watermark.batch_seq, -1) from watermark)
    ),

    changed_crm_customers as (
        select * from crm_customers
        where crm_customer_id in (
            select changed.source_id from changed_records as changed
            where changed.is_crm_master
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
            given_crm_customer_id as crm_customer_id,
            email_key,
            phone_key
        from previous
        where
            is_crm_master
            and given_crm_customer_id in (
                select changed_crm_customers.crm_customer_id from changed_crm_customers
            )
    ),

    signatures as (
        select
            is_crm_master,
            given_crm_customer_id,
            email_key,
            phone_key,
            _batch_seq
        from changed_records
        union all
        select
            is_crm_master,
            given_crm_customer_id,
            email_key,
            phone_key,
            _batch_seq
        from previous
        where
            given_crm_customer_id in (select touched_keys.crm_customer_id from touched_keys)
            or email_key in (select touched_keys.email_key from touched_keys)
            or phone_key in (select touched_keys.phone_key from touched_keys)
    ),

{% else %}

    signatures as (
        select * from all_records
    ),

{% endif %}

-- one row per signature, with the latest batch of its records read (the next build's watermark)
distinct_signatures as (
    select
        is_crm_master,
        given_crm_customer_id,
        email_key,
        phone_key,
        max(_batch_seq) as _batch_seq
    from signatures
    group by is_crm_master, given_crm_customer_id, email_key, phone_key
),

{% if is_incremental() %}

    -- the CRM customers sharing a key with a signature this build resolves: grouping every CRM
    -- customer by key on a daily build was ~0.5 s of its ~3 s at 1M
    looked_up as (
        select * from crm_customers
        where
            email_key in (select distinct_signatures.email_key from distinct_signatures)
            or phone_key in (select distinct_signatures.phone_key from distinct_signatures)
    ),

{% else %}

    looked_up as (
        select * from crm_customers
    ),

{% endif %}

-- CRM customers per e-mail key and per phone key: looked up once per key
email_matches as (
    select
        email_key,
        count(*) as email_candidates,
        min(crm_customer_id) as email_crm_customer_id,
        {{ listagg_sorted('crm_customer_id', "', '") }} as email_candidate_ids
    from looked_up
    where email_key is not null
    group by email_key
),

phone_matches as (
    select
        phone_key,
        count(*) as phone_candidates,
        min(crm_customer_id) as phone_crm_customer_id,
        {{ listagg_sorted('crm_customer_id', "', '") }} as phone_candidate_ids
    from looked_up
    where phone_key is not null
    group by phone_key
),

resolved as (
    select
        {{ identity_signature_key(
            'distinct_signatures.is_crm_master',
            'distinct_signatures.given_crm_customer_id',
            'distinct_signatures.email_key',
            'distinct_signatures.phone_key',
        ) }} as signature_key,
        -- signature
        distinct_signatures.is_crm_master,
        distinct_signatures.given_crm_customer_id,
        distinct_signatures.email_key,
        distinct_signatures.phone_key,
        -- what the rules find
        crm_customers.crm_customer_id is not null as is_given_crm_id_known,
        coalesce(email_matches.email_candidates, 0) as email_candidates,
        email_matches.email_crm_customer_id,
        email_matches.email_candidate_ids,
        coalesce(phone_matches.phone_candidates, 0) as phone_candidates,
        phone_matches.phone_crm_customer_id,
        phone_matches.phone_candidate_ids,
        distinct_signatures._batch_seq
    from distinct_signatures
    left join crm_customers
        on distinct_signatures.given_crm_customer_id = crm_customers.crm_customer_id
    left join email_matches
        on
            distinct_signatures.email_key = email_matches.email_key
            and not distinct_signatures.is_crm_master
    left join phone_matches
        on
            distinct_signatures.phone_key = phone_matches.phone_key
            and not distinct_signatures.is_crm_master
),

{#- a signature resolved again to the same answer keeps its stamp: its records keep their
    customer, so nothing downstream looks at them again (the signature with no identifier at all,
    that of anonymous events, is resolved again every day and holds millions of records) -#}
{%- set answer = [
    'is_given_crm_id_known', 'email_candidates', 'email_crm_customer_id', 'email_candidate_ids',
    'phone_candidates', 'phone_crm_customer_id', 'phone_candidate_ids',
] -%}
{%- set same_answer = [] -%}
{%- for column in answer -%}
    {%- do same_answer.append('(resolved.' ~ column ~ ' is not distinct from previous.' ~ column ~ ')') -%}
{%- endfor %}

{% if is_incremental() %}

    final as (
        select
            resolved.*,
            case
                when
                    previous.signature_key is not null
                    and {{ same_answer | join('\n                    and ') }}
                    then previous._matched_at
                else {{ build_started_at() }}
            end as _matched_at,
            cast(
                {{ sql_string(var('default_phone_region')) }} as {{ dbt.type_string() }}
            ) as _default_phone_region
        from resolved
        left join previous
            on resolved.signature_key = previous.signature_key
    )

{% else %}

    final as (
        select
            resolved.*,
            {{ build_started_at() }} as _matched_at,
            cast(
                {{ sql_string(var('default_phone_region')) }} as {{ dbt.type_string() }}
            ) as _default_phone_region
        from resolved
    )

{% endif %}

select * from final
