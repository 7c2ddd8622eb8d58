"""Named points where the crash-safety tests kill a run, as a power cut or an out-of-memory kill would.

`CX360_TEST_KILL_AT=<point>` makes the process SIGKILL itself when it reaches that point; nothing
else reads it, and without it `reached` does nothing. Points: ingest:raw_file_written (a batch's
raw file in place, its load record not committed), dbt:model_built (dbt has built a model),
publish:staged (the new publication complete, not switched in), publish:switched (switched in,
not yet recorded in ops.publications).
"""

from __future__ import annotations

import os
import signal

ENV = "CX360_TEST_KILL_AT"


def reached(point: str) -> None:
    if os.environ.get(ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
