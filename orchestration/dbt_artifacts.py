"""dbt's manifest.json written once per `dbt build`, not twice.

`dbt build` writes manifest.json (and semantic_manifest.json) as soon as it has parsed, and again
when it ends, with the SQL each node compiled. Nothing reads the first copy: dagster-dbt streams
the run against the manifest its definitions were made from, and a reader of the target folder
finds the second. Serialising this project's manifest costs ~1.5 s, and a cx360 run invokes
`dbt build` twice (the models, then the data-trust mart).

`write_manifest_when_the_command_ends(argv)` drops the first write of a `dbt build`; every other
command (`dbt parse`, which writes it only after parsing, `dbt docs generate`...) is left as it is.
dbt-core is pinned below 1.12: if these internals move, the patch is not applied.
"""

from __future__ import annotations

from collections.abc import Sequence

# commands whose task writes the manifest again when it ends (dbt.task.runnable.GraphRunnableTask.run)
_WRITTEN_AT_THE_END = {"build"}


def write_manifest_when_the_command_ends(argv: Sequence[str]) -> bool:
    """Patch dbt in this process for the command in `argv` (dbt's arguments); True if applied."""
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in _WRITTEN_AT_THE_END:
        return False
    try:
        import dbt.parser.manifest as parser
        import dbt.task.runnable as runnable
    except ImportError:
        return False
    # the end-of-command write goes through runnable's own reference; only the parser's is replaced
    if getattr(runnable, "write_manifest", None) is not parser.write_manifest:
        return False

    def prepare_without_writing(manifest, target_path, which=None):
        # what serialising did to the manifest in memory, for the nodes that read it during the run
        manifest.build_parent_and_child_maps()
        manifest.build_group_map()

    parser.write_manifest = prepare_without_writing
    return True
