"""dbt's events without the work for lines nobody writes.

dbt turns every event into a message (a protobuf built through a dict) and hands it to each
logger, which formats the line and scrubs it of secrets (a scan of the whole environment per
line) before Python's logging drops it for its level. A demo build fires ~7,300 events, ~6,300
of them at debug level, which no logger of a cx360 run keeps (stdout and dbt.log are at info):
nearly a third of dbt's CPU on the demo (28 -> 20 CPU-seconds a build) went into lines thrown away.

`keep_only_logged_events()` skips an event that no logger would write and no one else listens
for, and scrubs with the secrets read once (dbt's environment does not change during a command).
Everything written is what dbt writes. dbt-core is pinned below 1.12: if these internals move, the
patch is not applied and dbt runs as it comes.
"""

from __future__ import annotations


def keep_only_logged_events() -> bool:
    """Patch dbt's event manager in this process; True if applied."""
    try:
        import dbt.events.logging as dbt_logging
        from dbt.tracking import track_behavior_change_warn
        from dbt_common.events.base_types import EventLevel
        from dbt_common.events.event_manager import EventManager
        from dbt_common.exceptions.base import env_secrets, scrub_secrets
    except ImportError:
        return False
    if not callable(getattr(dbt_logging, "env_scrubber", None)):
        return False

    secrets = env_secrets()
    dbt_logging.env_scrubber = lambda msg: scrub_secrets(msg, secrets)  # the loggers' scrubber, set up after this
    fire = EventManager.fire_event

    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if (
            (level or e.level_tag()) == EventLevel.DEBUG
            and not force_warn_or_error_handling
            and all(getattr(logger, "level", EventLevel.DEBUG) != EventLevel.DEBUG for logger in self.loggers)
            # dbt's own callback only reads warnings; a caller's callback gets every event
            and all(callback is track_behavior_change_warn for callback in self.callbacks)
        ):
            return
        fire(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    EventManager.fire_event = fire_event
    return True
