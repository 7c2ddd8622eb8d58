{{ config(unique_key=['customer_id']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('crm', 'customers', ['customer_id']) }}
),

versioned as (
    {{ latest_versions('source', ['customer_id'], 'updated_at') }}
),

renamed as (
    select
        -- ids
        customer_id,
        -- contact
        email,
        phone,
        first_name,
        last_name,
        country,
        -- attributes
        segment,
        marketing_consent,
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
