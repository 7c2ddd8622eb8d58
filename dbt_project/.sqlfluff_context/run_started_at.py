"""Lint-only stand-in for dbt's `run_started_at` context (a datetime), loaded by sqlfluff, never by dbt."""

from datetime import UTC, datetime


def strftime(fmt):
    return datetime(2026, 1, 1, tzinfo=UTC).strftime(fmt)
