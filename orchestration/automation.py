"""When the build runs by itself: when new files land, and once a day.

The sensor looks only at the landing zone's files (path, size, modification time), never at DuckDB,
so it cannot take the lock a running build holds. A run whose files are already loaded costs little:
ingestion skips every file it has recorded.
"""

from __future__ import annotations

import hashlib

import dagster as dg

from orchestration.contracts import ENTITIES
from orchestration.ingest.discover import entity_files
from orchestration.resources import WarehouseResource
from orchestration.settings import Settings

SENSOR_INTERVAL_SECONDS = 60
DAILY_AT_UTC = "0 6 * * *"  # after the nightly extracts of the four systems


def landing_fingerprint(settings: Settings) -> tuple[str, int]:
    """A digest of every delivered file's name, size and modification time, and the file count."""
    digest = hashlib.sha256()
    count = 0
    for entity in ENTITIES:
        for f in entity_files(settings.landing_dir, entity):
            try:
                stat = f.path.stat()
            except OSError:  # a broken link: ingestion will refuse it and say so
                stat = None
            digest.update(
                f"{entity.qualified}/{f.file_name}|{stat and stat.st_size}|{stat and stat.st_mtime_ns}\n".encode()
            )
            count += 1
    return digest.hexdigest(), count


def build_automation(job: dg.UnresolvedAssetJobDefinition | dg.JobDefinition):
    @dg.sensor(
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts a build when files are added to or changed in the landing zone.",
    )
    def landing_zone_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        settings = warehouse.settings()
        fingerprint, count = landing_fingerprint(settings)
        if count == 0:
            return dg.SkipReason(f"no files in {settings.landing_dir}")
        if fingerprint == context.cursor:
            return dg.SkipReason("no new or changed files in the landing zone")
        context.update_cursor(fingerprint)
        return dg.RunRequest(run_key=fingerprint, tags={"cx360/trigger": "landing_zone", "cx360/files": str(count)})

    daily = dg.ScheduleDefinition(
        name="daily_build",
        job=job,
        cron_schedule=DAILY_AT_UTC,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="A daily build, so figures move on with the as-of date even on a day without deliveries.",
    )
    return [landing_zone_sensor], [daily]
