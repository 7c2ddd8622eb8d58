{#
    1 for the version of a key that wins (extracts.md): the greatest `version_column` where the
    entity has one, ties and entities without one by the later batch, then the later row.
#}
{% macro latest_version_rank(key_columns, version_column=none) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by
            {% if version_column %}{{ version_column }} desc, {% endif %}_batch_seq desc, _row_number desc
    )
{%- endmacro %}
