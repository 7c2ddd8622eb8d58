"""Which file each row goes to, in which format, and the schema drift each file shows.

A batch key names one delivered file of an entity (a month, a period, an extract date). The file name
sorts in delivery order, because batches are loaded in file-name order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.contracts import ENTITIES, Entity

PERIODS = ("2026-05_2026-07", "2026-08_2026-10")  # quarterly-ish extracts (tickets, surveys)


@dataclass(frozen=True)
class FileSpec:
    path: str  # relative to the landing zone
    fmt: str  # csv, jsonl, parquet
    entity: Entity
    headers: tuple[str, ...]  # as written in the file, in file order
    columns: tuple[str | None, ...]  # the contract column of each header; None for an extra column
    extras: dict[str, str] = field(default_factory=dict)  # extra header -> constant value
    sparse: bool = False  # JSONL: leave out keys whose value is null
    bom: bool = False  # CSV: start with a UTF-8 byte-order mark


_FORMAT = {
    "crm/customers": "csv",
    "crm/activities": "csv",
    "marketing/campaigns": "csv",
    "marketing/events": "jsonl",
    "sales/customers": "csv",
    "sales/orders": "csv",
    "sales/order_lines": "parquet",
    "sales/fx_rates": "parquet",
    "support/tickets": "csv",
    "support/surveys": "jsonl",
    "support/feedback": "csv",
}
_NAME = {
    "crm/customers": "customers_{b}",
    "crm/activities": "activities_{b}",
    "marketing/campaigns": "campaigns_{b}",
    "marketing/events": "events_{b}",
    "sales/customers": "customers_{b}",
    "sales/orders": "orders_{b}",
    "sales/order_lines": "order_lines_{b}",
    "sales/fx_rates": "fx_rates_{b}",
    "support/tickets": "tickets_{b}",
    "support/surveys": "survey_responses_{b}",
    "support/feedback": "feedback_{b}",
}
# Deliberate schema drift (extracts.md allows it): header case, column order, extra columns.
_TITLE_CASE_REORDERED = {("crm/customers", "2026-10-31_delta")}
_EXTRA = {
    ("sales/customers", "2026-10-31"): {"source_system": "erp-v2"},
    ("marketing/events", "2026-09"): {"tracking_version": "2"},
}
_SPARSE = {"marketing/events"}
_BOM = {"support/feedback"}


def _title(name: str) -> str:
    return "_".join(p.upper() if p == "id" else p.capitalize() for p in name.split("_"))


def file_spec(entity: Entity, batch: str) -> FileSpec:
    q = entity.qualified
    fmt = _FORMAT[q]
    columns: tuple[str | None, ...] = tuple(c.name for c in entity.columns)
    headers = tuple(c for c in columns if c)
    if (q, batch) in _TITLE_CASE_REORDERED:
        # key first, then the timestamps, then the rest: Customer_ID, Created_At, Updated_At, Email...
        order = sorted(columns, key=lambda c: (c not in entity.key, not str(c).endswith("_at"), columns.index(c)))
        columns = tuple(order)
        headers = tuple(_title(str(c)) for c in columns)
    extras = _EXTRA.get((q, batch), {})
    headers += tuple(extras)
    columns += (None,) * len(extras)
    path = f"{entity.source}/{entity.name}/{_NAME[q].format(b=batch)}.{fmt}"
    return FileSpec(path, fmt, entity, headers, columns, extras, q in _SPARSE, q in _BOM)


ENTITY = {e.qualified: e for e in ENTITIES}
