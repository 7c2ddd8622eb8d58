"""A person's rights over their data (issue 16): subject access and erasure, on the real pipeline.

Zofia Wiśniewska-Testowa is delivered beside the demo (the `demo_full` landing zone) in all four
systems: a CRM record and an account manager's call, marketing events under her e-mail, her
browser's cookie alone and a second (work) e-mail (prospect records, tied to her through her
records), a shop customer (national phone, no CRM id) with an order of two lines, a ticket from her
work address, a detractor NPS answer (a follow-up signal), an answer with a score out of range
(quarantined), a complaint under her social handle, and a marketing file without its event_type
column (rejected, kept byte for byte).

`demo_full` is therefore the rebuild without her: after `cx360 forget` the published BI tables must
equal its own, table by table and row by row.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
from pathlib import Path

import duckdb
import pytest

from orchestration.contracts import entity
from orchestration.ingest import load_entity
from orchestration.privacy import subject as subj
from orchestration.warehouse import connect
from tests.pipeline import cx360, settings_for, shared_build

EMAIL, WORK_EMAIL = "Zofia.Testowa@Example.org", "zofia.work@firma-test.pl"
PHONES = ("+48 601 777 123", "601777123", "601-777-123", "+48601777123")
NAME, LAST_NAME, HANDLE = "Zofia Wiśniewska-Testowa", "Wiśniewska-Testowa", "zofia_testowa"
IDS = ("C7770001", "SC7770001", "anon-7770001")

H_TICKETS = "ticket_id,created_at,channel,category,priority,status,requester_email,requester_phone,crm_customer_id,"
H_TICKETS += "order_id,first_response_at,solved_at,agent_replies,reopened_count,updated_at\n"
H_FEEDBACK = (
    "feedback_id,created_at,source,kind,topic,department,author_email,author_handle,crm_customer_id,text,rating\n"
)
H_ORDERS = "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,"
H_ORDERS += "delivered_at,updated_at\n"


def _survey(response_id: str, score: int, email: str) -> str:
    answer = {"response_id": response_id, "survey_type": "nps", "score": score}
    answer |= {"responded_at": "2026-10-28T10:00:00Z", "touchpoint": "delivery", "respondent_email": email}
    return json.dumps(answer | {"comment": f"Kurier zgubił paczkę. {NAME}"}, ensure_ascii=False) + "\n"


def _event(event_id: str, event_type: str, day: str, **who) -> str:
    return json.dumps({"event_id": event_id, "event_type": event_type, "occurred_at": f"{day}T09:00:00Z"} | who) + "\n"


ZOFIA = {
    "crm/customers/customers_person.csv": "customer_id,email,phone,first_name,last_name,country,segment,"
    "marketing_consent,created_at,updated_at\n"
    f"C7770001, {EMAIL} ,{PHONES[0]},Zofia,{LAST_NAME},PL,consumer,true,2026-03-01 10:00:00,2026-03-01 10:00:00\n",
    "crm/activities/activities_person.csv": "activity_id,customer_id,activity_type,occurred_at,owner,outcome\n"
    "A7770001-01,C7770001,call,2026-09-25T10:00:00Z,Katarzyna Zając,apologised for the lost parcel\n",
    "marketing/events/events_person.jsonl": _event(
        "E7770001-001", "email_open", "2026-08-01", contact_email=EMAIL.lower(), anonymous_id=IDS[2]
    )
    + _event("E7770001-002", "web_visit", "2026-08-02", anonymous_id=IDS[2])
    + _event("E7770001-003", "web_visit", "2026-08-03", contact_email=WORK_EMAIL),
    "sales/customers/customers_person.csv": "customer_number,email,phone,full_name,country,crm_customer_id,"
    "created_at,updated_at\n"
    f"SC7770001,{EMAIL.lower()},{PHONES[1]},{NAME},PL,,2026-08-05 12:00:00,2026-08-05 12:00:00\n",
    "sales/orders/orders_person.csv": H_ORDERS + "O7770001-01,SC7770001,2026-08-05 12:05:00,web,delivered,PLN,"
    "250.00,2026-08-08,2026-08-12 15:00:00,2026-08-12 15:00:00\n",
    "sales/order_lines/order_lines_person.csv": "order_id,line_number,product_id,product_category,quantity,"
    "unit_price,discount_amount\nO7770001-01,1,P-HOM-004,home,1,200.00,\nO7770001-01,2,P-BEA-003,beauty,1,50.00,\n",
    "support/tickets/tickets_person.csv": H_TICKETS + f"T7770001-1,2026-08-13T08:00:00Z,email,delivery,high,"
    f"closed,{WORK_EMAIL},{PHONES[2]},C7770001,O7770001-01,2026-08-13T09:00:00Z,2026-08-14T09:00:00Z,2,0,"
    "2026-08-14T09:00:00Z\n",
    "support/surveys/surveys_person.jsonl": _survey("R7770001-1", 2, EMAIL),
    "support/feedback/feedback_person.csv": H_FEEDBACK + f"F7770001-1,2026-10-29 10:00:00,social_media,complaint,"
    f"lost parcel,logistics,{EMAIL.lower()},@{HANDLE},,Zgubiona paczka!,\n",
    "marketing/events/events_broken_export.csv": "event_id,occurred_at,contact_email\n"
    f"E7770001-900,2026-08-04T09:00:00Z,{EMAIL}\n",
}
SURVEYS = "support/surveys/survey_responses_2026-08_2026-10.jsonl"  # 134 answers of the demo
LATER = {  # a delivery after the erasure: the CRM still sends her
    "crm/customers/customers_later.csv": "customer_id,email,phone,first_name,last_name,country,segment,"
    "marketing_consent,created_at,updated_at\n"
    f"C7770001,{EMAIL},{PHONES[0]},Zofia,{LAST_NAME},PL,consumer,true,2026-03-01 10:00:00,2026-10-01 10:00:00\n",
}


def _write(landing: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def with_zofia(demo_full, tmp_path_factory) -> dict:
    """The `demo_full` build, then the day her records arrive: a copy, and an incremental run."""

    def make(folder: Path) -> dict:
        settings = demo_full[0]
        landing, wh = folder / "landing", folder / "wh"
        shutil.copytree(settings.landing_dir, landing)
        shutil.copytree(settings.warehouse_dir, wh, symlinks=True)
        _write(landing, ZOFIA)
        # her answer with a score out of range, in a big export: the row is quarantined, the batch loads
        with (landing / SURVEYS).open("a", encoding="utf-8") as f:
            f.write(_survey("R7770001-2", 11, EMAIL))
        run = cx360("run", "--landing", str(landing), "--warehouse", str(wh), cwd=folder, env=ENV)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        return {"landing": str(landing), "warehouse": str(wh)}

    return shared_build(tmp_path_factory, "with_zofia", make)


ENV = {"CX360_REJECTED_BATCHES": "warn"}


@pytest.fixture(scope="module")
def forgotten(with_zofia, tmp_path_factory) -> dict:
    """Her erasure on a copy of the build, killed twice on the way and completed by running again;
    then her CRM record is delivered again and loaded."""
    folder = tmp_path_factory.mktemp("forgotten")
    landing, wh = folder / "landing", folder / "wh"
    shutil.copytree(with_zofia["landing"], landing)
    shutil.copytree(with_zofia["warehouse"], wh, symlinks=True)
    where = ["--warehouse", str(wh)]
    seen: dict = {"warehouse": wh, "landing": landing}
    _plant_samples(wh)

    killed = cx360(
        "forget", "--email", EMAIL.upper(), *where, cwd=folder, env=ENV | {"CX360_TEST_KILL_AT": "forget:raw"}
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    seen["after_first_kill"] = {
        "pending": (wh / "privacy" / "pending-erasure.json").exists(),
        "published_rows_of_her": _published_rows_of_her(wh),
        "run": cx360("run", "--landing", str(landing), *where, cwd=folder, env=ENV),
    }
    killed = cx360("forget", "--resume", *where, cwd=folder, env=ENV | {"CX360_TEST_KILL_AT": "forget:publish"})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    seen["after_second_kill"] = {"published_rows_of_her": _published_rows_of_her(wh)}
    done = cx360("forget", "--resume", *where, cwd=folder, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    seen["stdout"] = done.stdout
    _write(landing, LATER)  # her CRM record comes again: the next load withholds it
    settings = settings_for(landing, wh)
    with connect(settings) as con:
        load_entity(con, settings, entity("crm/customers"), "next-run")
    seen["status"] = cx360("status", "--warehouse", str(wh), cwd=folder).stdout
    return seen


def _plant_samples(wh: Path) -> None:
    """Her values where a failed check would have put them: a failing-row sample in the run log and
    in ops.check_results, a Data Docs page (HTML-escaped), the Dagster event log (JSON-escaped)."""
    sample = f"sample failing rows: email={EMAIL!r}, phone={PHONES[0]!r}, name={NAME!r}"
    with (wh / "logs" / "last_run.log").open("a", encoding="utf-8") as f:
        f.write(sample + "\n")
    page = next((wh / "docs" / "gx" / "validations" / "raw" / "crm__customers").rglob("*.html"))
    with page.open("a", encoding="utf-8") as f:  # a failing row's cells, as Data Docs writes them
        f.write(f"<td>{NAME.encode('ascii', 'xmlcharrefreplace').decode()}</td><td>{EMAIL}</td>")
    con = duckdb.connect(str(wh / "cx.duckdb"))
    con.execute(
        "insert into ops.check_results values ('r0', now()::timestamp, 'raw/crm__customers', 'crm__customers', "
        "'planted', false, 'WARN', 'a planted sample', ?)",
        [json.dumps({"failing_rows": [{"email": EMAIL, "name": NAME}]})],
    )
    con.close()
    events = next((wh / "dagster" / "history" / "runs").glob("*-*.db"))
    lite = sqlite3.connect(events)
    lite.execute(  # into the message of the run's last event, the way a check's failing rows land there
        'update event_logs set event = replace(event, \'"message": "Finished\', ?) '
        "where id = (select max(id) from event_logs)",
        [f'"message": "{json.dumps(NAME)[1:-1]} Finished'],
    )
    lite.commit()
    lite.close()


def _published_rows_of_her(wh: Path) -> int:
    """Her rows in the published restricted database (opened as a BI tool would: read-only)."""
    con = duckdb.connect(str(wh / "serving" / "cx_restricted.duckdb"), read_only=True)
    try:
        return con.execute(
            "select count(*) from dim_customer where crm_customer_id = 'C7770001' or pii_name = ?", [NAME]
        ).fetchone()[0]
    finally:
        con.close()


# --- subject access ------------------------------------------------------------------------------


def test_an_incremental_run_leaves_no_dbt_scratch_table_holding_phone_numbers(with_zofia):
    con = duckdb.connect(str(Path(with_zofia["warehouse"]) / "cx.duckdb"), read_only=True)
    try:
        left = con.execute("select table_name from duckdb_tables() where contains(table_name, '__dbt_tmp')").fetchall()
    finally:
        con.close()
    assert left == []


def test_a_request_reads_the_warehouse_within_the_memory_limit_it_is_given(with_zofia):
    # at a million customers the person's records are found by joining two 20M-row tables: the
    # reading session must stay within the limit the runs have, not DuckDB's 80% of the machine
    found, held = {}, {}
    for limit in ("4GB", "300MB"):
        settings = settings_for(with_zofia["landing"], with_zofia["warehouse"], duckdb_memory_limit=limit)
        con = subj.open_reader(settings)
        try:
            held[limit] = con.execute("select current_setting('memory_limit')").fetchone()[0]
            found[limit] = subj.resolve(con, settings, "email", EMAIL)
        finally:
            con.close()
    for limit in held:  # as DuckDB spells a limit set to that size
        with duckdb.connect(config={"memory_limit": limit}) as con:
            assert held[limit] == con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert held["300MB"] != held["4GB"]
    small, large = found["300MB"], found["4GB"]
    assert sorted(small.customer_keys) == sorted(large.customer_keys) and len(small.customer_keys) == 3
    assert small.closure == large.closure


def test_subject_access_lists_every_record_of_every_source(with_zofia, tmp_path):
    run = cx360(
        "subject-access",
        "--phone",
        "+48 601-777-123",
        "--warehouse",
        with_zofia["warehouse"],
        "--out",
        "sar",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((tmp_path / "sar" / "subject-access.json").read_text())

    records = sorted((r["source"], r["row"], r["match_rule"]) for r in report["records"])
    ids = sorted(str(next(iter(r["values"].values()))) for r in report["records"])  # each source's key first
    assert len(records) == 12, records
    assert ids == sorted(
        [
            "C7770001",
            "A7770001-01",
            "E7770001-001",
            "E7770001-002",
            "E7770001-003",
            "SC7770001",
            "O7770001-01",
            "O7770001-01",
            "O7770001-01",
            "T7770001-1",
            "R7770001-1",
            "F7770001-1",
        ]
    )
    rules = {next(iter(r["values"].values())): r["match_rule"] for r in report["records"]}
    assert rules["C7770001"] == "crm_master"
    assert rules["E7770001-001"] == "email"
    assert rules["E7770001-002"] == "prospect_anonymous_id"  # her cookie before the e-mail
    assert rules["E7770001-003"] == "prospect_email"  # her work address, known from her ticket
    assert rules["SC7770001"] == "email"
    assert [(q["source"], q["row"], q["reason"]) for q in report["quarantined"]] == [
        ("support/surveys", 135, "out_of_range")
    ]
    assert [(r["file"].split("__")[-1], r["data_row"]) for r in report["rejected"]] == [("events_broken_export.csv", 1)]

    assert [p["crm_customer_id"] for p in report["profile"] if not p["is_prospect"]] == ["C7770001"]
    assert {p["value_tier"] for p in report["profile"] if not p["is_prospect"]} <= {"high", "mid", "low", "top"}
    # the last 30 days' unanswered signals (the account manager's call came before them)
    signals = sorted((s["signal"], s["source_id"]) for s in report["follow_up_signals"])
    assert signals == [("complaint", "F7770001-1"), ("detractor", "R7770001-1")]
    journey = [j["source_id"] for j in report["journey"]]
    assert journey == sorted(journey, key=lambda s: [j["occurred_at"] for j in report["journey"]][journey.index(s)])
    assert {
        "E7770001-001",
        "E7770001-002",
        "E7770001-003",
        "O7770001-01",
        "T7770001-1",
        "R7770001-1",
        "F7770001-1",
    } <= set(journey)
    places = {p["path"] for p in report["stored_in"]}
    assert "cx.duckdb" in places and any(p.startswith("raw/support/surveys/") for p in places)
    assert any(p.endswith("cx_restricted.duckdb") for p in places)
    assert any(p.startswith("rejected/marketing/events/") for p in places)
    page = (tmp_path / "sar" / "subject-access.md").read_text()
    assert NAME in page and "Every record we received (12)" in page


# --- forget --------------------------------------------------------------------------------------


def _scan(root: Path, needles: list[str]) -> list[str]:
    """Every file under root, every byte (any case, JSON-escaped too), and every row of every
    Parquet and DuckDB file decoded: where any needle is."""
    spelled = [*needles, *(json.dumps(n)[1:-1] for n in needles)]
    spelled += [n.encode("ascii", "xmlcharrefreplace").decode() for n in needles]
    lowered = {n.lower() for n in spelled}
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace").lower()
        found += [f"{path}: {n}" for n in lowered if n in text]
        if data[:4] == b"PAR1":
            found += [
                f"{path} (rows): {n}" for n in _decoded(f"select t::varchar from read_parquet('{path}') t", lowered)
            ]
        elif data[8:12] == b"DUCK":
            con = duckdb.connect()
            con.execute(f"attach '{path}' as db (read_only)")
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'db'"
            ).fetchall()
            con.close()
            for schema, table in tables:
                sql = f"select t::varchar from db.{schema}.{table} t"
                found += [f"{path} {schema}.{table}: {n}" for n in _decoded(sql, lowered, attach=path)]
    return found


def _decoded(sql: str, needles: set[str], attach: Path | None = None) -> set[str]:
    con = duckdb.connect()
    try:
        if attach:
            con.execute(f"attach '{attach}' as db (read_only)")
        rows = "\n".join(r[0] for r in con.execute(sql).fetchall()).lower()
    finally:
        con.close()
    return {n for n in needles if n in rows}


def test_forget_leaves_no_byte_of_her_anywhere_under_the_warehouse(forgotten):
    assert _scan(forgotten["warehouse"], [EMAIL, WORK_EMAIL, *PHONES, NAME, LAST_NAME, HANDLE]) == []


def test_after_forget_the_published_figures_equal_a_build_that_never_had_her(forgotten, demo_full):
    reference = demo_full[0].warehouse_dir / "serving" / "cx_marts.duckdb"
    con = duckdb.connect()
    con.execute(f"attach '{forgotten['warehouse'] / 'serving' / 'cx_marts.duckdb'}' as erased (read_only)")
    con.execute(f"attach '{reference}' as never (read_only)")
    tables = [
        r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'never'").fetchall()
    ]
    assert len(tables) >= 12
    for table in tables:
        if table == "mart_data_trust":  # the runs' own record: batches, checks, times
            continue
        for a, b in (("erased", "never"), ("never", "erased")):
            extra = con.execute(f"select count(*) from (from {a}.{table} except all from {b}.{table})").fetchone()[0]
            assert extra == 0, f"{table}: {extra} rows in {a} not in {b}"


def test_the_receipt_counts_what_was_removed_and_holds_no_identifier(forgotten):
    receipts = list((forgotten["warehouse"] / "privacy" / "receipts").glob("*.json"))
    assert len(receipts) == 1
    text = receipts[0].read_text()
    for value in [EMAIL, WORK_EMAIL, *PHONES, NAME, LAST_NAME, HANDLE, *IDS, "7770001", "zofia"]:
        assert value.lower() not in text.lower(), value
    receipt = json.loads(text)
    raw = [i for i in receipt["removed"] if i["place"] == "raw zone"]
    by_entity = {}
    for item in raw:
        entity = "/".join(Path(item["path"]).parts[1:3])
        by_entity[entity] = by_entity.get(entity, 0) + item["rows"]
    assert by_entity == {
        "crm/customers": 1,
        "crm/activities": 1,
        "marketing/events": 3,
        "sales/customers": 1,
        "sales/orders": 1,
        "sales/order_lines": 2,
        "support/tickets": 1,
        "support/surveys": 1,
        "support/feedback": 1,
    }
    assert all(i["sha256_before"] != i["sha256_after"] for i in raw)
    assert [i["rows"] for i in receipt["removed"] if i["place"] == "rejected copies"] == [1]
    assert [i["rows"] for i in receipt["removed"] if i["place"] == "quarantine"] == [1]
    assert receipt["subject"]["given"] == "email" and len(receipt["subject"]["given_hash"]) == 64
    files = sorted(i["path"] for i in receipt["removed"] if i["place"] == "files")
    assert "logs/last_run.log" in files
    assert any(f.startswith("docs/gx/validations/raw/crm__customers/") for f in files)
    assert any(f.startswith("dagster/history/runs/") for f in files)
    assert [i["place"] for i in receipt["removed"] if i["path"] == "cx.duckdb ops"] == ["check samples and run records"]
    assert "Receipt:" in forgotten["stdout"]


def test_a_killed_erasure_keeps_the_last_publication_whole_and_completes_when_run_again(forgotten):
    first = forgotten["after_first_kill"]
    assert first["pending"]
    assert first["published_rows_of_her"] == 1  # the old publication, whole and readable
    assert first["run"].returncode == 1
    assert "erasure" in first["run"].stdout and "cx360 forget --resume" in first["run"].stdout
    assert forgotten["after_second_kill"]["published_rows_of_her"] == 0  # republished without her
    assert not (forgotten["warehouse"] / "privacy" / "pending-erasure.json").exists()


def test_her_later_delivery_is_withheld_and_counted(forgotten):
    assert "withheld rows of erased people: 1" in forgotten["status"]
    assert "people erased on request: 1" in forgotten["status"]
    con = duckdb.connect(str(forgotten["warehouse"] / "cx.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select file_name, row_number, raw_record from ops.quarantine where reason_code = 'erased_subject'"
        ).fetchall()
        erased = con.execute("select sum(rows_erased) from ops.load_batches").fetchone()[0]
    finally:
        con.close()
    assert rows == [("customers_later.csv", 1, None)]
    assert erased == 12


def test_a_person_nobody_holds_gets_an_empty_report_and_nothing_is_erased(with_zofia, tmp_path):
    where = ["--warehouse", with_zofia["warehouse"]]
    asked = cx360("subject-access", "--email", "nobody@example.net", *where, "--out", "sar", cwd=tmp_path)
    assert asked.returncode == 0 and "nothing is held about this email" in asked.stdout
    assert json.loads((tmp_path / "sar" / "subject-access.json").read_text())["records"] == []
    erased = cx360("forget", "--email", "nobody@example.net", *where, cwd=tmp_path)
    assert erased.returncode == 1
    assert "no record of this email in the warehouse: nothing to erase" in " ".join(erased.stdout.split())
    assert not (Path(with_zofia["warehouse"]) / "privacy" / "pending-erasure.json").exists()
