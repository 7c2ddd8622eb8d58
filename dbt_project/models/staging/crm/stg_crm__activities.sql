{{ config(unique_key=['activity_id']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('crm', 'activities', ['activity_id']) }}
),

versioned as (
    {{ latest_versions('source', ['activity_id']) }}
),

renamed as (
    select
        -- ids
        activity_id,
        customer_id,
        -- attributes
        activity_type,
        owner as activity_owner,
        outcome as activity_outcome,
        -- timestamps
        occurred_at,
        -- lineage
        _batch_id,
        _batch_seq,
        _file_name,
        _row_number,
        _loaded_at
    from versioned
)

select * from renamed
