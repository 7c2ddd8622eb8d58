-- Every customer: each CRM customer and each prospect that identity resolution produced.

with

assignments as (
    select * from {{ ref('int_identity__assignments') }}
),

final as (
    select distinct
        customer_key,
        crm_customer_id,
        is_prospect,
        prospect_kind,
        prospect_key
    from assignments
    where customer_key is not null
)

select * from final
