-- Every customer: each CRM customer and each prospect that identity resolution produced, as
-- int_customer_identifiers_pivoted lists them (one row per customer with records), without their
-- identifiers. A view: that table is incremental by customer, and listing the customers again
-- from every record was a pass over the 20M assignments of a million customers each day.

{{ config(materialized='view') }}

with

identified as (
    select * from {{ ref('int_customer_identifiers_pivoted') }}
),

final as (
    select
        customer_key,
        crm_customer_id,
        is_prospect,
        prospect_kind,
        prospect_key
    from identified
)

select * from final
