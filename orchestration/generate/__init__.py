"""A deterministic synthetic landing zone for all 11 entities of the extract contract.

    generate(out_dir, customers=500, seed=DEMO_SEED, progress=None) -> summary

People are made in chunks of CHUNK_SIZE, each chunk from its own `Random(f"{seed}:{chunk}")`, and every row
is appended to an open file as soon as it is made, so memory stays flat however many customers are asked
for. Keys come from person numbers and per-person counters, so they are unique without any global set.
The same (customers, seed) gives byte-identical CSV and JSONL files and identical Parquet content.

With `workers` > 1 (default: the number of CPUs) the chunks are made by worker processes into part
files that are then assembled in chunk order (parallel.py): the files and the summary are the same as
a single-process run's, whatever the number of workers.

    generate_days(out_dir, after, days, customers=500, seed=42) -> summary

adds to such a landing zone the daily deliveries of the `days` days after `after` (2026-10-31 or later),
for incremental runs (daily.py): one file per entity and day that has rows (`orders_2026-11-01.csv`,
`fx_rates_daily_2026-11-02.parquet`: names that sort after the base files), about the base's daily volume,
every row within the contract, and each day identity changes (prospects joining the CRM, corrected CRM,
shop and ticket records) listed in the summary's `identity_changes`. A day depends only on the seed and on the
base and earlier days' files, so N days at once equal N runs of one day, and a day made again is the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from random import Random

from orchestration.contracts import ENTITIES
from orchestration.generate.anomalies import PLAN
from orchestration.generate.daily import generate_days
from orchestration.generate.journeys import Journey
from orchestration.generate.parallel import generate_parallel
from orchestration.generate.people import People
from orchestration.generate.reference import campaign_rows, fx_rows
from orchestration.generate.sink import Sink

DEMO_SEED = 42
DEMO_CUSTOMERS = 500
CHUNK_SIZE = 5_000

__all__ = ["CHUNK_SIZE", "DEMO_CUSTOMERS", "DEMO_SEED", "generate", "generate_days"]


def generate(
    out_dir: Path,
    customers: int = DEMO_CUSTOMERS,
    seed: int = DEMO_SEED,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> dict:
    """Write the landing zone under out_dir; returns rows written per `source/entity` and what is in it.

    Summary keys: one per entity (`"crm/customers": 512`, ints), `files` (path -> rows), `row_errors`
    (the deliberate errors: file, row, reason, column, value, key) and `identity` (CRM duplicates,
    ambiguous records, unknown CRM ids, invalid phones: examples and exact counts).
    `workers`: processes making people (default: the number of CPUs; 1: all in this process).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chunk_size = CHUNK_SIZE
    workers = (os.cpu_count() or 1) if workers is None else workers
    parallel = workers > 1 and customers > chunk_size
    if parallel:  # the workers first, before this process opens any file
        done = generate_parallel(out_dir, customers, seed, chunk_size, workers, progress)
        sink = _reference(Sink(out_dir, []), seed)
        files = {**sink.close(), **done.close()}
        applied, notes, note_counts = done.applied, done.notes, done.note_counts
    else:
        sink = _reference(Sink(out_dir, list(PLAN)), seed)
        people = People(customers)
        for chunk, start in enumerate(range(0, customers, chunk_size)):
            rng = Random(f"{seed}:{chunk}")
            stop = min(customers, start + chunk_size)
            for num in range(start + 1, stop + 1):
                Journey(people.make(num, rng), rng, sink, people).run()
            if progress is not None:
                progress(stop - start)
        files = sink.close()
        applied, notes, note_counts = sink.applied, sink.notes, sink.note_counts
    summary: dict = {e.qualified: 0 for e in ENTITIES}
    for path, rows in files.items():
        source, name = path.split("/")[:2]
        summary[f"{source}/{name}"] += rows
    summary["files"] = dict(sorted(files.items()))
    summary["row_errors"] = applied
    summary["identity"] = {k: {"count": note_counts[k], "examples": v} for k, v in sorted(notes.items())}
    return summary


def _reference(sink: Sink, seed: int) -> Sink:
    """Campaigns and exchange rates: the same whatever the customers."""
    for row in campaign_rows():
        sink.write("marketing/campaigns", "2026-10-31", row)
    for row in fx_rows(seed):
        sink.write("sales/fx_rates", "2026", row)
    return sink
