"""What readers get from the serving folder: any DuckDB from 1.1 on, from anywhere it is copied to."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import query

OLD_DUCKDB = Path(sys.prefix) / "duckdb-1.1"  # installed by `make install`

_READ_EVERY_TABLE = """
import duckdb, json, sys
out = {"version": duckdb.__version__}
for path in sys.argv[1:]:
    con = duckdb.connect(path, read_only=True)
    names = [r[0] for r in con.execute("select table_name from duckdb_tables() where not internal").fetchall()]
    out[path] = {n: con.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}
    con.close()
print(json.dumps(out))
"""


def _tables_and_rows(db: Path) -> dict[str, int]:
    names = [r[0] for r in query(db, "select table_name from duckdb_tables() where not internal")]
    return {n: query(db, f'select count(*) from "{n}"')[0][0] for n in names}


def test_duckdb_1_1_opens_both_serving_databases_and_reads_every_table(demo_full):
    settings, _ = demo_full
    assert OLD_DUCKDB.is_dir(), f"{OLD_DUCKDB} is missing: run `make install`"
    databases = [str(settings.marts_db_path), str(settings.restricted_db_path)]
    done = subprocess.run(
        [sys.executable, "-c", _READ_EVERY_TABLE, *databases],
        env={"PYTHONPATH": str(OLD_DUCKDB)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert seen["version"] == "1.1.3"
    for db in databases:
        assert seen[db] == _tables_and_rows(Path(db)) and len(seen[db]) >= 5


def test_a_copy_of_the_serving_folder_reads_its_own_files_when_the_original_is_gone(demo_full, tmp_path):
    settings, _ = demo_full
    expected = _tables_and_rows(settings.marts_db_path)
    shutil.copytree(settings.serving_dir, tmp_path / "first", symlinks=True)
    (tmp_path / "first").rename(tmp_path / "moved")  # the first copy's paths no longer exist
    moved = tmp_path / "moved"
    assert _tables_and_rows(moved / "cx_marts.duckdb") == expected
    manifest = json.loads((moved / "published.json").read_text())
    # the identity assignments are kept in the restricted database only, with every row there
    kept_in_database = [t for t in manifest["tables"] if not t["files"]]
    assert [(t["database"], t["name"]) for t in kept_in_database] == [("restricted", "int_identity__assignments")]
    restricted = _tables_and_rows(moved / "cx_restricted.duckdb")
    assert restricted["int_identity__assignments"] == kept_in_database[0]["rows"] > 0
    for table in manifest["tables"]:
        if not table["files"]:
            continue
        files = [moved / "current" / f for f in table["files"]]
        assert all(not Path(f).is_absolute() for f in table["files"]) and all(f.exists() for f in files)
        assert (
            duckdb.execute(f"select count(*) from read_parquet({[str(f) for f in files]})").fetchone()[0]
            == (table["rows"])
        )
    folder = duckdb.execute(f"select count(*) from '{moved}/current/parquet/fct_customer_journey/*.parquet'").fetchone()
    assert folder[0] == expected["fct_customer_journey"]
