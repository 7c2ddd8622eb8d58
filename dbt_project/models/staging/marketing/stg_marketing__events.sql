{{ config(unique_key=['event_id']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('marketing', 'events', ['event_id']) }}
),

versioned as (
    {{ latest_versions('source', ['event_id']) }}
),

renamed as (
    select
        -- ids
        event_id,
        campaign_id,
        crm_customer_id,
        anonymous_id,
        -- contact
        contact_email,
        -- attributes
        event_type,
        utm_source,
        utm_medium,
        cost,
        -- timestamps
        occurred_at,
        -- lineage
        _batch_id,
        _batch_seq,
        _file_name,
        _row_number,
        _loaded_at,
        {{ build_started_at() }} as _staged_at
    from versioned
)

select * from renamed
