-- mart_data_trust: how fresh and how checked every published table is (model.md, quality.md).
-- Grain: one row per table published to the BI database in this run (this mart included).
-- Built by the publish step inside the new serving database, from the working database attached
-- as `wh`: it needs the checks of this very run, which only exist once every check has run.
-- Parameters: $run_id, $published_at.
with

published as (
    select table_name, row_count from published_tables
),

checks as (
    select
        table_name,
        count(*) filter (where passed) as checks_passed,
        count(*) filter (where not passed) as checks_failed
    from wh.ops.check_results
    where run_id = $run_id
    group by table_name
),

run_checks as (
    select
        count(*) filter (where passed) as run_checks_passed,
        count(*) filter (where not passed) as run_checks_failed
    from wh.ops.check_results
    where run_id = $run_id
),

deliveries as (
    select
        max(loaded_at) filter (where source = 'crm') as crm_last_delivery_at,
        max(loaded_at) filter (where source = 'marketing') as marketing_last_delivery_at,
        max(loaded_at) filter (where source = 'sales') as sales_last_delivery_at,
        max(loaded_at) filter (where source = 'support') as support_last_delivery_at
    from wh.ops.load_batches
    where status = 'loaded'
),

matches as (
    select
        count(*) filter (where source_system = 'marketing') as marketing_records,
        count(*) filter (where source_system = 'marketing' and crm_customer_id is not null) as marketing_crm_matched,
        count(*) filter (where source_system = 'sales') as sales_records,
        count(*) filter (where source_system = 'sales' and crm_customer_id is not null) as sales_crm_matched,
        count(*) filter (where source_system = 'support') as support_records,
        count(*) filter (where source_system = 'support' and crm_customer_id is not null) as support_crm_matched
    from wh.intermediate.int_identity__assignments
)

select
    published.table_name,
    published.row_count,
    $run_id as run_id,
    cast($published_at as timestamp) as published_at,
    coalesce(checks.checks_passed, 0) as checks_passed,
    coalesce(checks.checks_failed, 0) as checks_failed,
    run_checks.run_checks_passed,
    run_checks.run_checks_failed,
    deliveries.crm_last_delivery_at,
    deliveries.marketing_last_delivery_at,
    deliveries.sales_last_delivery_at,
    deliveries.support_last_delivery_at,
    date_diff('minute', deliveries.crm_last_delivery_at, cast($published_at as timestamp)) / 60.0
        as crm_hours_since_delivery,
    date_diff('minute', deliveries.marketing_last_delivery_at, cast($published_at as timestamp)) / 60.0
        as marketing_hours_since_delivery,
    date_diff('minute', deliveries.sales_last_delivery_at, cast($published_at as timestamp)) / 60.0
        as sales_hours_since_delivery,
    date_diff('minute', deliveries.support_last_delivery_at, cast($published_at as timestamp)) / 60.0
        as support_hours_since_delivery,
    matches.marketing_records,
    matches.marketing_crm_matched,
    matches.marketing_crm_matched / nullif(matches.marketing_records, 0) as marketing_crm_match_rate,
    matches.sales_records,
    matches.sales_crm_matched,
    matches.sales_crm_matched / nullif(matches.sales_records, 0) as sales_crm_match_rate,
    matches.support_records,
    matches.support_crm_matched,
    matches.support_crm_matched / nullif(matches.support_records, 0) as support_crm_match_rate
from published
cross join run_checks
cross join deliveries
cross join matches
left join checks
    on published.table_name = checks.table_name
order by published.table_name
