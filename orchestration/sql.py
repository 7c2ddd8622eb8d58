"""Quoting for the few places that must build SQL text: values are data, never SQL (quality.md)."""

from __future__ import annotations


def literal(text: str) -> str:
    """A SQL string literal: 'it''s'."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier: "Col ""x""."""
    return '"' + str(name).replace('"', '""') + '"'
