"""Parallel generation: worker processes make ranges of chunks into part files, assembled in chunk order.

Every chunk has its own random generator, so a chunk's rows do not depend on which process makes them.
A task (a range of chunks) writes its rows into part files under `<out>/.generate-parts/<task>/` (CSV
rows without a header, JSONL lines, Parquet rows as an Arrow IPC stream); the main process appends the
parts of task 0, 1, 2... to the delivered files as the tasks finish, so each file holds its rows in the
same order as a single-process run: the same bytes for CSV and JSONL, the same rows and row groups for
Parquet.

The deliberate errors (anomalies.PLAN) are applied at row numbers of a whole file. Task 0 gets them all
and starts at row 0. A task after it is made without them, which is right when every error was applied
before it (the usual case: errors sit in a file's first few hundred rows); when some are still pending,
the main process makes that task again itself, with the pending errors and the row counts of the files
so far, and uses that instead. Notes and row errors are merged in task order, so the summary is the
same as a single-process run's.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from random import Random

import pyarrow as pa

from orchestration.generate.anomalies import PLAN
from orchestration.generate.journeys import Journey
from orchestration.generate.layout import ENTITY, file_spec
from orchestration.generate.people import People
from orchestration.generate.sink import NOTE_LIMIT, Sink
from orchestration.generate.writers import PARQUET_ROW_GROUP, PART_WRITERS, csv_header, parquet_writer

PARTS_DIR = ".generate-parts"  # hidden: the loader skips it, should a run be interrupted


def run_task(task: dict) -> dict:
    """Make the people of chunks [first_chunk, stop_chunk) into part files under task["dir"]."""
    customers, seed, size = task["customers"], task["seed"], task["chunk_size"]
    root = Path(task["dir"])
    anomalies = [PLAN[i] for i in task["anomalies"]]
    sink = Sink(root, anomalies, writers=PART_WRITERS, start=task["start"])
    people = People(customers)
    made = 0
    for chunk in range(task["first_chunk"], task["stop_chunk"]):
        rng = Random(f"{seed}:{chunk}")
        start = chunk * size
        stop = min(customers, start + size)
        for num in range(start + 1, stop + 1):
            Journey(people.make(num, rng), rng, sink, people).run()
        made += stop - start
    sink.close()
    left = sink.pending()
    return {
        "dir": str(root),
        "people": made,
        "rows": dict(sink.rows),
        "applied": sink.applied,
        "notes": sink.notes,
        "note_counts": sink.note_counts,
        "pending": [i for i, a in enumerate(PLAN) if any(a is p for p in left)],
    }


class Assembler:
    """The delivered files, grown by appending the parts of each task in order."""

    def __init__(self, out_dir: Path):
        self.out = out_dir
        self.rows: dict[tuple[str, str], int] = {}  # rows per file so far: where the next part starts
        self._open: dict[tuple[str, str], object] = {}
        self._parquet_buf: dict[tuple[str, str], list[pa.Table]] = {}
        self.applied: list[dict] = []
        self.notes: dict[str, list] = {}
        self.note_counts: dict[str, int] = {}

    def add(self, result: dict) -> None:
        root = Path(result["dir"])
        for key, n in result["rows"].items():
            spec = file_spec(ENTITY[key[0]], key[1])
            part = root / spec.path
            if spec.fmt == "parquet":
                self._append_parquet(key, spec, part)
            else:
                self._append_bytes(key, spec, part)
            self.rows[key] = self.rows.get(key, 0) + n
        self.applied += result["applied"]
        for kind, items in result["notes"].items():
            kept = self.notes.setdefault(kind, [])
            kept += items[: NOTE_LIMIT - len(kept)]
        for kind, n in result["note_counts"].items():
            self.note_counts[kind] = self.note_counts.get(kind, 0) + n
        shutil.rmtree(root, ignore_errors=True)

    def _append_bytes(self, key, spec, part: Path) -> None:
        fh = self._open.get(key)
        if fh is None:
            path = self.out / spec.path
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = self._open[key] = path.open("wb", buffering=0)  # unbuffered: parts are copied by the kernel
            if spec.fmt == "csv":
                fh.write(csv_header(spec))
        with part.open("rb") as src:
            _copy(src, fh)

    def _append_parquet(self, key, spec, part: Path) -> None:
        w = self._open.get(key)
        if w is None:
            path = self.out / spec.path
            path.parent.mkdir(parents=True, exist_ok=True)
            w = self._open[key] = parquet_writer(path, spec)
        buf = self._parquet_buf.setdefault(key, [])
        with pa.ipc.open_stream(str(part)) as reader:
            buf.append(reader.read_all())
        # the same row groups as one ParquetFile writing every row: PARQUET_ROW_GROUP rows each
        table = pa.concat_tables(buf)
        done = 0
        while table.num_rows - done >= PARQUET_ROW_GROUP:
            w.write_table(table.slice(done, PARQUET_ROW_GROUP))
            done += PARQUET_ROW_GROUP
        self._parquet_buf[key] = [table.slice(done)] if done < table.num_rows else []

    def abort(self) -> None:
        for w in self._open.values():
            w.close()

    def close(self) -> dict[str, int]:
        for key, w in self._open.items():
            rest = self._parquet_buf.get(key)
            if rest:
                w.write_table(pa.concat_tables(rest))
            w.close()
        return {file_spec(ENTITY[k[0]], k[1]).path: n for k, n in self.rows.items()}


def _copy(src, dst) -> None:
    try:
        while os.copy_file_range(src.fileno(), dst.fileno(), 1 << 30):
            pass
    except (AttributeError, OSError):
        shutil.copyfileobj(src, dst, 1 << 20)


def generate_parallel(
    out_dir: Path,
    customers: int,
    seed: int,
    chunk_size: int,
    workers: int,
    progress: Callable[[int], None] | None,
) -> Assembler:
    """Make every person with `workers` processes; returns the assembler (closed by the caller)."""
    parts = out_dir / PARTS_DIR
    shutil.rmtree(parts, ignore_errors=True)
    tasks = [  # one chunk per task: small parts, even load, progress every chunk
        {
            "customers": customers,
            "seed": seed,
            "chunk_size": chunk_size,
            "first_chunk": c,
            "stop_chunk": c + 1,
            "dir": str(parts / f"{c:06d}"),
            "anomalies": list(range(len(PLAN))) if c == 0 else [],
            "start": {},
        }
        for c in range(-(-customers // chunk_size))
    ]
    assembler = Assembler(out_dir)
    pending = list(range(len(PLAN)))
    # not fork: a caller that already runs threads (DuckDB, Dagster, a test process) can hold a lock at
    # the moment of the fork, and the child then waits on it forever. A fork server is a fresh process.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    try:
        with ctx.Pool(workers) as pool:
            for k, result in enumerate(pool.imap(run_task, tasks)):
                if k > 0 and pending:  # made without the errors still to apply: make it again, here
                    shutil.rmtree(result["dir"], ignore_errors=True)
                    redo = dict(tasks[k], anomalies=pending, start=dict(assembler.rows), dir=tasks[k]["dir"] + "-redo")
                    result = run_task(redo)
                pending = result["pending"]
                assembler.add(result)
                if progress is not None:
                    progress(result["people"])
            # leave by close and join, not the block's terminate: that kills workers with SIGTERM and
            # waits for them, and a worker the fork server is still starting ignores SIGTERM when the
            # caller ignores it (an in-process Dagster run leaves it so in a pytest-xdist worker)
            pool.close()
            pool.join()
    except BaseException:
        assembler.abort()
        raise
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    return assembler
