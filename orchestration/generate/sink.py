"""Where generated rows go: one open writer per delivered file, row counts, deliberate errors, notes."""

from __future__ import annotations

from pathlib import Path

from orchestration.generate.anomalies import Anomaly
from orchestration.generate.layout import ENTITY, file_spec
from orchestration.generate.writers import WRITERS

NOTE_LIMIT = 200  # examples kept per kind of note; the count is always exact


class Sink:
    """Rows to files. `writers` makes the file of a spec (PART_WRITERS for the parts of parallel runs);
    `start` gives, per (entity, batch), the rows that file already holds before this sink's first row,
    so the deliberate errors land on the same row numbers however the rows are split."""

    def __init__(self, root: Path, anomalies: list[Anomaly], writers=None, start: dict | None = None):
        self.root = root
        self._writers = writers or WRITERS
        self._start = start or {}
        self._files: dict[tuple[str, str], object] = {}
        self.rows: dict[tuple[str, str], int] = {}
        self._pending: dict[tuple[str, str], list[Anomaly]] = {}
        for a in anomalies:
            self._pending.setdefault((a.entity, a.batch), []).append(a)
        self.applied: list[dict] = []
        self.notes: dict[str, list] = {}
        self.note_counts: dict[str, int] = {}

    def _open(self, key: tuple[str, str]):
        spec = file_spec(ENTITY[key[0]], key[1])
        (self.root / spec.path).parent.mkdir(parents=True, exist_ok=True)
        w = self._files[key] = self._writers[spec.fmt](self.root, spec)
        self.rows[key] = 0
        return w

    def write(self, entity: str, batch: str, row: dict) -> None:
        key = (entity, batch)
        w = self._files.get(key) or self._open(key)
        pending = self._pending.get(key)
        if pending:
            row = self._apply(key, w, pending, row)
        w.write(row)
        self.rows[key] += 1

    def _apply(self, key, w, pending: list[Anomaly], row: dict) -> dict:
        n = self._start.get(key, 0) + self.rows[key] + 1
        for a in pending:
            if n >= a.at_row and a.when(row):
                pending.remove(a)
                if a.duplicate:  # the row, then the same row again: the second is the error
                    w.write(row)
                    self.rows[key] += 1
                    n += 1
                else:
                    row = a.change(dict(row))
                self.applied.append(
                    {
                        "file": w.spec.path,
                        "row": n,
                        "reason": a.reason,
                        "column": a.column,
                        "value": row.get(a.column),
                        "key": "/".join(str(row.get(k)) for k in ENTITY[key[0]].key),
                    }
                )
                break
        return row

    def note(self, kind: str, item) -> None:
        self.note_counts[kind] = self.note_counts.get(kind, 0) + 1
        items = self.notes.setdefault(kind, [])
        if len(items) < NOTE_LIMIT:
            items.append(item)

    def pending(self) -> list[Anomaly]:
        """The deliberate errors not applied yet (their file has no suitable row yet)."""
        return [a for items in self._pending.values() for a in items]

    def close(self) -> dict:
        for w in self._files.values():
            w.close()
        per_file = {
            self._files[k].spec.path: n
            for k, n in sorted(self.rows.items(), key=lambda kv: self._files[kv[0]].spec.path)
        }
        return per_file
