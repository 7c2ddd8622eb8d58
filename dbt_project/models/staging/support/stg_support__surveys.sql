{{ config(unique_key=['response_id']) }}

with

source as {{ not_materialized() }} (
    {{ changed_keys_source('support', 'surveys', ['response_id']) }}
),

versioned as (
    {{ latest_versions('source', ['response_id']) }}
),

renamed as (
    select
        -- ids
        response_id,
        crm_customer_id,
        ticket_id,
        order_id,
        -- contact
        respondent_email,
        -- attributes
        survey_type,
        score as survey_score,
        touchpoint as rated_touchpoint,
        comment as survey_comment,
        -- timestamps
        responded_at,
        -- lineage
        _batch_id,
        _batch_seq,
        _file_name,
        _row_number,
        _loaded_at
    from versioned
)

select * from renamed
