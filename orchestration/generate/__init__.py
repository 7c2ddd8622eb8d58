"""A deterministic synthetic landing zone for all 11 entities of the extract contract.

    generate(out_dir, customers=500, seed=DEMO_SEED, progress=None) -> summary

People are made in chunks of CHUNK_SIZE, each chunk from its own `Random(f"{seed}:{chunk}")`, and every row
is appended to an open file as soon as it is made, so memory stays flat however many customers are asked
for. Keys come from person numbers and per-person counters, so they are unique without any global set.
The same (customers, seed) gives byte-identical CSV and JSONL files and identical Parquet content.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from random import Random

from orchestration.contracts import ENTITIES
from orchestration.generate.anomalies import PLAN
from orchestration.generate.journeys import Journey
from orchestration.generate.people import People
from orchestration.generate.reference import campaign_rows, fx_rows
from orchestration.generate.sink import Sink

DEMO_SEED = 42
DEMO_CUSTOMERS = 500
CHUNK_SIZE = 5_000

__all__ = ["CHUNK_SIZE", "DEMO_CUSTOMERS", "DEMO_SEED", "generate"]


def generate(
    out_dir: Path,
    customers: int = DEMO_CUSTOMERS,
    seed: int = DEMO_SEED,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Write the landing zone under out_dir; returns rows written per `source/entity` and what is in it.

    Summary keys: one per entity (`"crm/customers": 512`, ints), `files` (path -> rows), `row_errors`
    (the deliberate errors: file, row, reason, column, value, key) and `identity` (CRM duplicates,
    ambiguous records, unknown CRM ids, invalid phones: examples and exact counts).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sink = Sink(out_dir, list(PLAN))
    for row in campaign_rows():
        sink.write("marketing/campaigns", "2026-10-31", row)
    for row in fx_rows(seed):
        sink.write("sales/fx_rates", "2026", row)
    people = People(customers)
    for chunk, start in enumerate(range(0, customers, CHUNK_SIZE)):
        rng = Random(f"{seed}:{chunk}")
        stop = min(customers, start + CHUNK_SIZE)
        for num in range(start + 1, stop + 1):
            Journey(people.make(num, rng), rng, sink, people).run()
        if progress is not None:
            progress(stop - start)
    files = sink.close()
    summary: dict = {e.qualified: 0 for e in ENTITIES}
    for path, rows in files.items():
        source, name = path.split("/")[:2]
        summary[f"{source}/{name}"] += rows
    summary["files"] = files
    summary["row_errors"] = sink.applied
    summary["identity"] = {k: {"count": sink.note_counts[k], "examples": v} for k, v in sorted(sink.notes.items())}
    return summary
