-- Reconciliation (quality.md): no customer is lost between identity resolution and dim_customer:
-- every customer_key identity resolution assigns has its row in dim_customer, and dim_customer
-- invents none. Returns the keys found on one side only.
{{ config(meta={'dagster': {'ref': {'name': 'dim_customer'}}}) }}

with

resolved as (
    select distinct customer_key
    from {{ ref('int_identity__assignments') }}
    where customer_key is not null
),

profiled as (
    select customer_key from {{ ref('dim_customer') }}
)

select
    coalesce(resolved.customer_key, profiled.customer_key) as customer_key,
    resolved.customer_key is not null as is_resolved,
    profiled.customer_key is not null as is_profiled
from resolved
full outer join profiled
    on resolved.customer_key = profiled.customer_key
where resolved.customer_key is null or profiled.customer_key is null
