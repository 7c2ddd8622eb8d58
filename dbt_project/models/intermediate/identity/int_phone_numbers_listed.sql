-- The distinct (phone as written, default region) pairs: the Python model parses each pair once.

with

records as (
    select * from {{ ref('int_identity_records_unioned') }}
),

final as (
    select distinct
        phone,
        phone_region
    from records
    where phone is not null
)

select * from final
