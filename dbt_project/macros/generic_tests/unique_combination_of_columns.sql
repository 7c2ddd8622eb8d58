{#
    dbt-utils' unique_combination_of_columns: the grain of a model spans several columns. Returns
    the duplicated combinations (nulls compare equal, like a key would).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (
    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as n_records
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
)

select * from grouped
where n_records > 1

{% endtest %}
