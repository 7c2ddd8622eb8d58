-- Every time the company answered a customer, up to the end of the as-of date: what closes a
-- follow-up signal (model.md): a CRM activity of any type, or a ticket reply (the ticket's
-- first_response_at or solved_at; its updated_at is not a reply).

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

tickets as {{ not_materialized() }} (
    select * from {{ ref('int_tickets_measured') }}
),

replies as (
    select
        customer_key,
        occurred_at as replied_at,
        'crm_activity' as reply_kind,
        source_id
    from journey
    where source_system = 'crm' and source_entity = 'activities'
    union all
    -- first_responded_at and solved_at are null when after the as-of date
    select
        customer_key,
        first_responded_at as replied_at,
        'ticket_first_response' as reply_kind,
        ticket_id as source_id
    from tickets
    union all
    select
        customer_key,
        solved_at as replied_at,
        'ticket_solved' as reply_kind,
        ticket_id as source_id
    from tickets
),

final as (
    select * from replies
    where customer_key is not null and replied_at is not null
)

select * from final
