with

source as (
    select * from {{ source('marketing', 'campaigns') }}
),

versioned as (
    select
        *,
        {{ latest_version_rank(['campaign_id']) }} as version_rank
    from source
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
        _file_name,
        _row_number,
        _loaded_at
    from versioned
    where version_rank = 1
)

select * from renamed
