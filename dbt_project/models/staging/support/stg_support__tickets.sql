{{ config(unique_key=['ticket_id']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('support', 'tickets', ['ticket_id']) }}
),

versioned as (
    {{ latest_versions('source', ['ticket_id'], 'updated_at') }}
),

renamed as (
    select
        -- ids
        ticket_id,
        crm_customer_id,
        order_id,
        -- contact
        requester_email,
        requester_phone,
        -- attributes
        channel as ticket_channel,
        category as ticket_category,
        priority as ticket_priority,
        status as ticket_status,
        agent_replies,
        reopened_count,
        -- timestamps
        created_at,
        first_response_at,
        solved_at,
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
