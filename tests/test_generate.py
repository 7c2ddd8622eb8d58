"""The synthetic landing-zone generator and the committed demo in seeds/demo/ (real files, no mocks)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import phonenumbers
import pyarrow.parquet as pq
import pytest

from orchestration.contracts import ENTITIES, entity
from orchestration.generate import DEMO_CUSTOMERS, DEMO_SEED, generate
from orchestration.generate.anomalies import PLAN
from orchestration.generate.phones import INVALID
from orchestration.settings import DEMO_LANDING_DIR

# extra columns put in on purpose (schema drift), per entity
DRIFT_COLUMNS = {"sales/customers": {"source_system"}, "marketing/events": {"tracking_version"}}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, DEMO_CUSTOMERS, DEMO_SEED)


def files_of(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    """Headers (CSV/Parquet: as written; JSONL: every key of the file, first-seen order) and the rows."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            return list(reader.fieldnames or []), list(reader)
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return list(dict.fromkeys(k for r in rows for k in r)), rows
    table = pq.read_table(path)
    return table.column_names, table.to_pylist()


def same_content(a: Path, b: Path) -> bool:
    if a.suffix == ".parquet":
        return pq.read_table(a).equals(pq.read_table(b))
    return a.read_bytes() == b.read_bytes()


def test_committed_demo_is_a_fresh_generation(fresh):
    out, _ = fresh
    assert DEMO_LANDING_DIR.is_dir(), "run `python -m orchestration.generate` to write seeds/demo/"
    assert files_of(DEMO_LANDING_DIR) == files_of(out)
    changed = [str(f) for f in files_of(out) if not same_content(out / f, DEMO_LANDING_DIR / f)]
    assert not changed, f"seeds/demo/ is stale, regenerate it with `python -m orchestration.generate`: {changed}"


def test_every_entity_has_files_with_exactly_the_contract_columns(fresh):
    out, summary = fresh
    for e in ENTITIES:
        files = sorted((out / e.source / e.name).iterdir())
        assert files, f"{e.qualified} has no file"
        assert summary[e.qualified] > 0
        for f in files:
            headers, rows = read_rows(f)
            names = [h.strip().lower() for h in headers]
            assert len(names) == len(set(names)), f"{f}: a column appears twice"
            extra = set(names) - {c.name for c in e.columns}
            assert set(names) >= {c.name for c in e.columns}, f"{f}: columns missing"
            assert extra <= DRIFT_COLUMNS.get(e.qualified, set()), f"{f}: unexpected columns {extra}"
            assert rows, f"{f} is empty"
            if f.suffix == ".jsonl":  # required keys are in every record
                required = {c.name for c in e.columns if c.required}
                assert all(required <= {k.lower() for k in r} for r in rows), f"{f}: a record lacks a required key"
    assert summary["sales/orders"] == sum(n for p, n in summary["files"].items() if p.startswith("sales/orders/"))


def test_schema_drift_and_formats_are_there(fresh):
    out, _ = fresh
    formats = {f.suffix for f in files_of(out)}
    assert formats == {".csv", ".jsonl", ".parquet"}
    delta = next((out / "crm/customers").glob("*delta*.csv"))
    header = delta.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[0] == "Customer_ID" and header != [c.name for c in entity("crm/customers").columns]
    feedback = next((out / "support/feedback").glob("*.csv"))
    assert feedback.read_bytes()[:3] == b"\xef\xbb\xbf"  # a byte-order mark (allowed)


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, 120, 7)
    generate(b, 120, 7)
    generate(c, 120, 8)
    assert files_of(a) == files_of(b)
    assert all(same_content(a / f, b / f) for f in files_of(a))
    csv_files = [f for f in files_of(a) if f.suffix != ".parquet" and (c / f).exists()]
    assert any(not same_content(a / f, c / f) for f in csv_files)


def test_progress_reports_every_customer(tmp_path):
    seen: list[int] = []
    generate(tmp_path, 30, 1, progress=seen.append)
    assert sum(seen) == 30


def test_diacritics_survive(fresh):
    out, _ = fresh
    names = [
        f"{r['first_name']} {r['last_name']}"
        for f in sorted((out / "crm/customers").glob("*.csv"))
        for r in ({k.lower(): v for k, v in row.items()} for row in read_rows(f)[1])
    ]
    text = " ".join(names)
    for letter in ("ł", "ó", "ș", "ă", "ü", "ß"):
        assert letter in text.lower(), letter
    # RFC 4180 quoting round-trips: line breaks and commas in feedback, quotes in a campaign name
    feedback = " ".join(r["text"] for r in read_rows(next((out / "support/feedback").glob("*.csv")))[1])
    assert "\n" in feedback and "," in feedback
    campaigns = [r["campaign_name"] for r in read_rows(next((out / "marketing/campaigns").glob("*.csv")))[1]]
    assert 'Back to school, "Szkoła" 2026' in campaigns


def test_phones_are_valid_except_the_deliberate_ones(fresh):
    out, _ = fresh
    checked = 0
    for qualified in ("crm/customers", "sales/customers"):
        e = entity(qualified)
        for f in sorted((out / e.source / e.name).iterdir()):
            for r in read_rows(f)[1]:
                r = {k.lower(): v for k, v in r.items()}
                if not r["phone"] or r["phone"] in INVALID:
                    continue
                # without a country a national number is unparseable, not invalid: try the three countries
                regions = [r["country"].upper()] if r["country"] else ["PL", "RO", "DE"]
                valid = [phonenumbers.is_valid_number(phonenumbers.parse(r["phone"], c)) for c in regions]
                assert any(valid), (f.name, r["phone"])
                checked += 1
    assert checked > 300


def test_deliberate_row_errors_are_few_per_file_and_all_there(fresh):
    out, summary = fresh
    errors = summary["row_errors"]
    assert len(errors) == len(PLAN)
    per_file = Counter(e["file"] for e in errors)
    for path, n in per_file.items():
        assert n <= 0.02 * summary["files"][path], path
    assert {e["reason"] for e in errors} >= {
        "invalid_enum",
        "out_of_range",
        "invalid_type",
        "negative_amount",
        "missing_required",
        "end_before_start",
        "duplicate_key",
    }


def test_identity_cases_are_there(fresh):
    _, summary = fresh
    ident = summary["identity"]
    assert {d["shared"] for d in ident["crm_duplicates"]["examples"]} == {"email", "phone"}
    assert {a["entity"] for a in ident["ambiguous"]["examples"]} >= {"support/tickets", "support/surveys"}
    assert ident["unknown_crm_ids"]["count"] >= 3
    assert ident["invalid_phones"]["count"] == 2


def test_ingesting_the_demo_quarantines_exactly_the_deliberate_errors(fresh, tmp_path):
    """The real ingestion over seeds/demo/: no batch rejected, and quarantine holds the planned rows only."""
    from orchestration.ingest import load_entity
    from orchestration.settings import Settings
    from orchestration.warehouse import connect

    _, summary = fresh
    settings = Settings.from_env(landing_dir=DEMO_LANDING_DIR, warehouse_dir=tmp_path / "warehouse")
    with connect(settings) as con:
        for e in ENTITIES:
            load_entity(con, settings, e, "test-generate")
        statuses = con.execute("select distinct status from ops.load_batches").fetchall()
        quarantined = con.execute(
            "select source || '/' || entity || '/' || file_name, row_number, reason_code, column_name "
            "from ops.quarantine order by 1, 2"
        ).fetchall()
    assert statuses == [("loaded",)]
    planned = sorted((e["file"], e["row"], e["reason"], e["column"]) for e in summary["row_errors"])
    assert quarantined == planned
