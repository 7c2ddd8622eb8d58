{{ config(unique_key=['rate_date', 'currency']) }}

with

source as (
    {{ changed_keys_source('sales', 'fx_rates', ['rate_date', 'currency']) }}
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
        _batch_seq,
        _file_name,
        _row_number,
        _loaded_at
    from versioned
    where version_rank = 1
)

select * from renamed
