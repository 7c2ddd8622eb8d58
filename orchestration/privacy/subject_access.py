"""`cx360 subject-access`: everything cx360 holds about one person (GDPR art. 15), as JSON and as a
Markdown page a person can read.

The report lists every delivered record of the person (raw zone, quarantine, rejected copies) with
the file and row it came in, how identity resolution tied each to them (match rule), their journey
in order, the figures about them (value tier, churn, health score, follow-up signals) and every
place a value of theirs is stored, found by scanning the warehouse.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path

from orchestration.privacy import erasure, traces
from orchestration.privacy import identifiers as ids
from orchestration.privacy import subject as subj
from orchestration.settings import Settings
from orchestration.sql import ident
from orchestration.warehouse import in_memory, model_schema

_PROFILE_COLUMNS = (
    "customer_key",
    "crm_customer_id",
    "is_prospect",
    "segment",
    "country",
    "value_tier",
    "is_churned",
    "health_score",
    "current_stage",
    "valid_orders",
    "revenue",
    "tickets",
    "open_tickets",
    "complaints",
    "last_nps_score",
    "avg_csat",
    "first_seen_at",
    "last_order_at",
)
_JOURNEY_COLUMNS = (
    "occurred_at",
    "department",
    "touchpoint",
    "channel",
    "journey_stage",
    "source_system",
    "source_entity",
    "source_id",
    "match_rule",
    "revenue",
    "experience_score",
    "is_friction",
)
_SIGNAL_COLUMNS = ("signal", "source_id", "signal_at", "signal_score", "signal_about", "latest_touchpoint")


def report(settings: Settings, kind: str, value: str, region: str | None = None) -> dict:
    con = subj.open_reader(settings)
    try:
        held = subj.find_held(con, settings, kind, value, region)
        subject, delivered, quarantined = held.subject, held.delivered, held.quarantined
        keys = subject.customer_keys
        marts = model_schema(con, "dim_customer", "wh")
        identity = model_schema(con, "int_identity__assignments", "wh")
        rules = _rules(con, identity, delivered)
        profile = _rows(con, f"select {', '.join(_PROFILE_COLUMNS)} from wh.{ident(marts)}.dim_customer", keys)
        journey = _rows(
            con,
            f"select {', '.join(_JOURNEY_COLUMNS)} from wh.{ident(marts)}.fct_customer_journey",
            keys,
            "order by occurred_at, event_seq",
        )
        signals = _rows(con, f"select {', '.join(_SIGNAL_COLUMNS)} from wh.{ident(marts)}.mart_follow_up_queue", keys)
    finally:
        con.close()
    rejected = [
        {"file": str(path.relative_to(settings.warehouse_dir)), "data_row": n, "values": values}
        for path, n, values in held.rejected
    ]
    records = [
        {
            "source": r.entity,
            "delivered_file": r.file_name,
            "row": r.row_number,
            "stored_in": str(r.raw_file.relative_to(settings.warehouse_dir)),
            "match_rule": _rule(rules, r),
            "values": r.values,
        }
        for r in delivered
    ]
    terms = erasure.personal_terms(subject, held.all_values())
    places = _places(settings, terms)
    return _plain(
        {
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "warehouse": str(settings.warehouse_dir),
            "asked_by": {kind: value},
            "customers": keys,
            "identifiers": {k: sorted(v) for k, v in subject.closure.items() if v and k in ids.PERSONAL_KINDS},
            "records": records,
            "quarantined": [
                {
                    "source": q.entity,
                    "delivered_file": q.file_name,
                    "row": q.row_number,
                    "reason": q.reason_code,
                    "message": q.message,
                    "stored_in": "cx.duckdb ops.quarantine",
                    "values": q.values,
                }
                for q in quarantined
            ],
            "rejected": rejected,
            "profile": profile,
            "follow_up_signals": signals,
            "journey": journey,
            "stored_in": places,
        }
    )


def _rows(con, select: str, keys: list[str], order: str = "") -> list[dict]:
    cur = con.execute(f"{select} where customer_key in (select unnest(?::varchar[])) {order}", [keys])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


_KEY_COLUMNS = {
    "crm/customers": "customer_id",
    "crm/activities": "activity_id",
    "marketing/events": "event_id",
    "sales/customers": "customer_number",
    "sales/orders": "order_id",
    "support/tickets": "ticket_id",
    "support/surveys": "response_id",
    "support/feedback": "feedback_id",
}


def _rules(con, identity: str, delivered: list[subj.DeliveredRow]) -> dict:
    """How identity resolution tied each delivered record (match_rule), by source and id."""
    wanted = [
        [*r.entity.split("/"), str(r.values[_KEY_COLUMNS[r.entity]])] for r in delivered if r.entity in _KEY_COLUMNS
    ]
    con.execute("create or replace temp table delivered_ids (s varchar, e varchar, i varchar)")
    if wanted:
        con.executemany("insert into delivered_ids values (?, ?, ?)", wanted)
    rows = con.execute(
        "select source_system, source_entity, source_id, match_rule "
        f"from wh.{ident(identity)}.int_identity__assignments "
        "join delivered_ids on source_system = s and source_entity = e and source_id = i"
    ).fetchall()
    return {(s, e, i): rule for s, e, i, rule in rows}


def _rule(rules: dict, row: subj.DeliveredRow) -> str:
    if row.entity not in _KEY_COLUMNS:
        return "belongs to one of their orders"
    source, entity = row.entity.split("/")
    key = str(row.values.get(_KEY_COLUMNS[row.entity]))
    return rules.get((source, entity, key), "not in the current build (an earlier version)")


def _places(settings: Settings, terms: set[str]) -> list[dict]:
    """Every file holding one of the person's values, and where inside it."""
    out: dict[str, list[str]] = {}
    with in_memory(settings) as con:
        for t in traces.find(settings.warehouse_dir, terms, con):
            out.setdefault(str(t.path.relative_to(settings.warehouse_dir)), []).append(f"{t.where}: {t.count}")
    return [{"path": p, "found": found} for p, found in sorted(out.items())]


def _plain(value):
    """JSON-ready: dates as ISO text, decimals as numbers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def write(report_: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    as_json = out_dir / "subject-access.json"
    as_json.write_text(json.dumps(report_, indent=1, ensure_ascii=False), encoding="utf-8")
    as_md = out_dir / "subject-access.md"
    as_md.write_text(markdown(report_), encoding="utf-8")
    return as_json, as_md


def _table(rows: list[dict], columns: list[str] | None = None) -> str:
    if not rows:
        return "_none_\n"
    columns = columns or list(rows[0])
    esc = lambda v: "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(esc(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def markdown(r: dict) -> str:
    asked = ", ".join(f"{k} {v}" for k, v in r["asked_by"].items())
    parts = [
        "# What cx360 holds about you\n",
        f"Asked by {asked}; generated {r['generated_at']} from the warehouse `{r['warehouse']}`.\n",
        "## Your identifiers\n",
        _table([{"kind": k, "value": ", ".join(v)} for k, v in r["identifiers"].items()]),
        "## Figures about you\n",
        _table(r["profile"]),
        "## Follow-up signals (reasons our team may contact you)\n",
        _table(r["follow_up_signals"]),
        f"## Your journey ({len(r['journey'])} touchpoints, in order)\n",
        _table(r["journey"]),
        f"## Every record we received ({len(r['records'])})\n",
        _table(
            [
                {
                    "source": x["source"],
                    "file, row": f"{x['delivered_file']}, {x['row']}",
                    "tied to you by": x["match_rule"],
                    "stored in": x["stored_in"],
                    "values": json.dumps(x["values"], ensure_ascii=False, default=str),
                }
                for x in r["records"]
            ]
        ),
        "## Records we set aside (quarantine and rejected files)\n",
        _table(
            [
                {"source": q["source"], "file, row": f"{q['delivered_file']}, {q['row']}", "why": q["reason"]}
                | {"values": json.dumps(q["values"], ensure_ascii=False)}
                for q in r["quarantined"]
            ]
            + [
                {"source": x["file"], "file, row": f"row {x['data_row']}", "why": "rejected file"}
                | {"values": json.dumps(x["values"], ensure_ascii=False, default=str)}
                for x in r["rejected"]
            ]
        ),
        "## Where your data is stored\n",
        _table([{"file": p["path"], "found": "; ".join(p["found"])} for p in r["stored_in"]]),
    ]
    return "\n".join(parts)
