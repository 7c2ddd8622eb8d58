{{ config(unique_key=['rate_date', 'currency']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('sales', 'fx_rates', ['rate_date', 'currency']) }}
),

versioned as (
    {{ latest_versions('source', ['rate_date', 'currency']) }}
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
)

select * from renamed
