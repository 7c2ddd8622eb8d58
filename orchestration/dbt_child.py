"""`cx360-dbt`: dbt, in the warehouse folder, as a child that dies with the run that started it.

The profile's database is `cx.duckdb` in the folder dbt runs in (dbt_project/profiles.yml): the
same text for every warehouse, so the parse of the project made once (dbt_manifest.prepare) serves
every warehouse's runs. This runs dbt in the warehouse folder: the parent of the target path
dagster-dbt gives (`<warehouse>/dbt_target`), or WORKDIR_ENV when a command names it.

dagster-dbt runs dbt in a subprocess. If the run is killed (SIGKILL, an out-of-memory kill), an
ordinary child would go on writing to the working database, and the next run would find it locked
by a dbt nobody waits for. On Linux the child asks the kernel to kill it when its parent dies
(PR_SET_PDEATHSIG), then runs dbt's own command line in this process.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
WORKDIR_ENV = "CX360_DBT_WORKDIR"


def main() -> None:
    workdir = os.environ.pop(WORKDIR_ENV, None)
    target = os.environ.get("DBT_TARGET_PATH")
    if workdir or target:
        # the run's warehouse, not a path a person set for running dbt by hand
        os.environ.pop("CX360_DUCKDB_PATH", None)
        os.chdir(workdir or os.path.dirname(os.path.abspath(target)))
    if sys.platform.startswith("linux"):
        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            sys.exit(1)
    from dbt.cli.main import cli

    from orchestration.dbt_artifacts import write_manifest_when_the_command_ends
    from orchestration.dbt_events import keep_only_logged_events

    keep_only_logged_events()
    write_manifest_when_the_command_ends(sys.argv[1:])
    cli()


if __name__ == "__main__":
    main()
