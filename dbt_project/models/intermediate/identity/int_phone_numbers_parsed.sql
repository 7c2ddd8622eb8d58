-- Phone keys: every distinct (phone, region) pair in E.164, parsed once by cx360_phone_key
-- (orchestration/phone_keys.py: the `phonenumbers` library, run in Python by either engine).
-- Parsing is the slow part of identity resolution at scale, and a number parses the same way every
-- day, so the table only grows: each build parses the pairs it has not parsed before.

{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

with

listed as (
    select * from {{ ref('int_phone_numbers_listed') }}
),

final as (
    select
        listed.phone,
        listed.phone_region,
        cx360_phone_key(listed.phone, listed.phone_region) as phone_key
    from listed
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as seen
            where seen.phone = listed.phone and seen.phone_region is not distinct from listed.phone_region
        )
    {% endif %}
)

select * from final
