"""`cx360-dbt`: dbt, as a child that dies with the run that started it.

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


def main() -> None:
    if sys.platform.startswith("linux"):
        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            sys.exit(1)
    from dbt.cli.main import cli

    cli()


if __name__ == "__main__":
    main()
