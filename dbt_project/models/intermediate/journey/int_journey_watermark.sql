-- What fct_customer_journey was built from, read by the next build's int_journey_scope: the latest
-- batch its inputs held, its as-of date and its configuration. Built after the journey (and
-- skipped when the journey, its per-customer summary or their tests fail, so the next build
-- re-reads those batches).

-- depends_on: {{ ref('fct_customer_journey') }}
-- depends_on: {{ ref('int_customer_journeys_summarised') }}

with

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
        coalesce((select max(batch_seq) from inputs), 0) as batch_seq,
        {{ as_of_date() }} as as_of_date,
        {{ journey_config_fingerprint() }} as config_fingerprint,
        {{ build_started_at() }} as built_at
)

select * from final
