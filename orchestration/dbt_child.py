"""`cx360-dbt`: dbt, in the warehouse folder, as a child that dies with the run that started it.

The profile's database is `cx.duckdb` in the folder dbt runs in (dbt_project/profiles.yml): the
same text for every warehouse, so the parse of the project made once (dbt_manifest.prepare) serves
every warehouse's runs. This runs dbt in the warehouse folder: the parent of the target path
dagster-dbt gives (`<warehouse>/dbt_target`), or WORKDIR_ENV when a command names it.

dagster-dbt runs dbt in a subprocess. If the run is killed (SIGKILL, an out-of-memory kill), an
ordinary child would go on writing to the working database, and the next run would find it locked
by a dbt nobody waits for. On Linux the child asks the kernel to kill it when its parent dies
(PR_SET_PDEATHSIG), then runs dbt's own command line: on the run's warm dbt when it has one
(dbt_warm), else in this process.
"""

from __future__ import annotations

import os
import sys

import yaml

from orchestration.dbt_warm import die_with_parent, run_on_server

WORKDIR_ENV = "CX360_DBT_WORKDIR"


def main() -> None:
    workdir = os.environ.pop(WORKDIR_ENV, None)
    target = os.environ.get("DBT_TARGET_PATH")
    if workdir or target:
        # the run's warehouse, not a path a person set for running dbt by hand
        os.environ.pop("CX360_DUCKDB_PATH", None)
        os.chdir(workdir or os.path.dirname(os.path.abspath(target)))
    if not die_with_parent():  # the parent died before the request took effect
        sys.exit(1)
    argv = sys.argv[1:]
    code = run_on_server(argv)  # the run's warm dbt (dbt_warm), when it has one
    sys.exit(run_dbt(argv) if code is None else code)


def run_dbt(argv: list[str]) -> int:
    """dbt's own command line, in this process: its exit code."""
    from dbt.cli.main import cli

    from orchestration.dbt_artifacts import write_manifest_when_the_command_ends
    from orchestration.dbt_events import keep_only_logged_events
    from orchestration.dbt_schedule import critical_path_first
    from orchestration.dbt_templates import compiled_templates_kept

    keep_only_logged_events()
    critical_path_first()
    compiled_templates_kept(os.environ.get("DBT_TARGET_PATH"))  # where every cx360 command's dbt writes
    if builds_on_spark(argv):
        from orchestration.dbt_functions import register_on_spark_sessions

        register_on_spark_sessions()
    write_manifest_when_the_command_ends(argv)
    try:
        cli.main(args=argv, prog_name="dbt")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def builds_on_spark(argv: list[str]) -> bool:
    """Whether this dbt command's profile target is Spark: what profiles.yml reads, the command's
    `--vars` (cx360_engine, as the orchestration passes it) and else CX360_ENGINE."""
    engine = os.environ.get("CX360_ENGINE", "duckdb")
    for flag, value in zip(argv, argv[1:], strict=False):
        if flag == "--vars":
            engine = (yaml.safe_load(value) or {}).get("cx360_engine", engine)
        elif flag in ("--target", "-t"):
            return value == "spark"
    return engine == "spark"


if __name__ == "__main__":
    main()
