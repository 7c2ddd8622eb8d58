"""dbt's events without the work for lines nobody writes.

dbt turns every event into a message (a protobuf built through a dict) and hands it to each
logger, which formats the line and scrubs it of secrets (a scan of the whole environment per
line) before Python's logging drops it for its level. A demo build fires ~7,300 events, ~6,300
of them at debug level, which no logger of a cx360 run keeps (stdout and dbt.log are at info):
nearly a third of dbt's CPU on the demo (28 -> 20 CPU-seconds a build) went into lines thrown away.

`keep_only_logged_events()` skips an event that no logger would write and no one else listens
for, and scrubs with the secrets read once (dbt's environment does not change during a command).
An event skipped so was still built: dbt makes its protobuf message as it makes the event, from the
keywords it was given (1.9 of a demo build's ~17 CPU-seconds, in 2026-12-07's slow hour). Its
message is now built when something first reads it (a logger, a callback, a field), from the same
keywords, so an event nobody reads costs nothing. Everything written is what dbt writes.
dbt-core is pinned below 1.12: if these internals move, the patch is not applied and dbt runs as
it comes.
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
    _build_messages_when_read()
    return True


_PENDING = "_cx360_pending"  # an event's keywords, kept until its message is first read
_PATCHED = "_cx360_built_when_read"


def _build_messages_when_read() -> None:
    """dbt's events keep their keywords and build their message on its first read.

    BaseEvent keeps every field in its message (`pb_msg`): reading or setting any other attribute
    goes to it, so the message is built on the first such access, with the keywords the event was
    made with (dbt passes values it built for the event: a node's info is a new dict each time)."""
    from dbt_common.events.base_types import BaseEvent

    if getattr(BaseEvent, _PATCHED, False) or "pb_msg" not in BaseEvent.__init__.__code__.co_names:
        return  # patched already, or dbt's events no longer keep their fields in pb_msg
    build = BaseEvent.__init__

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, _PENDING, (args, kwargs))

    def built(self):
        pending = self.__dict__.pop(_PENDING, None)
        if pending is None:  # an event built elsewhere without keywords: as dbt would fail
            raise AttributeError("pb_msg")
        build(self, *pending[0], **pending[1])
        return self.__dict__["pb_msg"]

    def __getattr__(self, key):
        if key == "pb_msg":  # not built yet (once built, it is an instance attribute)
            return built(self)
        return getattr(self.pb_msg, key)

    def __setattr__(self, key, value):
        if key == "pb_msg":
            object.__setattr__(self, key, value)
        else:
            setattr(self.pb_msg, key, value)

    BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__ = __init__, __getattr__, __setattr__
    setattr(BaseEvent, _PATCHED, True)
