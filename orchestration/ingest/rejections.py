"""Rejected batches that still stand, and the people who accepted one (quality.md: a rejected batch of
a required entity blocks publishing).

A rejection stands, run after run, until one of two things happens:
- **a corrected delivery**: a later batch of the same source and entity loads (status `loaded`, rows
  quarantined or not; "later" is the load order, batch_seq: a later run, or a file later in name order
  in the same run). Extracts carry no link from a file to the one it replaces, so any later batch of
  the entity that loads is taken as the correction; a duplicate or another rejected file is not one;
- **an acceptance**: someone runs `cx360 accept-rejected FILE --reason TEXT`, recorded in
  ops.rejection_acceptances with who, when and why, and shown by `cx360 status`.

Without this, the rejected bytes would be a known file at the next run (loaded once, like every
file) and the next run would publish as if nothing had been rejected.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass

import duckdb

from orchestration.warehouse import table_exists

ACCEPT_COMMAND = "cx360 accept-rejected"

_REJECTIONS = """
select
    rejected.batch_seq,
    rejected.batch_id,
    rejected.source,
    rejected.entity,
    rejected.file_name,
    rejected.reason,
    rejected.loaded_at,
    (
        select later.file_name from ops.load_batches as later
        where
            later.source = rejected.source
            and later.entity = rejected.entity
            and later.status = 'loaded'
            and later.batch_seq > rejected.batch_seq
        order by later.batch_seq
        limit 1
    ) as corrected_by,
    accepted.accepted_by,
    accepted.accepted_at,
    accepted.reason as accepted_reason
from ops.load_batches as rejected
left join {acceptances} as accepted
    on rejected.batch_seq = accepted.batch_seq
-- one entity, or every one when both parameters are null
where rejected.status = 'rejected' and coalesce(rejected.source = ? and rejected.entity = ?, true)
order by rejected.batch_seq
"""
_NO_ACCEPTANCES = """(
    select
        null::bigint as batch_seq, null::varchar as accepted_by, null::timestamp as accepted_at,
        null::varchar as reason
    where false
)"""


@dataclass(frozen=True)
class Rejection:
    batch_seq: int
    batch_id: str | None  # null for a file refused before it was read (a link outside the landing zone)
    source: str
    entity: str
    file_name: str
    reason: str | None
    rejected_at: dt.datetime
    corrected_by: str | None = None  # the file name of the later batch of the entity that loaded
    accepted_by: str | None = None
    accepted_at: dt.datetime | None = None
    accepted_reason: str | None = None

    @property
    def path(self) -> str:
        """source/entity/file name, as the landing zone has it and `cx360 status` lists it."""
        return f"{self.source}/{self.entity}/{self.file_name}"

    @property
    def detail(self) -> str:
        """Why it was rejected, without the file name the loader's reason starts with."""
        return (self.reason or "rejected").removeprefix(f"{self.file_name}: ")

    @property
    def outstanding(self) -> bool:
        return self.corrected_by is None and self.accepted_by is None

    def what_to_do(self, blocks: bool = True) -> str:
        """The outstanding rejection in words, with the two ways out."""
        effect = "blocks publishing" if blocks else "is a warning on every run"
        return (
            f"{self.path}: {self.detail} (rejected {self.rejected_at:%Y-%m-%d %H:%M} UTC). It {effect} until a "
            f"corrected delivery of {self.source}/{self.entity} loads (a later file of it that is not "
            f"rejected), or someone accepts it: {ACCEPT_COMMAND} {shlex.quote(self.path)} --reason TEXT"
        )

    def resolution(self) -> str:
        """How a rejection that no longer stands was resolved."""
        if self.accepted_by is not None:
            return f"accepted by {self.accepted_by} at {self.accepted_at:%Y-%m-%d %H:%M} UTC: {self.accepted_reason}"
        if self.corrected_by is not None:
            return f"corrected by {self.source}/{self.entity}/{self.corrected_by}"
        return "outstanding"


class NoSuchRejection(LookupError):
    """Nothing outstanding matches what was named."""


def rejections(con: duckdb.DuckDBPyConnection, source: str | None = None, entity: str | None = None) -> list[Rejection]:
    """Every rejected batch (of one entity when named), in load order, with how it was resolved."""
    # a warehouse of an older cx360, read by `cx360 status` (read-only): no acceptance yet
    acceptances = "ops.rejection_acceptances" if table_exists(con, "ops", "rejection_acceptances") else _NO_ACCEPTANCES
    rows = con.execute(_REJECTIONS.format(acceptances=acceptances), [source, entity]).fetchall()
    return [Rejection(*row) for row in rows]


def _names(rejection: Rejection, target: str) -> bool:
    """Does `target` name this rejection: its batch id, source/entity/file (or a path ending so), its
    file name, or its byte-for-byte copy under <warehouse>/rejected/ (`<batch id>__<name>`)?"""
    target = target.strip().replace("\\", "/")
    copy_name = target.rsplit("/", 1)[-1]
    return bool(
        target in (rejection.batch_id, rejection.path, rejection.file_name)
        or target.endswith("/" + rejection.path)
        or (rejection.batch_id and copy_name.startswith(f"{rejection.batch_id}__"))
    )


def accept(
    con: duckdb.DuckDBPyConnection, target: str, reason: str, by: str, now: dt.datetime | None = None
) -> list[Rejection]:
    """Accept the outstanding rejections `target` names (every rejection of that file, or the one batch),
    recording who, when and why; returns them. Raises NoSuchRejection, naming what is outstanding."""
    if not reason.strip():
        raise ValueError("say why the rejected batch may be published without: --reason TEXT")
    every = rejections(con)
    chosen = [r for r in every if r.outstanding and _names(r, target)]
    if not chosen:
        resolved = [r for r in every if _names(r, target)]
        outstanding = [r.path for r in every if r.outstanding]
        raise NoSuchRejection(
            f"{target}: "
            + (f"{resolved[-1].resolution()}, nothing to accept" if resolved else "no rejected batch")
            + (f"; outstanding: {', '.join(outstanding)}" if outstanding else "; none is outstanding")
        )
    files = {r.path for r in chosen}
    if len(files) > 1:
        raise NoSuchRejection(f"{target} names several files: {', '.join(sorted(files))}; name one by its path")
    when = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for r in chosen:
        con.execute(
            "insert into ops.rejection_acceptances values (?, ?, ?, ?, ?, ?, ?)",
            [r.batch_seq, r.source, r.entity, r.file_name, by, when, reason.strip()],
        )
    accepted = {r.batch_seq for r in chosen}
    return [r for r in rejections(con) if r.batch_seq in accepted]
