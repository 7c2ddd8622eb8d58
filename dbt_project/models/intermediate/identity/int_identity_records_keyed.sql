-- Every record with its phone key, looked up by (phone as written, region) in the parsed list.
--
-- Incremental: int_identity_records_unioned is a view over the staging tables, and a build keys
-- only the records with a row in a later batch than the last build read (their _batch_seq is the
-- latest batch of any row their identifiers come from), so a day does not rewrite every record.
-- All of them when var default_phone_region changed: it is the region of every phone read
-- without one.

{{
    config(
        materialized='incremental',
        unique_key='record_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

records as (
    select * from {{ ref('int_identity_records_unioned') }}
),

phone_numbers as {{ not_materialized() }} (
    select * from {{ ref('int_phone_numbers_parsed') }}
),

{% if is_incremental() %}

    watermark as (
        {{ identity_batch_watermark(this) }}
    ),

    changed_records as (
        select records.* from records
        where records._batch_seq > (select watermark.batch_seq from watermark)
    ),

{% else %}

    changed_records as (
        select * from records
    ),

{% endif %}

final as (
    select
        changed_records.*,
        phone_numbers.phone_key,
        {{ build_started_at() }} as _keyed_at,
        cast(
            {{ sql_string(var('default_phone_region')) }} as {{ dbt.type_string() }}
        ) as _default_phone_region
    from changed_records
    left join phone_numbers
        on
            changed_records.phone = phone_numbers.phone
            and changed_records.phone_region is not distinct from phone_numbers.phone_region
)

select * from final
