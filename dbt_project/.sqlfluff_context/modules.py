"""Lint-only stand-in for dbt's `modules` context (modules.re), loaded by sqlfluff, never by dbt."""

import re  # noqa: F401 - exposed as modules.re
