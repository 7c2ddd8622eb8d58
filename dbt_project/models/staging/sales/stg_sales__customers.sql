{{ config(unique_key=['customer_number']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('sales', 'customers', ['customer_number']) }}
),

versioned as (
    {{ latest_versions('source', ['customer_number'], 'updated_at') }}
),

renamed as (
    select
        -- ids
        customer_number,
        crm_customer_id,
        -- contact
        email,
        phone,
        full_name,
        country,
        -- timestamps
        created_at,
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
