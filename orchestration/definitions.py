"""The cx360 code location that `dagster dev` (`cx360 ui`) loads: settings from the environment, once."""

from orchestration.location import build_definitions
from orchestration.settings import Settings

defs = build_definitions(Settings.from_env())
