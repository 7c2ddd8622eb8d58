-- One row per touchpoint of any department (model.md). Incremental: each build deletes the rows
-- of the customers in int_journey_scope (and the rows with no customer) and appends them again,
-- derived from all their events, so a daily build costs what changed, and equals a full build.

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="""
            {% if is_incremental() %}
            {{ delete_where(this, 'customer_key is null or ' ~ in_journey_scope('customer_key')) }}
            {% endif %}
        """
    )
}}

with

scope as (
    select * from {{ ref('int_journey_scope') }}
),

-- the customers the pre-hook deleted, by the same rule (int_touchpoints_enriched already keeps
-- only these: the filter costs little and states what this build derives)
touchpoints as (
    select * from {{ ref('int_touchpoints_staged') }}
    where customer_key is null or {{ in_journey_scope('customer_key', 'scope') }}
),

keyed as (
    select
        {{ dbt.hash(dbt.concat([
            "source_system", "'|'", "source_entity", "'|'", "source_id", "'|'", "touchpoint"
        ])) }} as journey_event_key,
        -- the event's stage as one bit of an integer (no stage: the bit after the stages')
        case journey_stage
            {%- for stage in journey_stage_names() %}
                when '{{ stage }}' then {{ 2 ** loop.index0 }}
            {%- endfor %}
            else {{ 2 ** (journey_stage_names() | length) }}
        end as stage_bit,
        *
    from touchpoints
),

{%- set customer_order = 'partition by customer_key order by occurred_at, journey_event_key' %}
{%- set earlier = customer_order ~ ' rows between unbounded preceding and 1 preceding' %}

-- every window in the customer's one order: the first of a stage is an event whose stage is not
-- among the stages of the customer's earlier events, which are one running bit_or of their bits. A
-- window partitioned by stage sorted every row's ~30 columns a second time (a full build at 1M:
-- the windows 44 -> 31 s); a running count per stage took six windows where one does (the full
-- journey's query at 1M: 42 -> 35 s).
sequenced as (
    select
        *,
        row_number() over ({{ customer_order }}) as customer_event_rank,
        lag(occurred_at) over ({{ customer_order }}) as previous_occurred_at,
        bit_or(stage_bit) over ({{ earlier }}) as earlier_stage_bits
    from keyed
),

final as (
    select
        -- keys
        journey_event_key,
        customer_key,
        -- event
        occurred_at,
        department,
        source_system,
        source_entity,
        source_id,
        touchpoint,
        channel,
        journey_stage,
        -- sequence (only where the customer is known)
        -- a bigint on every engine (Spark's row_number gives an int)
        case
            when customer_key is not null then cast(customer_event_rank as {{ dbt.type_bigint() }})
        end as event_seq,
        case
            when customer_key is not null then (coalesce(earlier_stage_bits, 0) & stage_bit) = 0
        end as is_first_of_stage,
        case
            when customer_key is not null
                then {{ dbt.datediff('previous_occurred_at', 'occurred_at', 'second') }} / {{ double(60) }}
        end as minutes_since_previous,
        -- figures
        revenue,
        experience_score,
        is_friction,
        -- identity evidence
        match_rule,
        crm_customer_id,
        is_prospect,
        -- source attributes
        order_id,
        is_valid_order,
        is_missing_fx_rate,
        ticket_id,
        survey_type,
        survey_score,
        rated_touchpoint,
        feedback_kind,
        feedback_department,
        topic,
        -- build bookkeeping: which build wrote the row (its tests read the latest build's rows)
        {{ build_started_at() }} as _built_at
    from sequenced
)

select * from final
