"""Ingestion of the landing zone into the raw zone (see loader.py)."""

from orchestration.ingest.loader import BatchOutcome, EntityLoad, load_entity

__all__ = ["BatchOutcome", "EntityLoad", "load_entity"]
