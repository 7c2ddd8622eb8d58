{{ config(unique_key=['feedback_id']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('support', 'feedback', ['feedback_id']) }}
),

versioned as (
    {{ latest_versions('source', ['feedback_id']) }}
),

renamed as (
    select
        -- ids
        feedback_id,
        crm_customer_id,
        -- contact
        author_email,
        author_handle,
        -- attributes
        source as feedback_source,
        kind as feedback_kind,
        topic,
        department as feedback_department,
        rating as feedback_rating,
        text as feedback_text,
        -- timestamps
        created_at,
        -- lineage
        _batch_id,
        _batch_seq,
        _file_name,
        _row_number,
        _loaded_at
    from versioned
)

select * from renamed
