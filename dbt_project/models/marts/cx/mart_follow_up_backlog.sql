-- Closing the loop, in counts (model.md's follow-up queue, for the BI database): how many
-- detractors, low-CSAT answers and complaints of the last var follow_up_window_days days are still
-- waiting for a reply, and for how long, by signal and age band. It counts the rows of
-- mart_follow_up_queue, which names people and is published to the restricted database only; this
-- mart names no one. Every signal x age band has a row, so an empty band shows as 0, not missing.

with

queue as (
    select * from {{ ref('mart_follow_up_queue') }}
),

as_of as (
    select
        {{ as_of_date() }} as as_of_date,
        {{ day_end(as_of_date()) }} as as_of_end
),

signals as (
    select
        signal_order.signal_number,
        signal_order.signal
    from (
        values (1, 'detractor'), (2, 'low_csat'), (3, 'complaint')
    ) as signal_order (signal_number, signal)
),

-- var follow_up_age_band_starts: the first day of each band; the last band ends with the window
age_bands as (
    select
        bands.age_band_number,
        bands.age_band,
        bands.min_days_waiting,
        bands.max_days_waiting
    from (
        values {{ day_bands('follow_up_age_band_starts', 'follow_up_window_days') }}
    ) as bands (age_band_number, age_band, min_days_waiting, max_days_waiting)
),

waiting as (
    select
        queue.signal,
        queue.customer_key,
        -- calendar days from the signal's date to the as-of date: 0 = a signal of the as-of date
        {{ dbt.datediff('cast(queue.signal_at as date)', 'as_of.as_of_date', 'day') }} as days_waiting,
        -- exact waiting time up to the end of the as-of date, in whole seconds: summed as integers, so
        -- the sum does not depend on the order rows are added in (floating-point sums do)
        {{ dbt.datediff('queue.signal_at', 'as_of.as_of_end', 'second') }} as waiting_seconds
    from queue
    cross join as_of
),

counted as (
    select
        signals.signal_number,
        signals.signal,
        age_bands.age_band_number,
        age_bands.age_band,
        age_bands.min_days_waiting,
        age_bands.max_days_waiting,
        count(waiting.signal) as open_signals,
        count(distinct waiting.customer_key) as customers,
        coalesce(sum(waiting.waiting_seconds), 0) as waiting_seconds_sum,
        max(waiting.waiting_seconds) as max_waiting_seconds
    from signals
    cross join age_bands
    left join waiting
        on
            signals.signal = waiting.signal
            and waiting.days_waiting between age_bands.min_days_waiting and age_bands.max_days_waiting
    group by
        signals.signal_number,
        signals.signal,
        age_bands.age_band_number,
        age_bands.age_band,
        age_bands.min_days_waiting,
        age_bands.max_days_waiting
),

final as (
    select
        -- grain
        signal,
        age_band,
        -- order and bounds
        signal_number,
        age_band_number,
        min_days_waiting,
        max_days_waiting,
        -- figures
        open_signals,
        customers,
        waiting_seconds_sum / {{ double(86400) }} as waiting_days_sum,
        waiting_seconds_sum / {{ double(86400) }} / nullif(open_signals, 0) as avg_waiting_days,
        max_waiting_seconds / {{ double(86400) }} as max_waiting_days
    from counted
)

select * from final
