{{ config(unique_key=['order_id', 'line_number']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('sales', 'order_lines', ['order_id', 'line_number']) }}
),

versioned as (
    {{ latest_versions('source', ['order_id', 'line_number']) }}
),

renamed as (
    select
        -- ids
        order_id,
        line_number,
        product_id,
        -- attributes
        product_category,
        -- figures
        quantity,
        unit_price,
        discount_amount,
        -- lineage
        _batch_id,
        _batch_seq,
        _file_name,
        _row_number,
        _loaded_at
    from versioned
)

select * from renamed
