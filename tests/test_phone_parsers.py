"""Phone keys parsed by worker processes are the keys the calling process parses itself."""

from __future__ import annotations

import os
import threading

import duckdb
import pytest

from orchestration import dbt_functions, phone_parsers
from orchestration.phone_keys import e164

PAIRS = [
    ("0040 721 234 567", None),
    ("721 234 567", "RO"),
    ("+49 (174) 5771989", "DE"),
    ("(0160) 7240453", "de"),
    ("0048 502 856 198", "PL"),
    ("12", "RO"),  # too short: no key
    ("not a number", "RO"),
    ("0721\n234 567", "RO"),  # a line break inside a value
    ("07２1 234 567", "RO"),  # a full-width digit
    (None, "RO"),
    ("", None),
]


@pytest.fixture
def workers():
    workers = phone_parsers.Workers(most=2)
    yield workers
    workers.close()


def test_workers_parse_as_the_process_does(workers):
    expected = [e164(p, r) for p, r in PAIRS]
    assert expected[:3] == ["+40721234567", "+40721234567", "+491745771989"]
    assert workers.keys(PAIRS) == expected


def test_batches_parse_side_by_side_each_in_order(workers):
    batches = [PAIRS[i:] + PAIRS[:i] for i in range(6)]
    results: dict[int, list] = {}

    def parse(i):
        results[i] = workers.keys(batches[i])

    threads = [threading.Thread(target=parse, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {i: [e164(p, r) for p, r in batch] for i, batch in enumerate(batches)}
    assert len(workers._started) == 2


def test_a_worker_that_died_is_named(workers):
    workers.keys(PAIRS[:1])
    (worker,) = workers._started
    worker.kill()
    worker.wait()
    with pytest.raises(RuntimeError, match=rf"phone-number worker \(pid {worker.pid}\) ended with code -9"):
        workers.keys(PAIRS)
    assert workers.keys(PAIRS[:2]) == ["+40721234567", "+40721234567"]  # a new one took its place


def test_a_large_build_hands_its_numbers_to_workers(monkeypatch):
    """The DuckDB function as dbt calls it: past PARALLEL_AFTER numbers, workers parse them."""
    monkeypatch.setattr(phone_parsers, "PARALLEL_AFTER", len(PAIRS))
    monkeypatch.setattr(phone_parsers, "_owner", os.getpid() + 1)  # as if forked: this process starts afresh
    monkeypatch.setattr(phone_parsers, "_parsed", 0)
    con = duckdb.connect()
    dbt_functions.Plugin("cx360", {}).configure_connection(con)
    values = ", ".join(f"({_sql(p)}, {_sql(r)})" for p, r in PAIRS)
    query = f"select {dbt_functions.PHONE_KEY}(phone, region) from (values {values}) as t(phone, region)"
    try:
        assert [r[0] for r in con.execute(query).fetchall()] == [e164(p, r) for p, r in PAIRS]
        assert phone_parsers._workers is None  # the first batch: parsed here
        assert [r[0] for r in con.execute(query).fetchall()] == [e164(p, r) for p, r in PAIRS]
        assert phone_parsers._workers is not None and len(phone_parsers._workers._started) == 1
    finally:
        con.close()
        if phone_parsers._workers is not None:
            phone_parsers._workers.close()
            monkeypatch.setattr(phone_parsers, "_workers", None)


def _sql(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"
