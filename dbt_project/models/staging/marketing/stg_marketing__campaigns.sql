{{ config(unique_key=['campaign_id']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('marketing', 'campaigns', ['campaign_id']) }}
),

versioned as (
    {{ latest_versions('source', ['campaign_id']) }}
),

renamed as (
    select
        -- ids
        campaign_id,
        -- attributes
        campaign_name,
        channel as campaign_channel,
        budget,
        -- dates
        started_on,
        ended_on,
        -- lineage
        _batch_id,
        _batch_seq,
        _file_name,
        _row_number,
        _loaded_at
    from versioned
)

select * from renamed
