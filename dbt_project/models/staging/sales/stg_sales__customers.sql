{{ config(unique_key=['customer_number']) }}

with

source as (
    {{ changed_keys_source('sales', 'customers', ['customer_number']) }}
),

versioned as (
    select
        *,
        {{ latest_version_rank(['customer_number'], 'updated_at') }} as version_rank
    from source
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
    where version_rank = 1
)

select * from renamed
