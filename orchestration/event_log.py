"""Dagster's SQLite event log with its connections kept open for the run.

Dagster's own SQLite event log opens a new engine and connection for every write, and a build
writes ~1,800 events (dbt's ~350 tests are asset checks: planned, evaluated, output): on disk
that opening and the commit's sync cost ~24 s before the first step of a demo run and ~35 s
in all. This storage keeps one connection per database file (the index and the open runs'),
in WAL mode with synchronous=NORMAL, which SQLite keeps consistent on a crash (a power cut
may lose the last events, never the file). Same files and schema: the Dagster UI reads them
with its default storage.
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy.pool import StaticPool

OPEN_FILES = 4  # the index and the last runs' databases; older ones are closed
BUSY_TIMEOUT_S = 30  # another process (the UI) writing: wait as Dagster does


def _synchronous_normal(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose connections stay open; closed on dispose (files can be rewritten)."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        self._tables_seen: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # upstream builds its own class by name
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str):
        with self._db_lock:  # Dagster's lock: one statement at a time per storage, as upstream
            engine = self._engines.get(shard)
            if engine is None:
                engine = sa.create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=StaticPool,
                    connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
                )
                sa.event.listen(engine, "connect", _synchronous_normal)
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
                while len(self._engines) > OPEN_FILES:
                    self._engines.popitem(last=False)[1].dispose()
            self._engines.move_to_end(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # upstream opens the index file to ask, twice per asset check evaluation (~350 a build);
        # a table once there stays (only a migration adds one), so only a yes is remembered
        if table_name not in self._tables_seen and super().has_table(table_name):
            self._tables_seen.add(table_name)
        return table_name in self._tables_seen

    def dispose(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
        super().dispose()


def overrides(dagster_dir: Path) -> dict:
    """Instance overrides that put this storage where Dagster's default keeps the event log."""
    return {
        "event_log_storage": {
            "module": __name__,
            "class": KeptOpenSqliteEventLogStorage.__name__,
            "config": {"base_dir": str(dagster_dir / "history" / "runs")},
        }
    }
