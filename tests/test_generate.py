"""The synthetic landing-zone generator and the committed demo in seeds/demo/ (real files, no mocks)."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import phonenumbers
import pyarrow.parquet as pq
import pytest

from orchestration.contracts import ENTITIES, entity
from orchestration.generate import DEMO_CUSTOMERS, DEMO_SEED, generate, generate_days
from orchestration.generate.anomalies import PLAN
from orchestration.generate.daily_files import daily_date
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


# ---- parallel generation ------------------------------------------------------------------------------


def test_worker_processes_write_the_same_files_and_summary(tmp_path, monkeypatch):
    """Small chunks, so that several tasks run and the deliberate errors spill past the first task."""
    import orchestration.generate as gen

    monkeypatch.setattr(gen, "CHUNK_SIZE", 40)
    one, three = tmp_path / "one", tmp_path / "three"
    seen: list[int] = []
    a = generate(one, DEMO_CUSTOMERS, DEMO_SEED, workers=1)
    b = generate(three, DEMO_CUSTOMERS, DEMO_SEED, progress=seen.append, workers=3)
    assert sum(seen) == DEMO_CUSTOMERS and len(seen) > 1
    assert a == b
    assert len(b["row_errors"]) == len(PLAN)
    assert files_of(one) == files_of(three)
    assert all(same_content(one / f, three / f) for f in files_of(one))
    assert not (three / ".generate-parts").exists()


# ---- daily deliveries ------------------------------------------------------------------------------------

AFTER = date(2026, 10, 31)


def daily_files(root: Path) -> list[Path]:
    return [f for f in files_of(root) if daily_date(f.name)]


@pytest.fixture(scope="module")
def two_days(fresh, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("days") / "landing"
    shutil.copytree(fresh[0], out)
    return out, generate_days(out, AFTER, 2, DEMO_CUSTOMERS, DEMO_SEED)


def test_days_at_once_equal_day_by_day_and_a_day_made_again_is_the_same(fresh, two_days, tmp_path):
    together, summary = two_days
    apart = tmp_path / "apart"
    shutil.copytree(fresh[0], apart)
    first = generate_days(apart, AFTER, 1, DEMO_CUSTOMERS, DEMO_SEED)
    second = generate_days(apart, AFTER + timedelta(days=1), 1, DEMO_CUSTOMERS, DEMO_SEED)
    assert daily_files(together) == daily_files(apart) and len(daily_files(apart)) >= 18
    assert all((together / f).read_bytes() == (apart / f).read_bytes() for f in daily_files(apart))
    for kind, items in summary["identity_changes"].items():
        assert items == first["identity_changes"][kind] + second["identity_changes"][kind]
    before = {f: (apart / f).read_bytes() for f in files_of(apart)}
    again = generate_days(apart, AFTER, 1, DEMO_CUSTOMERS, DEMO_SEED)  # day one again, day two already there
    assert again["files"] == first["files"]
    assert before == {f: (apart / f).read_bytes() for f in files_of(apart)}


def test_daily_files_sort_after_the_base_and_have_the_contract_columns(two_days):
    out, summary = two_days
    assert summary["days"] == ["2026-11-01", "2026-11-02"]
    assert sum(summary["files"].values()) == sum(summary[e.qualified] for e in ENTITIES)
    for e in ENTITIES:
        names = sorted(p.name for p in (out / e.source / e.name).iterdir())
        daily = [n for n in names if daily_date(n)]
        assert daily, f"{e.qualified}: no daily file"
        assert names[-len(daily) :] == daily, f"{e.qualified}: a daily file sorts before a base file"
        for name in daily:
            headers, rows = read_rows(out / e.source / e.name / name)
            assert rows, name
            if not name.endswith(".jsonl"):
                assert headers == [c.name for c in e.columns], name
    assert (out / "sales/fx_rates/fx_rates_daily_2026-11-02.parquet").exists()  # 11-01 is a Sunday: no rates
    assert not (out / "sales/fx_rates/fx_rates_daily_2026-11-01.parquet").exists()
    # about the base's daily volume
    base_rows = sum(n for f, n in fresh_rows(out).items() if not daily_date(Path(f).name))
    per_day = sum(summary["files"].values()) / 2
    assert 0.6 * base_rows / 184 < per_day < 2 * base_rows / 184


def fresh_rows(root: Path) -> dict[str, int]:
    return {str(f): len(read_rows(root / f)[1]) for f in files_of(root)}


def test_loading_the_daily_files_quarantines_nothing(two_days, tmp_path):
    from orchestration.ingest import load_entity
    from orchestration.settings import Settings
    from orchestration.warehouse import connect

    out, summary = two_days
    settings = Settings.from_env(landing_dir=out, warehouse_dir=tmp_path / "warehouse")
    with connect(settings) as con:
        for e in ENTITIES:
            load_entity(con, settings, e, "test-days")
        batches = con.execute(
            "select source || '/' || entity || '/' || file_name, status, rows_loaded from ops.load_batches"
        ).fetchall()
        quarantined = con.execute("select file_name, row_number, reason_code, message from ops.quarantine").fetchall()
    loaded = {f: n for f, status, n in batches if status == "loaded"}
    assert {f for f, *_ in batches} == set(loaded)
    assert {f: loaded[f] for f in summary["files"]} == summary["files"]
    assert not [q for q in quarantined if daily_date(q[0])]


def latest_base(root: Path, qualified: str, key: str) -> dict[str, dict]:
    """The latest base version of each record (lower-case headers)."""
    e = entity(qualified)
    latest: dict[str, dict] = {}
    for f in sorted((root / e.source / e.name).iterdir()):
        if daily_date(f.name):
            continue
        for r in read_rows(f)[1]:
            r = {k.lower(): v for k, v in r.items()}
            if r[key] not in latest or parse_ts(r["updated_at"]) >= parse_ts(latest[r[key]]["updated_at"]):
                latest[r[key]] = r
    return latest


def day_rows(root: Path, qualified: str, day: str) -> list[dict]:
    e = entity(qualified)
    return [
        r
        for f in sorted((root / e.source / e.name).iterdir())
        if daily_date(f.name) == date.fromisoformat(day)
        for r in read_rows(f)[1]
    ]


def parse_ts(text: str) -> datetime:
    d = datetime.fromisoformat(text.strip())
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def key(email) -> str | None:
    return (email or "").strip().lower() or None


def test_identity_changes_are_in_the_files(two_days):
    out, summary = two_days
    changes = summary["identity_changes"]
    crm = latest_base(out, "crm/customers", "customer_id")
    shop = latest_base(out, "sales/customers", "customer_number")
    crm_emails = {key(r["email"]) for r in crm.values()} - {None}
    marketing_emails = {
        key(r.get("contact_email"))
        for f in (out / "marketing/events").glob("events_2026-??.jsonl")
        for r in read_rows(f)[1]
    }

    joined = changes["prospects_joined_crm"]
    assert len(joined) >= 4 and any(j["linked_in_shop"] for j in joined)
    for j in joined:  # a shop-only customer gets a CRM record with the e-mail the shop holds
        prospect = shop[j["sales_customer_number"]]
        assert not prospect["crm_customer_id"] and key(prospect["email"]) == key(j["email"])
        assert key(j["email"]) not in crm_emails and j["crm_customer_id"] not in crm
        new = [r for r in day_rows(out, "crm/customers", j["day"]) if r["customer_id"] == j["crm_customer_id"]]
        assert len(new) == 1 and key(new[0]["email"]) == key(j["email"])
        linked = [
            r for r in day_rows(out, "sales/customers", j["day"]) if r["customer_number"] == prospect["customer_number"]
        ]
        assert [r["crm_customer_id"] for r in linked] == ([j["crm_customer_id"]] if j["linked_in_shop"] else [])

    corrections = changes["crm_corrections"]
    assert {(c["change"], c["joins"]) for c in corrections} == {
        ("email", "marketing_contact"),
        ("email", "prospect"),
        ("phone", None),
        ("segment", None),
        ("marketing_consent", None),
    }
    for c in corrections:  # a new version of an existing record, later than the base's, with the change
        old = crm[c["customer_id"]]
        (row,) = [r for r in day_rows(out, "crm/customers", c["day"]) if r["customer_id"] == c["customer_id"]]
        assert parse_ts(row["updated_at"]) > parse_ts(old["updated_at"]) and row["created_at"] == old["created_at"]
        if c["change"] == "email":
            assert key(row["email"]) == key(c["new"]) != key(old["email"]) and key(c["new"]) not in crm_emails
            if c["joins"] == "marketing_contact":
                assert key(c["new"]) in marketing_emails
                assert key(c["new"]) not in {key(r["email"]) for r in shop.values()}
            else:
                assert key(shop[c["sales_customer_number"]]["email"]) == key(c["new"])
        elif c["change"] == "phone":
            assert row["phone"] == c["new"] != old["phone"]
        elif c["change"] == "segment":
            assert row["segment"].strip().lower() == c["new"] != old["segment"].strip().lower()
        else:
            assert row["marketing_consent"] == ("Yes" if c["new"] else "No")

    fixed = changes["shop_corrections"]
    assert fixed
    for s in fixed:  # the shop record now names the CRM customer it belongs to
        (row,) = [r for r in day_rows(out, "sales/customers", s["day"]) if r["customer_number"] == s["customer_number"]]
        assert row["crm_customer_id"] == s["new"] in crm and shop[s["customer_number"]]["crm_customer_id"] != s["new"]

    linked = changes["ticket_corrections"]
    assert linked
    tickets = latest_base(out, "support/tickets", "ticket_id")
    for t in linked:  # a later version of a closed ticket, now naming its CRM customer
        old = tickets[t["ticket_id"]]
        (row,) = [r for r in day_rows(out, "support/tickets", t["day"]) if r["ticket_id"] == t["ticket_id"]]
        assert not old["crm_customer_id"] and row["crm_customer_id"] == t["new"] in crm
        assert row["status"] == old["status"] and parse_ts(row["updated_at"]) > parse_ts(old["updated_at"])


def test_days_need_an_existing_landing_zone_after_the_base(two_days, tmp_path):
    with pytest.raises(ValueError, match="no landing zone"):
        generate_days(tmp_path / "nothing", AFTER, 1)
    with pytest.raises(ValueError, match="between"):
        generate_days(two_days[0], date(2026, 10, 1), 1)
