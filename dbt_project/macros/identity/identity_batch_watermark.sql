{#
    The latest load batch an incremental identity model has read: its rows with a later
    _batch_seq are the ones to (re)build. -1, so that every row is rebuilt, when the model was built
    with another var default_phone_region: that region reads every phone written without one.
    The model stores _batch_seq and _default_phone_region on each row.
#}
{% macro identity_batch_watermark(previous) -%}
    select
        case
            when bool_and(
                previous._default_phone_region
                is not distinct from {{ sql_string(var('default_phone_region')) }}
            ) then max(previous._batch_seq)
            else -1
        end as batch_seq
    from {{ previous }} as previous
{%- endmacro %}
