{#
    The winning version of every key of `relation` (extracts.md): the greatest `version_column`
    where the entity has one, ties and entities without one by the later batch, then the later row.
    Nearly every key is delivered once, and ranking millions of one-row groups is the costly part
    of staging, so only the keys delivered more than once are ranked. Those keys are found once;
    `relation` is read where it is used (the staging models import their source not materialized:
    copying a 15M-row source first took a third of the model's time at 1M).
#}
{% macro latest_versions(relation, key_columns, version_column=none) -%}
    {%- set keys = key_columns | join(', ') -%}
    with delivered_more_than_once as {{ materialized() }} (
        select {{ keys }} from {{ relation }} group by {{ keys }} having count(*) > 1
    )

    select * from {{ relation }}
    where ({{ keys }}) not in (select {{ keys }} from delivered_more_than_once)
    union all
    select * from {{ relation }}
    where ({{ keys }}) in (select {{ keys }} from delivered_more_than_once)
    qualify {{ latest_version_rank(key_columns, version_column) }} = 1
{%- endmacro %}
