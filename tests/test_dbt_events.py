"""dbt's event patch (orchestration/dbt_events.py): lines a logger keeps are all written, whatever its level."""

from __future__ import annotations

import subprocess
import sys

# a dbt command's event manager with one logger at the given level, after cx360-dbt's patch
PROBE = """
import io, sys
from orchestration.dbt_events import keep_only_logged_events
assert keep_only_logged_events(), "dbt's event internals moved: the patch was not applied"
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager_client import add_logger_to_manager, cleanup_event_logger
from dbt_common.events.functions import fire_event
from dbt_common.events.logger import LineFormat, LoggerConfig
from dbt_common.events.types import Note
cleanup_event_logger()
out = io.StringIO()
add_logger_to_manager(LoggerConfig(name="probe", level=EventLevel(sys.argv[1]), line_format=LineFormat.PlainText,
                                   output_stream=out))
fire_event(Note(msg="a debug line"), level=EventLevel.DEBUG)
fire_event(Note(msg="an info line"))
print(out.getvalue())
"""


def _written(level: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, level], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_logger_at_info_gets_every_info_line_and_one_at_debug_every_line():
    at_info, at_debug = _written("info"), _written("debug")
    assert "an info line" in at_info and "a debug line" not in at_info
    assert "an info line" in at_debug and "a debug line" in at_debug  # `dbt --debug` loses nothing


# an event made after the patch: its message is built on the first read, from the keywords it got
LAZY_PROBE = """
from orchestration.dbt_events import keep_only_logged_events
assert keep_only_logged_events()
from dbt_common.events.types import Note
note = Note(msg="made")
print("built" if "pb_msg" in vars(note) else "not built")
print(note.msg, note.message())
note.msg = "changed"
print(note.msg, note.to_dict()["msg"])
"""


def test_an_event_builds_its_message_when_first_read_with_what_it_was_given():
    done = subprocess.run([sys.executable, "-c", LAZY_PROBE], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["not built", "made made", "changed changed"]
