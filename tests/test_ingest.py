"""Ingestion of delivered files: typing, quarantine, rejection, idempotency (extracts.md, quality.md)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.contracts import ENTITIES, entity
from orchestration.ingest import load_entity, loader
from orchestration.ingest.discover import strays
from orchestration.ingest.rejections import NoSuchRejection, accept, rejections
from orchestration.rawzone import refresh_views
from orchestration.warehouse import connect
from tests.conftest import write_landing

CUSTOMERS_HEADER = (
    "customer_id,email,phone,first_name,last_name,country,segment,marketing_consent,created_at,updated_at\n"
)
SURVEYS_HEADER = "response_id,survey_type,score,responded_at,touchpoint\n"


def load(settings, qualified: str):
    e = entity(qualified)
    with connect(settings) as con:
        result = load_entity(con, settings, e, "test-run")
        refresh_views(con, settings.raw_dir, ENTITIES)
        raw = con.execute(f'select * from raw."{e.raw_table}" order by _batch_seq, _row_number').fetchall()
        cols = [d[0] for d in con.description]
        quarantine = con.execute(
            "select file_name, row_number, reason_code, column_name, message, raw_record from ops.quarantine "
            "where source = ? and entity = ? order by file_name, row_number nulls first",
            [e.source, e.name],
        ).fetchall()
        batches = con.execute(
            "select file_name, status, rows_read, rows_loaded, rows_quarantined, reason, extra_columns "
            "from ops.load_batches where source = ? and entity = ? order by batch_seq",
            [e.source, e.name],
        ).fetchall()
    return result, [dict(zip(cols, r, strict=True)) for r in raw], quarantine, batches


def surveys(rows: int, bad: dict[int, str] | None = None) -> str:
    lines = [f"R{i},nps,{i % 11},2026-03-01T10:00:00Z,delivery" for i in range(1, rows + 1)]
    for i, line in (bad or {}).items():
        lines[i - 1] = line
    return SURVEYS_HEADER + "\n".join(lines) + "\n"


def test_csv_is_typed_with_case_insensitive_headers_bom_quotes_and_utc(settings, landing):
    write_landing(
        landing,
        {
            "crm/customers/2026-03-01.csv": "\ufeff"
            + (
                " Customer_ID ,EMAIL,Phone,First_Name,last_name,country,SEGMENT,marketing_consent,created_at,updated_at,loyalty_card\n"
                'C1, Anna@Example.com ,+48 601 234 567,"Łukasz, ""Łuki""",Wójcik,pl, Consumer ,YES,'
                "2026-03-01T16:05:00+02:00,2026-03-01 14:05:00,X1\n"
                'C2,,,"Ștefan\nRădulescu",Groß,RO,smb,f,2026-03-01,2026-03-02T00:00:00Z,\n'
            )
        },
    )
    result, raw, quarantine, batches = load(settings, "crm/customers")
    assert quarantine == []
    assert [
        (r["customer_id"], r["email"], r["first_name"], r["country"], r["segment"], r["marketing_consent"]) for r in raw
    ] == [
        ("C1", " Anna@Example.com ", 'Łukasz, "Łuki"', "PL", "consumer", True),
        ("C2", None, "Ștefan\nRădulescu", "RO", "smb", False),
    ]
    assert str(raw[0]["created_at"]) == "2026-03-01 14:05:00"  # +02:00 converted to UTC
    assert str(raw[0]["updated_at"]) == "2026-03-01 14:05:00"  # no offset: taken as UTC
    assert (raw[0]["_file_name"], raw[0]["_row_number"], raw[1]["_row_number"]) == ("2026-03-01.csv", 1, 2)
    # schema drift: the extra column is accepted and reported
    assert batches == [("2026-03-01.csv", "loaded", 2, 2, 0, None, ["loyalty_card"])]


def test_row_errors_go_to_quarantine_with_file_row_column_and_value(settings, landing):
    rows = [f"O{i},N{i},2026-03-01T10:00:00Z,web,placed,PLN,10.50,,,2026-03-01T10:00:00Z" for i in range(1, 101)]
    rows[9] = "O10,N10,2026-03-01T10:00:00Z,web,placed,PLN,-5,,,2026-03-01T10:00:00Z"  # negative amount
    rows[19] = "O20,N20,2026-13-45,web,placed,PLN,5,,,2026-03-01T10:00:00Z"  # bad timestamp
    rows[29] = "O30,N30,2026-03-01T10:00:00Z,WEB,Placed,pln,5,,2026-02-01T00:00:00Z,2026-03-01T10:00:00Z"
    rows[39] = "O1,N40,2026-03-01T10:00:00Z,web,placed,EUR,5,,,2026-03-01T10:00:00Z"  # duplicate key
    rows[49] = "O50,N50,2026-03-01T10:00:00Z,fax,placed,EUR,5,,,2026-03-01T10:00:00Z"  # enum
    header = "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,delivered_at,updated_at\n"
    write_landing(landing, {"sales/orders/orders.csv": header + "\n".join(rows) + "\n"})
    result, raw, quarantine, batches = load(settings, "sales/orders")
    assert batches[0][:5] == ("orders.csv", "loaded", 100, 95, 5)
    got = [(q[1], q[2], q[3]) for q in quarantine]
    assert got == [
        (10, "negative_amount", "order_total"),
        (20, "invalid_type", "ordered_at"),
        (30, "end_before_start", "delivered_at"),  # enum case is fine; delivered before ordered is not
        (40, "duplicate_key", "order_id"),
        (50, "invalid_enum", "sales_channel"),
    ]
    messages = {q[1]: q[4] for q in quarantine}
    assert messages[10] == "orders.csv row 10: column order_total: '-5' must be at least 0"
    assert messages[20] == "orders.csv row 20: column ordered_at: '2026-13-45' is not an ISO-8601 timestamp"
    assert messages[50] == (
        "orders.csv row 50: column sales_channel: 'fax' is not one of: web, app, store, phone, partner"
    )
    assert json.loads(quarantine[0][5])["order_total"] == "-5"  # the delivered row, as delivered
    assert len(raw) == 95 and {r["order_id"] for r in raw}.isdisjoint({"O10", "O20", "O30", "O50"})


def test_survey_score_range_depends_on_survey_type(settings, landing):
    body = surveys(
        60,
        {
            1: "R1,NPS,11,2026-03-01T10:00:00Z,delivery",
            2: "R2,csat,5,2026-03-01T10:00:00Z, Support ",
            3: "R3,ces,0,2026-03-01T10:00:00Z,support",
        },
    )
    write_landing(landing, {"support/surveys/s.csv": body})
    _, raw, quarantine, _ = load(settings, "support/surveys")
    assert [(q[1], q[2], q[3]) for q in quarantine] == [
        (1, "out_of_range", "score"),
        (3, "out_of_range", "score"),
    ]
    assert "'11' is outside 0-10 for nps surveys" in quarantine[0][4]
    r2 = next(r for r in raw if r["response_id"] == "R2")
    assert (r2["survey_type"], r2["score"], r2["touchpoint"]) == ("csat", 5, "support")


def test_more_than_five_percent_errors_rejects_the_batch_and_keeps_the_file(settings, landing):
    bad = {i: f"R{i},nps,12,2026-03-01T10:00:00Z,delivery" for i in range(1, 7)}  # 6 of 100 = 6%
    write_landing(landing, {"support/surveys/s.csv": surveys(100, bad)})
    result, raw, quarantine, batches = load(settings, "support/surveys")
    assert raw == []
    assert batches[0][:5] == ("s.csv", "rejected", 100, 0, 100)
    assert "6 of 100 rows (6.0%) have errors, more than the 5% allowed" in batches[0][5]
    assert "first: row 1, column score: '12' is outside 0-10 for nps surveys" in batches[0][5]
    assert len(list((settings.rejected_dir / "support" / "surveys").iterdir())) == 1


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"", "empty_file", "s.csv: the file is empty (0 bytes)"),
        (SURVEYS_HEADER.encode(), "no_data_rows", "s.csv: the file holds a header but no data rows"),
        (
            b"response_id,score,responded_at,touchpoint\nR1,5,2026-03-01,website\n",
            "missing_required_column",
            "s.csv: required column 'survey_type' is missing (columns found: response_id, score, responded_at, touchpoint)",
        ),
        (
            b"response_id;survey_type;score;responded_at;touchpoint\nR1;nps;5;2026-03-01;website\n",
            "missing_required_column",
            "the header is separated by semicolons, not commas as extracts.md asks",
        ),
        (
            (SURVEYS_HEADER + 'R1,nps,5,2026-03-01,"website\nR2,nps,5,2026-03-01,website\n').encode(),
            "malformed_file",
            "s.csv at line 2: a quoted value is never closed",
        ),
        (
            (SURVEYS_HEADER + "R1,nps,5,2026-03-01,Gro\xdf\n").encode("latin-1"),
            "not_utf8",
            "s.csv at line 2: the file is not UTF-8 encoded",
        ),
        (  # a quoted value over two lines: the bad row is the file's fourth line (DuckDB says 3)
            (SURVEYS_HEADER + 'R1,nps,5,2026-03-01,"deli\nvery"\nR2,nps\n').encode(),
            "malformed_file",
            "s.csv at line 4: a row has the wrong number of values (expected 5 values, found 2)",
        ),
        (  # a quote inside an unquoted value is a character, not the start of a quoted one
            (SURVEYS_HEADER + 'R1,nps,5,2026-03-01,5" box\nR2,nps,5,2026-03-01,"deli\nvery"\nR3,nps\n').encode(),
            "malformed_file",
            "s.csv at line 5: a row has the wrong number of values (expected 5 values, found 2)",
        ),
        (
            gzip.compress(surveys(3).encode(), mtime=0),
            "compressed_file",
            "s.csv: the file is gzip-compressed but named .csv; deliver it uncompressed",
        ),
    ],
)
def test_batch_errors_reject_with_one_clear_reason(settings, landing, content, code, words):
    write_landing(landing, {"support/surveys/s.csv": content})
    _, raw, quarantine, batches = load(settings, "support/surveys")
    assert raw == []
    assert batches[0][1] == "rejected" and batches[0][2] == batches[0][4]  # read = quarantined
    assert words in batches[0][5]
    assert quarantine[-1][2] == code and words in quarantine[-1][4]
    kept = list((settings.rejected_dir / "support" / "surveys").iterdir())
    assert [p.read_bytes() for p in kept] == [content]  # nothing delivered is lost


GOOD_ANSWER = b'{"response_id": "R1", "survey_type": "nps", "score": 9, "responded_at": "2026-03-01"}\n'


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (  # DuckDB's JSON reader names the line after the bad one
            GOOD_ANSWER + b'{"response_id": "R2", "score": nine}\n' + GOOD_ANSWER,
            "malformed_file",
            "s.jsonl at line 2, character 32: malformed JSON (Expecting value, near "
            '\'{"response_id": "R2", "score": nine}\')',
        ),
        (
            GOOD_ANSWER * 3 + '{"response_id": "R4", "comment": "Gro\xdf"}\n'.encode("latin-1"),
            "not_utf8",
            "s.jsonl at line 4, character 38: the file is not UTF-8 encoded",
        ),
        (GOOD_ANSWER + b'{"response_id": "R2"', "malformed_file", "s.jsonl at line 2, character 21: malformed JSON"),
    ],
)
def test_a_jsonl_file_is_rejected_at_its_own_bad_line_and_character(settings, landing, content, code, words):
    write_landing(landing, {"support/surveys/s.jsonl": content})
    _, raw, quarantine, batches = load(settings, "support/surveys")
    assert raw == [] and batches[0][1] == "rejected"
    assert quarantine[-1][2] == code and words in quarantine[-1][4], quarantine[-1][4]


def test_a_parquet_file_cut_short_is_rejected_as_not_whole(settings, landing):
    buf = io.BytesIO()
    pq.write_table(pa.table({"rate_date": ["2026-03-01"] * 100, "currency": ["pln"] * 100}), buf)
    write_landing(landing, {"sales/fx_rates/rates.parquet": buf.getvalue()[: len(buf.getvalue()) // 2]})
    _, raw, quarantine, batches = load(settings, "sales/fx_rates")
    assert raw == [] and batches[0][1] == "rejected"
    assert quarantine[-1][2:5] == (
        "unreadable_file",
        None,
        "rates.parquet: not a whole Parquet file (no Parquet footer at its end: cut short, or not Parquet)",
    )


def test_what_lies_outside_every_entity_folder_is_named_not_passed_over(landing):
    write_landing(
        landing,
        {
            "support/tickets/t.csv": "ticket_id\n",
            "support/ticket/t.csv": "ticket_id\n",  # one letter short
            "Sales/orders/o.csv": "order_id\n",  # the folders are lower case
            "crm/customers.csv": "customer_id\n",  # a file where the entity's folder belongs
            "README.txt": "deliveries\n",
            ".uploading/part.csv": "x\n",  # hidden: an upload in progress
        },
    )
    assert strays(landing) == ["README.txt", "Sales/", "crm/customers.csv", "support/ticket/"]


def test_same_bytes_twice_load_once_and_a_rerun_loads_nothing(settings, landing):
    write_landing(landing, {"support/surveys/a.csv": surveys(5), "support/surveys/b_copy.csv": surveys(5)})
    _, raw, _, batches = load(settings, "support/surveys")
    assert [(b[0], b[1], b[3]) for b in batches] == [("a.csv", "loaded", 5), ("b_copy.csv", "duplicate", 0)]
    assert "the same bytes were delivered before as a.csv" in batches[1][5]
    result, raw2, _, batches2 = load(settings, "support/surveys")
    assert result.batches == [] and batches2 == batches and len(raw2) == len(raw) == 5


def test_a_file_not_written_since_it_was_loaded_is_not_read_again(settings, landing, monkeypatch):
    """A day's run passes over the history still lying in the landing zone by its size and times
    (a million customers' history is gigabytes); a file written since is read and judged by its bytes."""
    write_landing(landing, {"support/surveys/a.csv": surveys(5)})
    load(settings, "support/surveys")
    read = []
    sha256_of = loader.sha256_of
    monkeypatch.setattr(loader, "sha256_of", lambda path: read.append(path.name) or sha256_of(path))

    assert load(settings, "support/surveys")[0].batches == [] and read == []
    path = landing / "support" / "surveys" / "a.csv"
    path.write_text(path.read_text())  # the same bytes written again: read once, nothing new
    assert load(settings, "support/surveys")[0].batches == [] and read == ["a.csv"]
    assert load(settings, "support/surveys")[0].batches == [] and read == ["a.csv"]
    path.write_text(surveys(6))  # other bytes under the same name: a new batch
    result, raw, _, batches = load(settings, "support/surveys")
    assert read == ["a.csv", "a.csv"] and [b[1] for b in batches] == ["loaded", "loaded"] and len(raw) == 11


def test_a_later_batch_keeps_both_versions_in_the_append_only_raw_zone(settings, landing):
    write_landing(
        landing,
        {
            "crm/customers/1.csv": CUSTOMERS_HEADER + "C1,a@x.com,,,,PL,smb,,2026-01-01,2026-01-01\n",
            "crm/customers/2.csv": CUSTOMERS_HEADER + "C1,a@x.com,,,,PL,enterprise,,2026-01-01,2026-02-01\n",
        },
    )
    _, raw, _, _ = load(settings, "crm/customers")
    assert [(r["segment"], r["_batch_seq"]) for r in raw] == [("smb", 1), ("enterprise", 2)]


def test_jsonl_and_parquet_are_read_like_csv(settings, landing):
    lines = [
        {
            "Response_ID": "R1",
            "survey_type": "nps",
            "score": 9,
            "responded_at": "2026-03-01T10:00:00Z",
            "touchpoint": "delivery",
            "comment": "Świetnie 👍",
        },
        {
            "response_id": "R2",
            "survey_type": "csat",
            "score": "2",
            "responded_at": "2026-03-01 10:00:00",
            "touchpoint": "support",
            "extra": {"nested": True},
        },
    ] + [
        {
            "response_id": f"R{i}",
            "survey_type": "nps",
            "score": 7,
            "responded_at": "2026-03-01",
            "touchpoint": "website",
        }
        for i in range(3, 30)
    ]
    table = pa.table({"RATE_DATE": ["2026-03-01"], "currency": ["pln"], "rate_to_reporting": [0.2331]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    write_landing(
        landing,
        {
            "support/surveys/s.jsonl": "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n[1]\n",
            "sales/fx_rates/rates.parquet": buf.getvalue(),
        },
    )
    _, raw, quarantine, batches = load(settings, "support/surveys")
    assert (raw[0]["response_id"], raw[0]["score"], raw[0]["comment"]) == ("R1", 9, "Świetnie 👍")
    assert [(q[1], q[2]) for q in quarantine] == [(30, "not_an_object")]
    assert batches[0][6] == ["extra"]
    _, raw, _, _ = load(settings, "sales/fx_rates")
    assert [(str(r["rate_date"]), r["currency"], r["rate_to_reporting"]) for r in raw] == [
        ("2026-03-01", "PLN", 0.2331)
    ]


def test_row_numbers_are_the_files_own_order_in_a_file_read_on_both_cores(settings, landing):
    """Row numbers come from the order DuckDB read the file into a table, not from numbering it on
    one core: in files of several row groups each, every loaded row and every quarantined row still
    carries its own line's number."""
    n = 300_000
    bad = {3: "R3,nps,11,2026-03-01T10:00:00Z,delivery", n // 2 + 1: f"R{n // 2 + 1},nps,7,soon,delivery"}
    csv_rows = [bad.get(i, f"R{i},nps,{i % 11},2026-03-01T10:00:00Z,delivery") for i in range(1, n + 1)]
    jsonl = [
        json.dumps(
            {
                "response_id": f"R{i}",
                "survey_type": "nps",
                "score": i % 11,
                "responded_at": "2026-03-01",
                "touchpoint": "website",
                "comment": "x" * (i % 50),
            }
        )
        for i in range(1, n + 1)
    ]
    jsonl[n - 2] = json.dumps({"response_id": f"R{n - 1}", "survey_type": "nps", "score": 12})
    write_landing(
        landing,
        {
            "support/surveys/a.csv": SURVEYS_HEADER + "\n".join(csv_rows) + "\n",
            "support/surveys/b.jsonl": "\n".join(jsonl) + "\n",
        },
    )
    e = entity("support/surveys")
    with connect(settings) as con:
        load_entity(con, settings, e, "test-run")
        refresh_views(con, settings.raw_dir, [e])
        quarantine = con.execute(
            "select file_name, row_number, raw_record from ops.quarantine order by file_name, row_number"
        ).fetchall()
        loaded, misnumbered = con.execute(
            f"select count(*), count(*) filter (where response_id <> 'R' || _row_number) from raw.{e.raw_table}"
        ).fetchone()
    assert [(q[0], q[1]) for q in quarantine] == [("a.csv", 3), ("a.csv", n // 2 + 1), ("b.jsonl", n - 1)]
    assert [json.loads(q[2])["response_id"] for q in quarantine] == ["R3", f"R{n // 2 + 1}", f"R{n - 1}"]
    assert (loaded, misnumbered) == (2 * n - 3, 0)


def test_a_jsonl_row_is_numbered_by_its_line_and_quarantined_with_it(settings, landing):
    """A row's number is its line, and a quarantined row keeps its line, whatever rows load around it."""
    lines = [
        json.dumps(
            {
                "response_id": f"R{i}",
                "survey_type": "csat",
                "score": 1 + i % 5,
                "responded_at": "2026-03-01",
                "touchpoint": "support",
            }
        )
        for i in range(1, 41)
    ]
    lines[25] = (
        '{"response_id": "R26", "survey_type": "csat", "score": 2.5, "responded_at": "2026-03-01", "touchpoint": "support"}'
    )
    write_landing(landing, {"support/surveys/objects.jsonl": "\n".join(lines) + "\n"})
    _, raw, quarantine, batches = load(settings, "support/surveys")
    assert [(r["response_id"], r["score"], r["_row_number"]) for r in raw][24:27] == [
        ("R25", 1, 25),
        ("R27", 3, 27),
        ("R28", 4, 28),
    ]
    assert [(q[1], q[2], q[3], json.loads(q[5])) for q in quarantine] == [
        (26, "invalid_type", "score", json.loads(lines[25]))
    ]
    assert batches[0][2:5] == (40, 39, 1)


def test_a_quarantined_row_keeps_its_whole_original_record_in_every_format(settings, landing):
    """Every column the file holds, named as its header or key names it, as the file wrote it: the
    record is worked out only for the rows quarantined, from what the reader kept."""
    csv_rows = [f"R{i},nps,7,2026-03-01T10:00:00Z,delivery,x{i}" for i in range(1, 80)]
    csv_rows[4] = 'R5,nps,12,2026-03-01T10:00:00Z," Delivery, late",note 5'
    jsonl = [
        json.dumps(
            {
                "response_id": f"R{i}",
                "survey_type": "nps",
                "score": 7,
                "responded_at": "2026-03-01",
                "touchpoint": "website",
            }
        )
        for i in range(1, 80)
    ]
    jsonl[2] = '{"Response_ID": "R3", "survey_type": "nps", "score": 12, "responded_at": "2026-03-01", "x": [1]}'
    jsonl[6] = '"just a string"'
    rates = pa.table(
        {"RATE_DATE": ["2026-03-01", "2026-03-02"], "currency": ["pln", "eur"], "rate_to_reporting": [0.2331, -1.5]}
    )
    buf = io.BytesIO()
    pq.write_table(rates, buf)
    write_landing(
        landing,
        {
            "support/surveys/a.csv": SURVEYS_HEADER.replace("\n", ",Note\n") + "\n".join(csv_rows) + "\n",
            "support/surveys/b.jsonl": "\n".join(jsonl) + "\n",
            "sales/fx_rates/rates.parquet": buf.getvalue(),
        },
    )
    _, _, quarantine, _ = load(settings, "support/surveys")
    assert [(q[0], q[1], json.loads(q[5])) for q in quarantine] == [
        (
            "a.csv",
            5,
            {
                "response_id": "R5",
                "survey_type": "nps",
                "score": "12",
                "responded_at": "2026-03-01T10:00:00Z",
                "touchpoint": " Delivery, late",
                "Note": "note 5",
            },
        ),
        ("b.jsonl", 3, json.loads(jsonl[2])),
        ("b.jsonl", 7, "just a string"),
    ]
    _, _, quarantine, _ = load(settings, "sales/fx_rates")  # half its rows bad: rejected, its rows kept too
    assert [(q[1], json.loads(q[5])) for q in quarantine if q[1]] == [
        (2, {"RATE_DATE": "2026-03-02", "currency": "eur", "rate_to_reporting": -1.5})
    ]


def test_a_link_out_of_the_landing_zone_is_refused(settings, landing, tmp_path):
    secret = tmp_path / "outside.csv"
    secret.write_text(surveys(3))
    (landing / "support" / "surveys").mkdir(parents=True)
    (landing / "support" / "surveys" / "link.csv").symlink_to(secret)
    _, raw, quarantine, batches = load(settings, "support/surveys")
    assert raw == [] and batches[0][1] == "rejected"
    assert "refused, it links outside the landing zone" in batches[0][5]
    assert quarantine[0][2] == "outside_landing_zone"
    _, _, _, again = load(settings, "support/surveys")
    assert len(again) == 1  # refused once, not again on every run


def test_injection_strings_are_just_data(settings, landing):
    name = "Robert'); DROP TABLE customers;--"
    write_landing(
        landing,
        {
            "crm/customers/x'); drop table ops.load_batches;--.csv": CUSTOMERS_HEADER
            + f'C1,,,"{name}",x,PL,smb,,2026-01-01,2026-01-01\n',
        },
    )
    _, raw, _, batches = load(settings, "crm/customers")
    assert raw[0]["first_name"] == name
    assert batches[0][:2] == ("x'); drop table ops.load_batches;--.csv", "loaded")


def test_a_ten_megabyte_field_is_loaded(settings, landing):
    big = "x" * (10 * 1024 * 1024)
    write_landing(
        landing,
        {"support/feedback/f.csv": f"feedback_id,created_at,source,kind,text\nF1,2026-03-01,email,complaint,{big}\n"},
    )
    _, raw, _, batches = load(settings, "support/feedback")
    assert batches[0][1] == "loaded" and len(raw[0]["text"]) == len(big)


def test_implausible_timestamps_and_numbers_are_quarantined_with_their_own_reasons(settings, landing):
    """quality.md: after the delivery beyond a tolerance, before the floor, or not finite: row errors,
    so they count in no figure and never move the as-of date."""
    header = "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,delivered_at,updated_at\n"
    rows = [f"O{i},N{i},2026-03-01T10:00:00Z,web,placed,PLN,10.50,,,2026-03-01T10:00:00Z" for i in range(1, 101)]
    rows[9] = "O10,N10,9999-01-01T10:00:00Z,web,placed,PLN,5,,,9999-01-01T10:00:00Z"  # year 9999
    rows[19] = "O20,N20,1900-01-01T10:00:00Z,web,placed,PLN,5,,,1900-01-01T10:00:00Z"  # before 1970
    rows[29] = "O30,N30,2026-03-01T10:00:00Z,web,placed,PLN,1e999,,,2026-03-01T10:00:00Z"  # +inf
    write_landing(landing, {"sales/orders/orders.csv": header + "\n".join(rows) + "\n"})
    _, raw, quarantine, batches = load(settings, "sales/orders")
    assert batches[0][:5] == ("orders.csv", "loaded", 100, 97, 3)
    assert [(q[1], q[2], q[3]) for q in quarantine] == [
        (10, "future_timestamp", "ordered_at"),
        (20, "before_floor", "ordered_at"),
        (30, "not_finite", "order_total"),
    ]
    messages = {q[1]: q[4] for q in quarantine}
    assert messages[10].startswith(
        "orders.csv row 10: column ordered_at: '9999-01-01T10:00:00Z' is in the future of the delivery ("
    )
    assert messages[10].endswith(
        "UTC) by more than the 24 hours tolerated; column updated_at: '9999-01-01T10:00:00Z' is in the future of the delivery ("
        + messages[10].split("delivery (")[2]
    )
    assert messages[20] == (
        "orders.csv row 20: column ordered_at: '1900-01-01T10:00:00Z' is before 1970-01-01, the earliest date taken; "
        "column updated_at: '1900-01-01T10:00:00Z' is before 1970-01-01, the earliest date taken"
    )
    assert messages[30] == "orders.csv row 30: column order_total: '1e999' is not a finite number"
    assert max(r["ordered_at"] for r in raw).year == 2026 and all(r["order_total"] < 1e9 for r in raw)


def test_the_plausible_range_is_a_setting(settings, landing):
    header = "response_id,survey_type,score,responded_at,touchpoint\n"
    write_landing(landing, {"support/surveys/s.csv": header + "R1,nps,9,1965-06-01T10:00:00Z,delivery\n"})
    _, raw, quarantine, _ = load(settings.with_(timestamp_floor=dt.date(1950, 1, 1)), "support/surveys")
    assert quarantine == [] and len(raw) == 1


def test_a_rejection_stands_until_a_later_batch_of_its_entity_loads_or_someone_accepts_it(settings, landing):
    """ingest/rejections.py: what the no_rejected_batch gate counts, run after run."""

    def standing() -> list[str]:
        with connect(settings) as con:
            return [r.path for r in rejections(con) if r.outstanding]

    broken = "response_id\nR9\n"  # no survey_type, score...: rejected
    write_landing(landing, {"support/surveys/1_broken.csv": broken, "crm/customers/1_broken.csv": "customer_id\nC1\n"})
    load(settings, "support/surveys")
    load(settings, "crm/customers")
    assert standing() == ["support/surveys/1_broken.csv", "crm/customers/1_broken.csv"]
    load(settings, "support/surveys")  # a rerun: the rejected bytes are a known file now, still standing
    # the same bytes again, and another broken file: neither corrects anything
    write_landing(landing, {"support/surveys/2_again.csv": broken, "support/surveys/3_broken.csv": "x\n1\n"})
    load(settings, "support/surveys")
    assert standing() == ["support/surveys/1_broken.csv", "crm/customers/1_broken.csv", "support/surveys/3_broken.csv"]
    # a later batch of the entity that loads (with a quarantined row) corrects both of its rejections;
    # the CRM's stays
    write_landing(landing, {"support/surveys/4_fixed.csv": surveys(30, {30: "R30,nps,12,2026-03-01,delivery"})})
    load(settings, "support/surveys")
    assert standing() == ["crm/customers/1_broken.csv"]
    with connect(settings) as con:
        surveys_ = {r.file_name: r.resolution() for r in rejections(con, "support", "surveys")}
        assert surveys_ == dict.fromkeys(["1_broken.csv", "3_broken.csv"], "corrected by support/surveys/4_fixed.csv")
        with pytest.raises(ValueError, match="--reason"):
            accept(con, "crm/customers/1_broken.csv", " ", "ana")
        with pytest.raises(NoSuchRejection, match="no rejected batch; outstanding: crm/customers/1_broken.csv"):
            accept(con, "crm/customers/2.csv", "why", "ana")
        noon = dt.datetime(2026, 12, 2, 12, 0)
        [accepted] = accept(con, "/landing/crm/customers/1_broken.csv", "old export, replaced by hand", "ana", noon)
        assert accepted.resolution() == "accepted by ana at 2026-12-02 12:00 UTC: old export, replaced by hand"
        assert con.execute("select * exclude (batch_seq) from ops.rejection_acceptances").fetchall() == [
            ("crm", "customers", "1_broken.csv", "ana", noon, "old export, replaced by hand")
        ]
        with pytest.raises(NoSuchRejection, match="accepted by ana at 2026-12-02 12:00 UTC"):
            accept(con, accepted.batch_id, "again", "bob")
    assert standing() == []
