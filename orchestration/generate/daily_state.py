"""What the source systems already hold, read from the landing zone with DuckDB: the state a day starts from.

The state of day D is every base file plus every daily file of a day before D (daily_files.py), so a day's
deliveries do not depend on whether later days were already delivered. Every record is read as text
(`all_varchar`, header names normalised: the header-case drift of the base files does not matter), the
latest version of each key wins (greatest updated_at, then the later file), and a key whose latest version
the contract would reject (the base's deliberate errors) is never picked, so nothing copied can be wrong.

The base files are read once per run (`Base`), into a temporary DuckDB file with a memory limit (a large
landing zone spills to disk instead of filling memory); each day (`State`) lays the daily files of the
days before it over them. Samples are drawn in SQL, ordered by md5(seed:day:purpose:key): the same
landing zone gives the same picks, and only the picked rows reach Python.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.contracts import entity
from orchestration.generate.daily_files import daily_date, delivered_files
from orchestration.sql import literal

ORDER_HORIZON = 45  # days: files of orders older than this are not read (every order is final by then)
ORDER_WINDOW = 14  # days: orders changed since then are the ones a day can move on, return, or ask about
TICKET_WINDOW = 4  # days: closed tickets solved since then can still be rated
MARKETING_HEAD = 32 << 20  # bytes of the last base events file read for marketing-only contacts
_DUCKDB = {"memory_limit": "256MB", "threads": 2, "preserve_insertion_order": False}
# (entity, table, key): the versioned entities a day reads
TABLES = (
    ("crm/customers", "crm", "customer_id"),
    ("sales/customers", "shop", "customer_number"),
    ("sales/orders", "orders", "order_id"),
    ("support/tickets", "tickets", "ticket_id"),
)


def _ts(col: str) -> str:
    """A delivered timestamp (with or without an offset; without one it is UTC by the contract)."""
    return f"try_cast(trim({col}) as timestamptz)"


def _key(col: str) -> str:
    """The identity e-mail key of model.md: lower(trim(email)), empty as null."""
    return f"nullif(lower(trim({col})), '')"


def _valid(qualified: str) -> str:
    """SQL: the row passes the contract's row checks (required, enums, timestamps, order of timestamps)."""
    conds = []
    for c in entity(qualified).columns:
        v = f"nullif(trim({c.name}), '')"
        if c.required:
            conds.append(f"{v} is not null")
        if c.type == "enum":
            conds.append(f"({v} is null or lower({v}) in ({', '.join(literal(x) for x in c.enum)}))")
        if c.type == "timestamp":
            conds.append(f"({v} is null or {_ts(c.name)} is not null)")
        if c.type == "decimal":
            conds.append(f"({v} is null or try_cast({v} as double) >= 0)")
        if c.not_before:
            conds.append(f"({v} is null or {_ts(c.name)} >= {_ts(c.not_before)})")
    return " and ".join(conds)


def _source(files: list[Path]) -> str:
    paths = "[" + ", ".join(literal(str(p)) for p in files) + "]"
    if files[0].suffix == ".parquet":
        return f"read_parquet({paths}, filename = true, union_by_name = true)"
    return (
        f"read_csv({paths}, all_varchar = true, normalize_names = true, union_by_name = true, "
        "header = true, delim = ',', quote = '\"', escape = '\"', filename = true)"
    )


def _read_latest(con, qualified: str, table: str, key: str, files: list[Path], where: str = "true") -> None:
    """The latest version of each key among `files`, with `_ts` (its version time), `_file` and `_ok`."""
    e = entity(qualified)
    cols = [c.name for c in e.columns]
    if not files:
        body = ", ".join(f"null::varchar as {c}" for c in cols)
        con.execute(
            f"create or replace table {table} as select {body}, null::timestamptz as _ts, '' as _file, "
            "false as _ok where false"
        )
        return
    source = _source(files)
    present = {r[0] for r in con.execute(f"describe select * from {source}").fetchall()}
    body = ", ".join((f"cast({c} as varchar) as {c}" if c in present else f"null::varchar as {c}") for c in cols)
    con.execute(
        f"""create or replace table {table} as select *, {_valid(qualified)} as _ok from (
            select {body}, {_ts(e.version_column)} as _ts, parse_filename(filename) as _file
            from {source} where {where}
            qualify row_number() over (partition by {key} order by _ts desc nulls last, _file desc) = 1)"""
    )


class Base:
    """The base files' latest records, read once for every day of a run."""

    def __init__(self, root: Path, first_day: date, workdir: Path):
        self.root = root
        self.con = duckdb.connect(str(workdir / "state.duckdb"), config=_DUCKDB)
        self.con.execute("set TimeZone = 'UTC'")
        for qualified, table, key in TABLES:
            since, where = None, "true"
            if table == "orders":  # only orders recent enough to still change
                since = first_day - timedelta(days=ORDER_HORIZON)
                where = f"left(trim(updated_at), 10) >= {literal(first_day - timedelta(days=ORDER_WINDOW + 1))}"
            files = delivered_files(root, qualified, first_day, since)
            files = [f for f in files if daily_date(f.name) is None]
            _read_latest(self.con, qualified, f"base_{table}", key, files, where)
        self.contacts = self._marketing_contacts(first_day)

    def _marketing_contacts(self, first_day: date) -> dict[str, str]:
        """E-mail key -> e-mail of contacts in the head of the last base events file (form fills, newsletters).

        Newsletters go to every contact, and reading all of a large events file would take long."""
        files = [p for p in delivered_files(self.root, "marketing/events", first_day) if daily_date(p.name) is None]
        if not files:
            return {}
        with files[-1].open("rb") as fh:
            head = fh.read(MARKETING_HEAD)
        found: dict[str, str] = {}
        for line in head[: head.rfind(b"\n") + 1].decode("utf-8").splitlines():
            if '"contact_email"' not in line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            email = e.get("contact_email")
            kind = str(e.get("event_type") or "").strip().lower()
            if isinstance(email, str) and email.strip() and kind in ("form_submit", "email_sent"):
                found.setdefault(email.strip().lower(), email.strip())
        return found

    def close(self) -> None:
        self.con.close()


class State:
    """The landing zone as it stands at the start of `day`, for one day's generation.

    Views (latest valid version per key, every column as delivered text): `crm`, `crm_pick` (CRM
    records safe to change: not one of a pair of likely duplicates), `shop`, `orders`, `recent_orders`
    (changed in the last ORDER_WINDOW days), `tickets`, `open_tickets` (not closed, or solved lately).
    They are the base tables with the daily files' versions laid over them, never copies of them."""

    def __init__(self, base: Base, day: date, seed: int):
        self.base, self.root, self.day, self.salt = base, base.root, day, f"{seed}:{day.isoformat()}"
        con = self.con = base.con
        for qualified, table, key in TABLES:
            cols = ", ".join(c.name for c in entity(qualified).columns)
            files = delivered_files(self.root, qualified, day, base=False)
            _read_latest(con, qualified, f"daily_{table}", key, files)
            # keys the daily files hold: the latest of their base and daily versions
            con.execute(
                f"""create or replace table over_{table} as select * from (
                    select * from base_{table} where {key} in (select {key} from daily_{table})
                    union all select * from daily_{table}
                ) qualify row_number() over (partition by {key} order by _ts desc nulls last, _file desc) = 1"""
            )
            con.execute(
                f"""create or replace view {table} as
                select {cols} from base_{table} where _ok and {key} not in (select {key} from over_{table})
                union all select {cols} from over_{table} where _ok"""
            )
        window = literal(day - timedelta(days=ORDER_WINDOW + 1))
        con.execute(
            f"create or replace view recent_orders as select * from orders where left(trim(updated_at), 10) >= {window}"
        )
        solved_since = literal(day - timedelta(days=TICKET_WINDOW))
        con.execute(  # closed tickets are final: only those solved lately are kept (to be rated)
            f"""create or replace view open_tickets as select * from tickets where lower(trim(status)) <> 'closed'
            or coalesce({_ts("solved_at")} >= {solved_since}::timestamptz, false)"""
        )
        # CRM records not safe to change: one of a pair of likely duplicates (an L twin, a shared e-mail)
        con.execute(
            f"""create or replace table crm_unsafe as
            select customer_id from crm where 'L' || substr(customer_id, 2) in (select customer_id from crm)
            union select customer_id from crm where {_key("email")} in (
                select {_key("email")} from crm where {_key("email")} is not null group by 1 having count(*) > 1)"""
        )
        con.execute(
            """create or replace view crm_pick as select * from crm
            where customer_id like 'C%' and customer_id not in (select customer_id from crm_unsafe)"""
        )
        for table in ("crm", "shop"):
            con.execute(
                f"create or replace view {table}_emails as select {_key('email')} as k from {table} "
                f"where {_key('email')} is not null"
            )

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def _order(self, purpose: str, key: str) -> str:
        return f"md5({literal(self.salt + ':' + purpose + ':')} || {key}), {key}"

    # ---- what a day's generation asks for ---------------------------------------------------------
    def crm_sample(self, purpose: str, n: int, where: str = "true") -> list[dict]:
        """Latest CRM records, `n` of those matching `where`; never one of a pair of likely duplicates."""
        if n <= 0:
            return []
        return self.rows(
            f"select * from crm_pick where {where} order by {self._order(purpose, 'customer_id')} limit {int(n)}"
        )

    def shop_sample(self, purpose: str, n: int, where: str = "true") -> list[dict]:
        if n <= 0:
            return []
        return self.rows(
            f"select * from shop where {where} order by {self._order(purpose, 'customer_number')} limit {int(n)}"
        )

    def prospects(self, purpose: str, n: int) -> list[dict]:
        """Shop customers known only to the shop: no CRM id, an e-mail no CRM record holds, no CRM twin."""
        return self.shop_sample(
            purpose,
            n,
            f"""nullif(trim(crm_customer_id), '') is null and {_key("email")} is not null
            and {_key("email")} not in (select k from crm_emails)
            and 'C' || substr(customer_number, 3) not in (select customer_id from crm)""",
        )

    def shop_with_wrong_crm_id(self, purpose: str, n: int) -> list[dict]:
        """Shop customers whose CRM id is missing or unknown while their CRM record exists."""
        return self.shop_sample(
            purpose,
            n,
            """customer_number like 'SC%' and 'C' || substr(customer_number, 3) in (select customer_id from crm_pick)
            and (nullif(trim(crm_customer_id), '') is null or crm_customer_id not in (select customer_id from crm))""",
        )

    def marketing_only_emails(self, purpose: str, n: int) -> list[str]:
        """E-mails the marketing tool holds that no CRM or shop record holds."""
        found = self.base.contacts
        if not found or n <= 0:
            return []
        keys = sorted(found)
        self.con.register("mk", pa.table({"k": keys, "email": [found[k] for k in keys]}))
        rows = self.con.execute(
            f"""select email from mk where k not in (select k from crm_emails) and k not in (select k from shop_emails)
            order by {self._order(purpose, "k")} limit {int(n)}"""
        ).fetchall()
        self.con.unregister("mk")
        return [r[0] for r in rows]

    def open_orders(self) -> list[dict]:
        """Orders not final yet: placed or shipped."""
        return self.rows(
            "select * from recent_orders where lower(trim(status)) in ('placed', 'shipped') order by order_id"
        )

    def recent_orders(self, purpose: str, n: int, days: int, where: str = "true") -> list[dict]:
        """Orders changed in the last `days` days, with their shop customer's contact details."""
        if n <= 0:
            return []
        since = literal(self.day - timedelta(days=days))
        return self.rows(
            f"""select o.*, s.email as shop_email, s.phone as shop_phone, s.country as shop_country,
                case when s.crm_customer_id in (select customer_id from crm) then s.crm_customer_id end as shop_crm_id
            from recent_orders o join shop s using (customer_number)
            where {_ts("o.updated_at")} >= {since}::timestamptz and ({where})
            order by {self._order(purpose, "o.order_id")} limit {int(n)}"""
        )

    def open_tickets(self) -> list[dict]:
        return self.rows("select * from open_tickets where lower(trim(status)) <> 'closed' order by ticket_id")

    def unlinked_tickets(self, purpose: str, n: int) -> list[dict]:
        """Closed base tickets without a CRM id whose requester is a CRM customer (ticket ids name the
        person: T0000123-1 is person 123's), those with no e-mail or phone to match on first."""
        if n <= 0:
            return []
        return self.rows(
            f"""select * from tickets where lower(trim(status)) = 'closed' and nullif(trim(crm_customer_id), '') is null
            and regexp_full_match(ticket_id, 'T[0-9]{{7}}-[0-9]+')
            and 'C' || substr(ticket_id, 2, 7) in (select customer_id from crm_pick)
            order by (nullif(trim(requester_email), '') is null and nullif(trim(requester_phone), '') is null) desc,
                {self._order(purpose, "ticket_id")} limit {int(n)}"""
        )

    def solved_tickets(self, purpose: str, n: int, days: int) -> list[dict]:
        """Tickets solved in the last `days` days (for the surveys that rate them)."""
        if n <= 0:
            return []
        since = literal(self.day - timedelta(days=days))
        return self.rows(
            f"""select * from open_tickets where lower(trim(status)) in ('solved', 'closed')
            and {_ts("solved_at")} >= {since}::timestamptz
            order by {self._order(purpose, "ticket_id")} limit {int(n)}"""
        )

    def campaign_ids(self) -> set[str]:
        files = delivered_files(self.root, "marketing/campaigns", self.day)
        if not files:
            return set()
        return {r[0] for r in self.con.execute(f"select distinct campaign_id from {_source(files)}").fetchall()}

    def last_fx(self) -> dict[str, float]:
        files = delivered_files(self.root, "sales/fx_rates", self.day)
        if not files:
            return {}
        rows = self.con.execute(
            f"""select upper(trim(cast(currency as varchar))),
                arg_max(try_cast(rate_to_reporting as double), try_cast(rate_date as date))
            from {_source(files)} group by 1 order by 1"""
        ).fetchall()
        return {cur: rate for cur, rate in rows if rate}
