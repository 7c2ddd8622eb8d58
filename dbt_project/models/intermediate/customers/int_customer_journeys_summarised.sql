-- Each customer's journey up to the as-of date: first and latest touch, the stage of the latest
-- touch, and the departments that touched them (sorted, comma-separated).
-- Incremental like the journey: a build summarises again the customers of int_journey_scope, the
-- only ones whose events changed (nothing here depends on a window around the as-of date), and
-- int_journey_watermark waits for this model, so a failed build is scoped again by the next.

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="""
            {% if is_incremental() %}
            {{ delete_where(this, in_journey_scope('customer_key')) }}
            {% endif %}
        """
    )
}}

with

journey as (
    select * from {{ ref('fct_customer_journey') }}
),

scope as (
    select * from {{ ref('int_journey_scope') }}
),

events as (
    select * from journey
    where
        customer_key is not null
        {% if is_incremental() %}
            and {{ in_journey_scope('customer_key', 'scope') }}
        {% endif %}
),

departments as (
    select distinct
        customer_key,
        department
    from events
),

departments_listed as (
    select
        customer_key,
        {{ listagg_sorted('department', "','") }} as departments
    from departments
    group by customer_key
),

events_summarised as (
    select
        customer_key,
        count(*) as journey_events,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at,
        -- event_seq numbers a customer's events: the latest has the greatest (DuckDB and Spark
        -- both have max_by)
        max_by(journey_stage, event_seq) as current_stage
    from events
    group by customer_key
),

final as (
    select
        events_summarised.*,
        departments_listed.departments
    from events_summarised
    inner join departments_listed
        on events_summarised.customer_key = departments_listed.customer_key
)

select * from final
