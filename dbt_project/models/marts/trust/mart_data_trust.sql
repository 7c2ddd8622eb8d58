-- How fresh and how checked every table published to the BI database is (model.md, quality.md).
-- Built after every other model was built and checked (its sources are the audit step's records),
-- in the same run, so "this run" is the latest audit.
with

table_counts as (
    select * from {{ source('ops', 'table_counts') }}
),

check_results as (
    select * from {{ source('ops', 'check_results') }}
),

load_batches as (
    select * from {{ source('ops', 'load_batches') }}
),

batch_profiles as (
    select * from {{ source('ops', 'batch_profiles') }}
),

assignments as (
    select * from {{ ref('int_identity__assignments') }}
),

this_run as (
    select
        run_id,
        audited_at
    from table_counts
    order by audited_at desc
    limit 1
),

published as (
    select
        table_counts.table_name,
        table_counts.row_count
    from table_counts
    inner join this_run
        on table_counts.run_id = this_run.run_id
    where table_counts.database = 'bi'
    union all
    -- this mart is published too: one row per BI table, itself included
    select
        '{{ this.identifier }}' as table_name,
        count(*) + 1 as row_count
    from table_counts
    inner join this_run
        on table_counts.run_id = this_run.run_id
    where table_counts.database = 'bi'
),

run_checks as (
    select
        check_results.table_name,
        check_results.passed
    from check_results
    inner join this_run
        on check_results.run_id = this_run.run_id
),

checks_per_table as (
    select
        table_name,
        count(case when passed then 1 end) as checks_passed,
        count(case when not passed then 1 end) as checks_failed
    from run_checks
    group by table_name
),

checks_of_run as (
    select
        count(case when passed then 1 end) as run_checks_passed,
        count(case when not passed then 1 end) as run_checks_failed
    from run_checks
),

deliveries as (
    select
        max(case when source = 'crm' then loaded_at end) as crm_last_delivery_at,
        max(case when source = 'marketing' then loaded_at end) as marketing_last_delivery_at,
        max(case when source = 'sales' then loaded_at end) as sales_last_delivery_at,
        max(case when source = 'support' then loaded_at end) as support_last_delivery_at
    from load_batches
    where status = 'loaded'
),

-- quality.md: a column a source has never filled is reported, not blocked
never_filled as (
    select
        source,
        entity,
        column_name
    from batch_profiles
    where measure = 'filled'
    group by source, entity, column_name
    having sum(rows_considered) > 0 and sum(rows_meeting) = 0
),

never_filled_listed as (
    select
        {{ dbt.listagg(
            dbt.concat(["source", "'/'", "entity", "'.'", "column_name"]),
            "', '",
            "order by source, entity, column_name"
        ) }} as never_filled_columns
    from never_filled
),

matches as (
    select
        count(case when source_system = 'marketing' then 1 end) as marketing_records,
        count(case when source_system = 'marketing' and crm_customer_id is not null then 1 end)
            as marketing_crm_matched,
        count(case when source_system = 'sales' then 1 end) as sales_records,
        count(case when source_system = 'sales' and crm_customer_id is not null then 1 end)
            as sales_crm_matched,
        count(case when source_system = 'support' then 1 end) as support_records,
        count(case when source_system = 'support' and crm_customer_id is not null then 1 end)
            as support_crm_matched
    from assignments
),

final as (
    select
        published.table_name,
        published.row_count,
        this_run.run_id,
        this_run.audited_at as published_at,
        coalesce(checks_per_table.checks_passed, 0) as checks_passed,
        coalesce(checks_per_table.checks_failed, 0) as checks_failed,
        checks_of_run.run_checks_passed,
        checks_of_run.run_checks_failed,
        deliveries.crm_last_delivery_at,
        deliveries.marketing_last_delivery_at,
        deliveries.sales_last_delivery_at,
        deliveries.support_last_delivery_at,
        {{ dbt.datediff('deliveries.crm_last_delivery_at', 'this_run.audited_at', 'minute') }}
        / {{ double(60) }}
            as crm_hours_since_delivery,
        {{ dbt.datediff('deliveries.marketing_last_delivery_at', 'this_run.audited_at', 'minute') }}
        / {{ double(60) }}
            as marketing_hours_since_delivery,
        {{ dbt.datediff('deliveries.sales_last_delivery_at', 'this_run.audited_at', 'minute') }}
        / {{ double(60) }}
            as sales_hours_since_delivery,
        {{ dbt.datediff('deliveries.support_last_delivery_at', 'this_run.audited_at', 'minute') }}
        / {{ double(60) }}
            as support_hours_since_delivery,
        matches.marketing_records,
        matches.marketing_crm_matched,
        matches.marketing_crm_matched / nullif(matches.marketing_records, 0) as marketing_crm_match_rate,
        matches.sales_records,
        matches.sales_crm_matched,
        matches.sales_crm_matched / nullif(matches.sales_records, 0) as sales_crm_match_rate,
        matches.support_records,
        matches.support_crm_matched,
        matches.support_crm_matched / nullif(matches.support_records, 0) as support_crm_match_rate,
        never_filled_listed.never_filled_columns
    from published
    cross join this_run
    cross join checks_of_run
    cross join deliveries
    cross join matches
    cross join never_filled_listed
    left join checks_per_table
        on published.table_name = checks_per_table.table_name
)

select * from final
