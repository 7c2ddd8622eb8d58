{#
    The rows of a raw source that a staging model has to (re)consider. A full build: all of them.
    An incremental build: every version of each key that appears in a batch loaded after the
    latest batch the model holds, so latest_version_rank picks the winner among all versions of
    the key, exactly as a full build would, while keys without a new version are not read again.
    Batches only ever append (the raw zone is append-only), so `_batch_seq` is the watermark.
#}
{% macro changed_keys_source(source_name, table_name, key_columns) -%}
    {%- set raw = source(source_name, table_name) -%}
    {%- set keys = key_columns | join(', ') -%}
    select * from {{ raw }}
    {%- if is_incremental() %}
    where ({{ keys }}) in (
        select {{ keys }} from {{ raw }}
        where _batch_seq > (select coalesce(max(_batch_seq), -1) from {{ this }})
    )
    {%- endif %}
{%- endmacro %}
