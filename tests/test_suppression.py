"""It stays forgotten: a later delivery of an erased person's rows is withheld, never loaded nor kept.

Ingestion only (no dbt build): real landing files, a real DuckDB warehouse, the person listed by
salted hashes as an erasure lists them (privacy/suppression.py).
"""

from __future__ import annotations

import csv
import io
import json

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from typer.testing import CliRunner

from orchestration import cli
from orchestration.assets.ingest import ingest_asset_key, ingest_assets
from orchestration.contracts import ENTITIES, entity
from orchestration.ingest import load_entity
from orchestration.privacy import identifiers, suppression
from orchestration.rawzone import refresh_views
from orchestration.resources import WarehouseResource
from orchestration.warehouse import connect
from tests.conftest import write_landing

# the erased person, as the erasure knew them
EMAIL, PHONE_KEY, CRM_ID, CUSTOMER_NUMBER = "jan.kowalski@example.com", "+48601234567", "C100", "N100"
FIRST_NAME, LAST_NAME = "Zbigniew", "Erasowski"
# what of theirs must be stored nowhere after a later delivery (lower case: searched case-insensitively)
THEIR_VALUES = ("kowalski", "601234567", "601-234-567", "601 234 567", "zbigniew", "erasowski", "c100", "n100")
WITHHELD = (
    "withheld: this row belongs to a person erased on request; it is not loaded "
    "(ask the source system to stop sending it)"
)

CUSTOMERS_HEADER = (
    "customer_id,email,phone,first_name,last_name,country,segment,marketing_consent,created_at,updated_at\n"
)
TS = "2026-03-01T10:00:00Z"


def list_person(settings) -> str:
    """List the person for erasure E1, as the erasure does; returns the warehouse's salt."""
    salt = identifiers.salt(settings.privacy_dir)
    national = identifiers.phone_national_number(PHONE_KEY)
    assert national == "601234567"
    with connect(settings) as con:
        suppression.add(
            con,
            {
                identifiers.EMAIL: identifiers.hashes_of(salt, identifiers.EMAIL, EMAIL),
                identifiers.PHONE: {identifiers.digest(salt, identifiers.PHONE, national)},
                identifiers.CRM_ID: identifiers.hashes_of(salt, identifiers.CRM_ID, CRM_ID),
                identifiers.CUSTOMER_NUMBER: identifiers.hashes_of(salt, identifiers.CUSTOMER_NUMBER, CUSTOMER_NUMBER),
            },
            "E1",
        )
    return salt


def ingest(settings) -> None:
    """Every entity, in the order a run loads them (contracts.ENTITIES)."""
    with connect(settings) as con:
        for e in ENTITIES:
            load_entity(con, settings, e, "test-run")
        refresh_views(con, settings.raw_dir, ENTITIES)


def rows(settings, sql: str, params=None) -> list[tuple]:
    with connect(settings) as con:
        return con.execute(sql, params or []).fetchall()


def batches(settings) -> dict[str, tuple]:
    """source/entity/file -> (status, rows_read, rows_loaded, rows_quarantined)."""
    found = rows(
        settings,
        "select source || '/' || entity || '/' || file_name, status, rows_read, rows_loaded, rows_quarantined "
        "from ops.load_batches order by batch_seq",
    )
    return {r[0]: r[1:] for r in found}


def raw_ids(settings, qualified: str, *columns: str) -> list[tuple]:
    e = entity(qualified)
    cols = ", ".join(columns)
    return rows(settings, f'select {cols} from raw."{e.raw_table}" order by _batch_seq, _row_number')


def stored_text(settings) -> str:
    """Everything the raw zone (its Parquet decoded by DuckDB) and the ops schema hold, as lower-case text."""
    con = duckdb.connect()
    parts = [
        str(con.execute("select * from read_parquet(?)", [str(p)]).fetchall())
        for p in settings.raw_dir.rglob("*.parquet")
    ]
    con.close()
    for table in ("quarantine", "load_batches", "batch_profiles"):
        parts.append(str(rows(settings, f"select * from ops.{table}")))
    return "\n".join(parts).lower()


def withheld_in_quarantine(settings) -> list[tuple]:
    return rows(
        settings,
        "select source || '/' || entity, file_name, row_number, column_name, message, raw_record "
        "from ops.quarantine where reason_code = ? order by 1, 2, 3",
        [suppression.REASON],
    )


def status_output(settings, monkeypatch) -> str:
    """What `cx360 status` prints (its console is bound to the process's stdout when imported)."""
    out = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=out, width=200))
    result = CliRunner().invoke(cli.app, ["status", "--warehouse", str(settings.warehouse_dir)])
    assert result.exit_code == 0, result.output
    return out.getvalue()


THE_LANDING = {
    # row 2 is theirs: found by crm id and by the e-mail, written in another case with spaces
    "crm/customers/customers.csv": CUSTOMERS_HEADER
    + f"C1,anna@example.com,+48 602 111 222,Anna,Nowak,PL,consumer,yes,{TS},{TS}\n"
    + f'C100," JAN.Kowalski@Example.COM ",+48 601 234 567,{FIRST_NAME},{LAST_NAME},PL,consumer,no,{TS},{TS}\n'
    + f"C2,piotr@example.com,,Piotr,Zielinski,PL,smb,,{TS},{TS}\n",
    # row 2 is theirs: only the phone, written nationally
    "support/tickets/tickets.csv": "ticket_id,created_at,channel,category,status,requester_email,requester_phone,"
    "updated_at\n"
    f"T1,{TS},email,billing,open,anna@example.com,,{TS}\n"
    f"T2,{TS},phone,delivery,open,,601-234-567,{TS}\n",
    # the only row is theirs: their crm id
    "marketing/events/events.csv": f"event_id,event_type,occurred_at,crm_customer_id\nEV1,web_visit,{TS},{CRM_ID}\n",
    # O-77 is theirs (their customer number); its lines come in the same landing
    "sales/orders/orders.csv": "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,"
    "updated_at\n"
    f"O-77,{CUSTOMER_NUMBER},{TS},web,placed,PLN,120.00,{TS}\n"
    f"O-78,N200,{TS},web,placed,PLN,30.00,{TS}\n",
    "sales/order_lines/lines.csv": "order_id,line_number,product_id,quantity,unit_price\n"
    "O-77,1,P1,1,100.00\n"
    "O-78,1,P2,1,30.00\n"
    "O-77,2,P3,2,10.00\n",
}


def test_a_later_delivery_of_an_erased_persons_rows_is_withheld_and_stored_nowhere(settings, landing, monkeypatch):
    salt = list_person(settings)
    write_landing(landing, THE_LANDING)
    ingest(settings)

    # status, read, loaded, quarantined: read = loaded + quarantined in every batch; the events batch,
    # whose only row is theirs, loads (0 rows), it is not rejected
    assert batches(settings) == {
        "crm/customers/customers.csv": ("loaded", 3, 2, 1),
        "marketing/events/events.csv": ("loaded", 1, 0, 1),
        "sales/orders/orders.csv": ("loaded", 2, 1, 1),
        "sales/order_lines/lines.csv": ("loaded", 3, 1, 2),
        "support/tickets/tickets.csv": ("loaded", 2, 1, 1),
    }
    assert withheld_in_quarantine(settings) == [
        ("crm/customers", "customers.csv", 2, None, f"customers.csv row 2: {WITHHELD}", None),
        ("marketing/events", "events.csv", 1, None, f"events.csv row 1: {WITHHELD}", None),
        ("sales/order_lines", "lines.csv", 1, None, f"lines.csv row 1: {WITHHELD}", None),
        ("sales/order_lines", "lines.csv", 3, None, f"lines.csv row 3: {WITHHELD}", None),
        ("sales/orders", "orders.csv", 1, None, f"orders.csv row 1: {WITHHELD}", None),
        ("support/tickets", "tickets.csv", 2, None, f"tickets.csv row 2: {WITHHELD}", None),
    ]
    assert rows(settings, "select count(*) from ops.quarantine where reason_code <> ?", [suppression.REASON]) == [(0,)]

    # the others loaded
    assert raw_ids(settings, "crm/customers", "customer_id") == [("C1",), ("C2",)]
    assert raw_ids(settings, "support/tickets", "ticket_id") == [("T1",)]
    assert raw_ids(settings, "marketing/events", "event_id") == []
    assert raw_ids(settings, "sales/orders", "order_id") == [("O-78",)]
    assert raw_ids(settings, "sales/order_lines", "order_id", "line_number") == [("O-78", 1)]

    # nothing of theirs in the raw Parquet nor in the ops schema
    text = stored_text(settings)
    assert [v for v in THEIR_VALUES if v in text] == []
    assert "anna@example.com" in text and "piotr" in text  # the check does read the stored rows

    # the withheld order's id is listed under the same erasure, so its lines were withheld too
    order_hash = identifiers.digest(salt, identifiers.ORDER_ID, "O-77")
    assert rows(
        settings, "select kind, erasure_id from ops.suppressed_identifiers where identifier_hash = ?", [order_hash]
    ) == [("order_id", "E1")]

    # the drift profile counts the loaded rows only
    assert rows(
        settings,
        "select rows_considered, rows_meeting from ops.batch_profiles "
        "where entity = 'customers' and source = 'crm' and column_name = 'email' and measure = 'filled'",
    ) == [(2, 2)]

    assert "withheld rows of erased people: 6" in status_output(settings, monkeypatch)


def test_a_redelivery_by_an_id_they_never_had_is_still_found_by_the_email(settings, landing):
    list_person(settings)
    write_landing(
        landing,
        {
            "marketing/events/e.csv": "event_id,event_type,occurred_at,contact_email,anonymous_id\n"
            f"EV1,signup,{TS},Jan.Kowalski@Example.com,anon-1\n"
            f"EV2,signup,{TS},someone@example.com,anon-2\n",
        },
    )
    ingest(settings)
    assert batches(settings) == {"marketing/events/e.csv": ("loaded", 2, 1, 1)}
    assert raw_ids(settings, "marketing/events", "event_id") == [("EV2",)]


def bad_customers() -> list[list[str]]:
    """20 customers: row 2 is theirs (a new crm id, found by the e-mail; an invalid segment too), rows 3
    and 9 have a broken created_at: 2 errors among the 19 rows judged, over 5%."""
    out = []
    for i in range(1, 21):
        out.append([f"K{i}", f"k{i}@example.com", "", f"First{i}", f"Last{i}", "PL", "smb", "", TS, TS])
    out[1] = ["C900", "Jan.Kowalski@example.com", "601 234 567", FIRST_NAME, LAST_NAME, "PL", "erasowski", "", TS, TS]
    out[2][8] = "yesterday"
    out[8][8] = "not a date"
    out[4][3] = 'Ann, "Annie"\nAnna'  # a field that needs quoting, kept as it was
    return out


def rejected_copy(settings):
    kept = list((settings.rejected_dir / "crm" / "customers").iterdir())
    assert len(kept) == 1
    return kept[0]


def assert_rejected_without_their_row(settings, file_name: str) -> None:
    assert batches(settings) == {f"crm/customers/{file_name}": ("rejected", 20, 0, 20)}
    reason = rows(settings, "select reason from ops.load_batches")[0][0]
    assert "2 of 19 rows (10.5%) have errors, more than the 5% allowed" in reason
    assert "first: row 3, column created_at: 'yesterday' is not an ISO-8601 timestamp" in reason
    quarantined = rows(
        settings, "select row_number, reason_code, raw_record is null from ops.quarantine order by row_number"
    )
    assert quarantined == [
        (2, "erased_subject", True),
        (3, "invalid_type", False),
        (9, "invalid_type", False),
        (None, "too_many_row_errors", True),
    ]
    assert [v for v in THEIR_VALUES if v in stored_text(settings)] == []


def test_a_rejected_csv_is_kept_without_the_erased_persons_row(settings, landing):
    list_person(settings)
    records = [CUSTOMERS_HEADER.strip().split(","), *bad_customers()]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(records)
    write_landing(landing, {"crm/customers/bad.csv": b"\xef\xbb\xbf" + buffer.getvalue().encode()})
    ingest(settings)

    assert_rejected_without_their_row(settings, "bad.csv")
    copy = rejected_copy(settings).read_bytes()
    assert copy.startswith(b"\xef\xbb\xbfcustomer_id,email,") and b"\r\n" in copy  # BOM and line ends kept
    assert list(csv.reader(io.StringIO(copy.decode("utf-8-sig"), newline=""))) == records[:2] + records[3:]
    assert not any(v.encode() in copy.lower() for v in THEIR_VALUES)


def test_a_rejected_jsonl_is_kept_without_the_erased_persons_line(settings, landing):
    list_person(settings)
    header = CUSTOMERS_HEADER.strip().split(",")
    lines = [json.dumps(dict(zip(header, r, strict=True))) for r in bad_customers()]
    lines.insert(5, "")  # a blank line is no row, here and for the reader
    write_landing(landing, {"crm/customers/bad.jsonl": "\n".join(lines) + "\n"})
    ingest(settings)

    assert_rejected_without_their_row(settings, "bad.jsonl")
    assert rejected_copy(settings).read_text() == "\n".join(lines[:1] + lines[2:]) + "\n"


def test_a_rejected_parquet_is_rewritten_without_the_erased_persons_row(settings, landing):
    list_person(settings)
    header = CUSTOMERS_HEADER.strip().split(",")
    table = pa.table({h: [r[i] for r in bad_customers()] for i, h in enumerate(header)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    write_landing(landing, {"crm/customers/bad.parquet": buffer.getvalue()})
    ingest(settings)

    assert_rejected_without_their_row(settings, "bad.parquet")
    kept = pq.read_table(rejected_copy(settings))
    assert kept.column_names == header
    assert kept.to_pylist() == table.to_pylist()[:1] + table.to_pylist()[2:]


def test_a_file_that_cannot_be_read_into_rows_is_kept_as_it_came(settings, landing):
    list_person(settings)
    content = (CUSTOMERS_HEADER.replace(",", ";") + f"C100;{EMAIL};;;;PL;smb;;{TS};{TS}\n").encode()
    write_landing(landing, {"crm/customers/semicolons.csv": content})
    ingest(settings)
    assert batches(settings)["crm/customers/semicolons.csv"][0] == "rejected"
    assert rejected_copy(settings).read_bytes() == content  # its rows were never told apart


def test_with_nobody_listed_nothing_is_hashed_and_every_row_loads(settings, landing, monkeypatch):
    with connect(settings) as con:
        suppression.ensure(con)  # the list exists, empty
    write_landing(landing, THE_LANDING)
    ingest(settings)

    assert not (settings.privacy_dir / identifiers.SALT_FILE).exists()  # the salt was never needed
    assert {k: v[2] for k, v in batches(settings).items()} == {k: v.count("\n") - 1 for k, v in THE_LANDING.items()}
    assert rows(settings, "select count(*) from ops.quarantine") == [(0,)]
    assert raw_ids(settings, "crm/customers", "customer_id") == [("C1",), ("C100",), ("C2",)]
    assert "withheld rows of erased people: 0" in status_output(settings, monkeypatch)


def test_a_run_loads_orders_before_their_lines(settings, landing):
    """Dagster would take the ingest steps by name (sales/order_lines first): their priorities follow
    contracts.ENTITIES, so the lines of a withheld order delivered with it are withheld in a run too."""
    list_person(settings)
    write_landing(landing, {k: v for k, v in THE_LANDING.items() if k.startswith("sales/")})
    wanted = {ingest_asset_key(entity("sales/order_lines")), ingest_asset_key(entity("sales/orders"))}
    with dg.DagsterInstance.ephemeral() as instance:
        dg.materialize(
            [a for a in ingest_assets if a.key in wanted],
            instance=instance,
            resources={"warehouse": WarehouseResource.from_settings(settings)},
            raise_on_error=False,
        )
    assert batches(settings) == {
        "sales/orders/orders.csv": ("loaded", 2, 1, 1),
        "sales/order_lines/lines.csv": ("loaded", 3, 1, 2),
    }
