-- Every record with its phone key, looked up by (phone as written, region) in the parsed list.

with

records as (
    select * from {{ ref('int_identity_records_unioned') }}
),

phone_numbers as (
    select * from {{ ref('int_phone_numbers_parsed') }}
),

final as (
    select
        records.*,
        phone_numbers.phone_key
    from records
    left join phone_numbers
        on
            records.phone = phone_numbers.phone
            and records.phone_region is not distinct from phone_numbers.phone_region
)

select * from final
