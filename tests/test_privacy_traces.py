"""Finding and removing a person's values in the files an erasure cannot rebuild (privacy/traces.py):
real files of each kind, every spelling the formats around a value use."""

from __future__ import annotations

import json
import sqlite3

import duckdb

from orchestration.privacy import traces

NAME, EMAIL = "Zofia Wiśniewska-Testowa", "Zofia.Testowa@Example.org"


def test_every_spelling_is_found_and_replaced_in_a_text_file(tmp_path):
    log = tmp_path / "run.log"
    spelled = [
        NAME,  # as written
        json.dumps(NAME)[1:-1],  # JSON's \u escapes (Dagster's event log)
        NAME.encode("ascii", "xmlcharrefreplace").decode(),  # HTML character references
        EMAIL.upper(),  # any case
    ]
    log.write_text("\n".join(f"sample: {s} ; other: Anna Nowak" for s in spelled), encoding="utf-8")
    m = traces.matcher([NAME, EMAIL])

    assert traces.find_in_bytes(log, m) == 4
    assert traces.scrub_file(log, m) == 4
    assert log.read_text(encoding="utf-8").count("[erased]") == 4
    assert "Anna Nowak" in log.read_text(encoding="utf-8")  # nobody else's values
    with duckdb.connect() as con:
        assert traces.find(tmp_path, [NAME, EMAIL], con) == []


def test_a_file_is_read_in_every_case_the_pattern_matches(tmp_path):
    """The quick case-folded test before the pattern passes no file the pattern would find something
    in: Python's case-insensitive patterns take a dotless ı for an i, which case folding keeps apart."""
    path = tmp_path / "turkish.log"
    path.write_text(f"{NAME.upper().replace('I', 'ı')} and STRASSE", encoding="utf-8")
    assert traces.find_in_bytes(path, traces.matcher([NAME])) == 1
    assert traces.find_in_bytes(path, traces.matcher(["Straße"])) == 0  # the pattern decides: ß is not ss


def test_values_after_characters_that_fold_longer_are_found_where_they_are(tmp_path):
    """Case folding writes ß as ss and ﬁ as fi: places in the folded text move on, and the pattern
    is tried where the value stands in the file."""
    path = tmp_path / "binary.bin"
    path.write_bytes(
        "ß\x00ﬁ ".encode() + EMAIL.upper().encode() + bytes([0xC3, 0x9F, 0xFF]) + NAME.encode() + "ß".encode()
    )
    assert traces.find_in_bytes(path, traces.matcher([EMAIL, NAME])) == 2
    assert traces.find_in_bytes(path, traces.matcher(["Straße"])) == 0


def test_a_value_across_two_reads_of_a_big_file_counts_once(tmp_path, monkeypatch):
    monkeypatch.setattr(traces, "_CHUNK", 7)  # every value spans reads
    path = tmp_path / "big.log"
    path.write_text(f"a {EMAIL} b {NAME} c {EMAIL}", encoding="utf-8")
    assert traces.find_in_bytes(path, traces.matcher([EMAIL, NAME])) == 3


def test_sqlite_values_are_replaced_and_no_old_page_keeps_them(tmp_path):
    db = tmp_path / "events.db"
    con = sqlite3.connect(db)
    con.execute("create table event_logs (id integer primary key, event text)")
    con.executemany(
        "insert into event_logs (event) values (?)", [[json.dumps({"message": f"row {i}: {NAME}"})] for i in range(200)]
    )
    con.commit()
    con.close()
    m = traces.matcher([NAME])

    assert traces.scrub_file(db, m) == 200
    assert traces.find_in_bytes(db, m) == 0  # VACUUM rewrote the file: no free page holds the old text
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from event_logs where event like '%[erased]%'").fetchone()[0] == 200
    con.close()


def test_parquet_and_duckdb_files_are_read_row_by_row(tmp_path):
    con = duckdb.connect()  # its own connection: the module's default one is shared by every test
    con.execute(
        f"copy (select range as n, 'x' as s, [{EMAIL.lower()!r}] as l from range(3)) to '{tmp_path / 'p.parquet'}' "
        "(format parquet, compression zstd)"
    )
    con.close()
    con = duckdb.connect(str(tmp_path / "d.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.dim (k int, pii struct(name varchar))")
    con.execute("insert into marts.dim values (1, {'name': ?}), (2, {'name': 'Anna Nowak'})", [NAME])
    con.close()

    with duckdb.connect() as reader:
        found = {
            (t.path.name, t.where, t.count) for t in traces.find(tmp_path, [NAME, EMAIL], reader) if t.where != "bytes"
        }
    assert found == {("p.parquet", "parquet rows", 3), ("d.duckdb", "table marts.dim", 1)}


def test_a_file_that_only_looks_like_parquet_is_searched_by_its_bytes(tmp_path):
    """A delivery cut short keeps Parquet's opening magic and no footer: no reader gets rows out of
    it (it is kept as rejected, byte for byte), so its bytes are what is searched."""
    (tmp_path / "cut.parquet").write_bytes(b"PAR1" + f"{EMAIL}, {NAME}".encode() + b"\0" * 64)
    with duckdb.connect() as reader:
        found = [(t.path.name, t.where, t.count) for t in traces.find(tmp_path, [NAME, EMAIL], reader)]
    assert found == [("cut.parquet", "bytes", 2)]
