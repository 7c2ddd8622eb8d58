-- Every ticket opened up to the end of the as-of date, with its customer and its state at that
-- moment (model.md, "Metric definitions"): a response or a solve after the as-of date has not
-- happened yet. Hours are calendar hours, exact (from seconds). agent_replies and
-- reopened_count are the ticket's latest delivered values: the extract keeps no history of them.

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

as_of as (
    select {{ day_end(as_of_date()) }} as as_of_end
),

opened as (
    select
        journey.customer_key,
        tickets.*,
        case when tickets.first_response_at < as_of.as_of_end then tickets.first_response_at end
            as first_responded_at,
        case when tickets.solved_at < as_of.as_of_end then tickets.solved_at end as solved_by_as_of_at,
        -- solved or closed now, and not only after the as-of date (like dim_customer.open_tickets)
        tickets.ticket_status in ('solved', 'closed')
        and coalesce(tickets.solved_at < as_of.as_of_end, true) as is_solved
    from journey
    cross join as_of
    inner join tickets
        on journey.source_id = tickets.ticket_id
    where journey.touchpoint = 'ticket_opened'
),

final as (
    select
        -- ids
        ticket_id,
        customer_key,
        -- attributes
        {{ month_start('created_at') }} as month,
        ticket_channel,
        ticket_category,
        agent_replies,
        reopened_count,
        -- timestamps
        created_at,
        first_responded_at,
        solved_by_as_of_at as solved_at,
        -- state and figures as of the as-of date
        is_solved,
        -- one-touch: solved with at most one agent reply and never reopened; unknown counts are not one-touch
        is_solved and coalesce(agent_replies <= 1 and reopened_count = 0, false) as is_one_touch,
        coalesce(reopened_count > 0, false) as is_reopened,
        {{ dbt.datediff('created_at', 'first_responded_at', 'second') }} / {{ double(3600) }}
            as first_response_hours,
        case
            when is_solved
                then {{ dbt.datediff('created_at', 'solved_by_as_of_at', 'second') }} / {{ double(3600) }}
        end as resolution_hours
    from opened
)

select * from final
