-- What fct_customer_journey was built from, read by the next build's int_journey_scope: the latest
-- batch its inputs held, its as-of date and its configuration, and what the build left (rows of
-- the journey, customers summarised). It reads both incremental tables, so it is built after them
-- and skipped when either or their tests fail: the next build then re-reads those batches.

with

journey as (
    select count(*) as journey_rows from {{ ref('fct_customer_journey') }}
),

summarised as (
    select count(*) as summarised_customers from {{ ref('int_customer_journeys_summarised') }}
),

inputs as (
    {% for model in [
        'stg_marketing__events', 'stg_marketing__campaigns', 'stg_crm__activities', 'stg_sales__orders',
        'stg_sales__fx_rates', 'stg_support__tickets', 'stg_support__surveys', 'stg_support__feedback',
    ] %}
        select max(_batch_seq) as batch_seq from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        coalesce((select max(inputs.batch_seq) from inputs), 0) as batch_seq,
        {{ as_of_date() }} as as_of_date,
        {{ journey_config_fingerprint() }} as config_fingerprint,
        {{ build_started_at() }} as built_at,
        journey.journey_rows,
        summarised.summarised_customers
    from journey
    cross join summarised
)

select * from final
