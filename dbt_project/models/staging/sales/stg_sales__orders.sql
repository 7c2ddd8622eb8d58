{{ config(unique_key=['order_id']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('sales', 'orders', ['order_id']) }}
),

versioned as (
    {{ latest_versions('source', ['order_id'], 'updated_at') }}
),

renamed as (
    select
        -- ids
        order_id,
        customer_number,
        -- attributes
        sales_channel,
        status as order_status,
        -- figures
        currency,
        order_total,
        -- dates and timestamps
        ordered_at,
        promised_delivery_on,
        delivered_at,
        updated_at,
        -- lineage
        _batch_id,
        _batch_seq,
        _file_name,
        _row_number,
        _loaded_at
    from versioned
)

select * from renamed
