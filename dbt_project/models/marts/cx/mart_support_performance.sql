-- Support performance per month of ticket creation, channel and category (model.md), as the
-- tickets stood at the end of the as-of date (int_tickets_measured), with the CSAT answers that
-- rate those tickets (a survey's ticket_id). Medians and p90 are continuous percentiles.

with

tickets as {{ not_materialized() }} (
    select * from {{ ref('int_tickets_measured') }}
),

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
),

ticket_csat as (
    select
        tickets.month,
        tickets.ticket_channel,
        tickets.ticket_category,
        count(*) as csat_responses,
        count(case when responses.is_csat_satisfied then 1 end) as csat_satisfied
    from responses
    inner join tickets
        on responses.ticket_id = tickets.ticket_id
    where responses.survey_type = 'csat'
    group by tickets.month, tickets.ticket_channel, tickets.ticket_category
),

counted as (
    select
        month,
        ticket_channel,
        ticket_category,
        count(*) as tickets,
        count(case when is_solved then 1 end) as solved_tickets,
        count(case when is_one_touch then 1 end) as one_touch_tickets,
        count(case when is_reopened then 1 end) as reopened_tickets,
        count(first_response_hours) as responded_tickets,
        {{ percentile_cont(0.5, 'first_response_hours') }} as median_first_response_hours,
        {{ percentile_cont(0.9, 'first_response_hours') }} as p90_first_response_hours,
        count(resolution_hours) as resolved_tickets_with_time,
        {{ percentile_cont(0.5, 'resolution_hours') }} as median_resolution_hours
    from tickets
    group by month, ticket_channel, ticket_category
),

final as (
    select
        -- grain
        counted.month,
        counted.ticket_channel as channel,
        counted.ticket_category as category,
        -- volume
        counted.tickets,
        counted.solved_tickets,
        -- one-touch resolution and reopens
        counted.one_touch_tickets,
        {{ double(1) }} * counted.one_touch_tickets / nullif(counted.solved_tickets, 0) as one_touch_rate,
        counted.reopened_tickets,
        {{ double(1) }} * counted.reopened_tickets / nullif(counted.tickets, 0) as reopen_rate,
        -- speed
        counted.responded_tickets,
        counted.median_first_response_hours,
        counted.p90_first_response_hours,
        counted.resolved_tickets_with_time,
        counted.median_resolution_hours,
        -- CSAT of rated tickets
        coalesce(ticket_csat.csat_responses, 0) as csat_responses,
        coalesce(ticket_csat.csat_satisfied, 0) as csat_satisfied,
        {{ double(100) }} * ticket_csat.csat_satisfied / nullif(ticket_csat.csat_responses, 0) as csat_pct
    from counted
    left join ticket_csat
        on
            counted.month = ticket_csat.month
            and counted.ticket_channel = ticket_csat.ticket_channel
            and counted.ticket_category = ticket_csat.ticket_category
)

select * from final
