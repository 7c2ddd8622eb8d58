"""Great Expectations suites of the raw zone, built from the extract contract.

`python -m orchestration.quality.suites` rewrites `expectations/raw/<source>__<entity>.json`, one
suite per entity, pretty-printed with sorted keys so a change reviews as a small diff. The files are
generated, never edited by hand: a contract change is made in contracts.py, a threshold here, and a
test fails while the files on disk differ from a fresh generation.

What a suite expects of a batch (the rows one delivered file added to the raw zone):
- the contract's columns exist (extra ones, such as the lineage columns, are fine);
- required columns are not null, enum columns hold only their listed values, numbers lie in their
  range, an end is not before its start, the key is unique;
- survey scores lie in 0-10 overall and in their survey type's range (one conditional expectation per
  type, `row_condition` on survey_type);
- hand-tuned shares (`NOT_NULL_SHARES`, `CODE_PATTERNS`) that reveal a broken export rather than a few
  bad rows: mostly-empty emails, delivered orders without a delivery time, country names instead of
  codes. Each says why in its `meta`, and none is judged on fewer than `MIN_ROWS_FOR_SHARES` rows.

Ingestion already quarantines rows that break the contract, so on the raw zone the contract
expectations are a second line of defence (they catch a loader regression); the shares are the part
only a batch-level view can see.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column as Row

from orchestration.contracts import ENTITIES, Entity
from orchestration.quality import raw_suite_name, raw_suite_path
from orchestration.settings import EXPECTATIONS_DIR

GENERATOR = "python -m orchestration.quality.suites"

# A share says little about a handful of rows: a 3-row delta export with two customers who gave no
# email is normal. Expectations with `mostly` below 1 are not judged on fewer rows than this (the
# runner reads `min_rows` from the expectation's meta).
MIN_ROWS_FOR_SHARES = 20


@dataclass(frozen=True)
class NotNullShare:
    """At least `mostly` of the rows (those where `where` holds, if given) have `column` filled in."""

    column: str
    mostly: float
    why: str
    where: tuple[str, tuple[str, ...]] | None = None  # (enum column, values it must hold)


# Hand-tuned: the share of rows an honest export fills in, well below what real extracts show, so
# only an export that lost or mis-mapped a column falls under it.
NOT_NULL_SHARES: dict[str, tuple[NotNullShare, ...]] = {
    "crm/customers": (
        NotNullShare(
            "email",
            0.5,
            "Customers are matched across systems on email first. Most CRM records carry one; an "
            "export where over half are empty has lost or mis-mapped the column.",
        ),
    ),
    "sales/customers": (
        NotNullShare(
            "email",
            0.5,
            "Shop customers without a crm_customer_id are matched to the CRM on email; an export where "
            "over half are empty would silently split customers in two.",
        ),
    ),
    "sales/orders": (
        NotNullShare(
            "delivered_at",
            0.9,
            "Delivery-time figures need delivered_at on delivered orders. Some channels (store, partner) "
            "may not report it, hence 90%; far fewer means the export dropped the column.",
            where=("status", ("delivered",)),
        ),
    ),
    "support/tickets": (
        NotNullShare(
            "solved_at",
            0.9,
            "Resolution-time figures need solved_at on solved and closed tickets; a desk that closes "
            "tickets in bulk may leave a few without it, an export that lost the column leaves most.",
            where=("status", ("solved", "closed")),
        ),
    ),
    "support/feedback": (
        NotNullShare(
            "text",
            0.5,
            "Voice-of-the-customer analysis reads the text; star ratings without words exist, but an "
            "export where most feedback has no text has lost the column.",
        ),
    ),
}

# Codes stored upper-case (Column.upper): the shape they must have. Ingestion only trims and
# upper-cases them, so an export that switched to names ('Poland', 'zł') is seen here; 5% leeway so a
# few typos (shown downstream as an unknown country or a missing fx rate) do not block publishing.
CODE_PATTERNS: dict[str, tuple[str, float, str]] = {
    "country": (r"^[A-Z]{2}$", 0.95, "ISO-3166 alpha-2 code"),
    "currency": (r"^[A-Z]{3}$", 0.95, "ISO-4217 code"),
}

# contracts.Entity.score_ranges rates this column by the survey type in that one
SCORE_COLUMN, SCORE_TYPE_COLUMN = "score", "survey_type"


def _share_meta(why: str) -> dict:
    return {"why": why, "min_rows": MIN_ROWS_FOR_SHARES}


def _column_expectations(entity: Entity) -> list:
    out: list = []
    shares = {s.column: s for s in NOT_NULL_SHARES.get(entity.qualified, ())}
    for c in entity.columns:
        if c.required:
            out.append(
                gx.expectations.ExpectColumnValuesToNotBeNull(
                    column=c.name,
                    meta={"why": f"contract: {c.name} is required"},
                )
            )
        if c.enum:
            out.append(
                gx.expectations.ExpectColumnValuesToBeInSet(
                    column=c.name,
                    value_set=list(c.enum),
                    meta={"why": f"contract: {c.name} is an enumeration"},
                )
            )
        if c.minimum is not None or c.maximum is not None:
            out.append(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=c.name,
                    min_value=c.minimum,
                    max_value=c.maximum,
                    strict_min=not c.minimum_inclusive,
                    meta={"why": f"contract: range of {c.name}"},
                )
            )
        if c.upper:
            if c.name not in CODE_PATTERNS:
                raise ValueError(f"{entity.qualified}.{c.name} is an upper-case code: add its CODE_PATTERNS entry")
            regex, mostly, what = CODE_PATTERNS[c.name]
            out.append(
                gx.expectations.ExpectColumnValuesToMatchRegex(
                    column=c.name,
                    regex=regex,
                    mostly=mostly,
                    meta=_share_meta(f"{c.name} holds an {what}; most rows failing means the export sends names"),
                )
            )
        if c.not_before:
            out.append(
                gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=c.name,
                    column_B=c.not_before,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    meta={"why": f"contract: {c.name} is not before {c.not_before}"},
                )
            )
        if c.name in shares:
            share = shares.pop(c.name)
            condition = None
            if share.where:
                column, values = share.where
                condition = Row(column).is_in(values)
            out.append(
                gx.expectations.ExpectColumnValuesToNotBeNull(
                    column=c.name,
                    mostly=share.mostly,
                    row_condition=condition,
                    meta=_share_meta(share.why),
                )
            )
    if shares:
        raise ValueError(f"NOT_NULL_SHARES names columns {sorted(shares)} that {entity.qualified} does not have")
    return out


def _score_expectations(entity: Entity) -> list:
    if not entity.score_ranges:
        return []
    lows, highs = zip(*entity.score_ranges.values(), strict=True)
    out: list = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column=SCORE_COLUMN,
            min_value=min(lows),
            max_value=max(highs),
            meta={"why": "contract: any score lies in the widest survey range"},
        )
    ]
    for survey_type, (low, high) in sorted(entity.score_ranges.items()):
        out.append(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=SCORE_COLUMN,
                min_value=low,
                max_value=high,
                row_condition=Row(SCORE_TYPE_COLUMN) == survey_type,
                meta={"why": f"contract: a {survey_type} score lies in {low}-{high}"},
            )
        )
    return out


def _key_expectation(entity: Entity):
    why = {"why": f"contract: {' + '.join(entity.key)} is unique within a batch"}
    if len(entity.key) == 1:
        return gx.expectations.ExpectColumnValuesToBeUnique(column=entity.key[0], meta=why)
    return gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=list(entity.key), meta=why)


def build_suite(entity: Entity) -> gx.ExpectationSuite:
    """The suite of one raw entity, derived from its contract and the thresholds above."""
    expectations = [
        gx.expectations.ExpectTableColumnsToMatchSet(
            column_set=[c.name for c in entity.columns],
            exact_match=False,
            meta={"why": "contract: every column exists; extra ones (lineage, schema drift) are allowed"},
        ),
        *_column_expectations(entity),
        _key_expectation(entity),
        *_score_expectations(entity),
    ]
    return gx.ExpectationSuite(
        name=raw_suite_name(entity),
        expectations=expectations,
        meta={
            "great_expectations_version": gx.__version__,
            "cx360": {
                "entity": entity.qualified,
                "key": list(entity.key),
                "generated_by": GENERATOR,
                "min_rows_for_shares": MIN_ROWS_FOR_SHARES,
            },
        },
        notes=(
            f"Generated from orchestration/contracts.py by `{GENERATOR}`: do not edit by hand. "
            "Expectations with `mostly` below 1 are hand-tuned in orchestration/quality/suites.py, say why "
            f"in their meta and are not judged on batches of fewer than {MIN_ROWS_FOR_SHARES} rows."
        ),
    )


def render(suite: gx.ExpectationSuite) -> str:
    """The suite as its file holds it: GX's JSON form, sorted keys, two-space indent."""
    return json.dumps(suite.to_json_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate(root: Path = EXPECTATIONS_DIR) -> dict[Path, str]:
    """Every raw suite file and its content, without writing anything."""
    return {raw_suite_path(e, root): render(build_suite(e)) for e in ENTITIES}


def sync_suite_files(folder: Path, files: dict[Path, str]) -> list[Path]:
    """Write generated suites into folder and remove the suite files there that nothing generates any more."""
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for stale in folder.glob("*.json"):
        if stale not in files:
            stale.unlink()
    return sorted(files)


def write_all(root: Path = EXPECTATIONS_DIR) -> list[Path]:
    """Rewrite the raw suites under root and remove suite files no entity owns any more."""
    return sync_suite_files(root / "raw", generate(root))


def main() -> None:
    for path in write_all():
        print(path.relative_to(EXPECTATIONS_DIR.parent), file=sys.stderr)


if __name__ == "__main__":
    main()
