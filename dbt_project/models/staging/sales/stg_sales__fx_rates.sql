with

source as (
    select * from {{ source('sales', 'fx_rates') }}
),

versioned as (
    select
        *,
        {{ latest_version_rank(['rate_date', 'currency']) }} as version_rank
    from source
),

renamed as (
    select
        -- ids
        rate_date,
        currency,
        -- figures
        rate_to_reporting,
        -- lineage
        _batch_id,
        _file_name,
        _row_number,
        _loaded_at
    from versioned
    where version_rank = 1
)

select * from renamed
