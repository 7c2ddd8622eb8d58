"""Lint-only stand-in for dbt's `flags` context, loaded by sqlfluff, never by dbt."""

FULL_REFRESH = False
