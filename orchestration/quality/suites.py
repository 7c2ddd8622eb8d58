"""Great Expectations suites of the raw zone, built from the extract contract.

`python -m orchestration.quality.suites` rewrites `expectations/raw/<source>__<entity>.json`, one
suite per entity, pretty-printed with sorted keys so a change reviews as a small diff. The files are
generated, never edited by hand: a contract change is made in contracts.py, and a test fails while the
files on disk differ from a fresh generation.

What a suite expects of a batch (the rows one delivered file added to the raw zone):
- the contract's columns exist (extra ones, such as the lineage columns, are fine);
- required columns are not null, enum columns hold only their listed values, numbers lie in their
  range, an end is not before its start, the key is unique;
- survey scores lie in 0-10 overall and in their survey type's range (one conditional expectation per
  type, `row_condition` on survey_type).

Nothing else: a gate blocks what the contract forbids, never a source's nature (quality.md). A fixed
share (at least half the customers with an e-mail, a delivery time on 90% of delivered orders) would
block forever a company whose CRM holds no e-mails, so how full a column is, and how many of its codes
are well-formed, is judged against the entity's own earlier batches instead (drift.py): a sharp drop
blocks, a column never filled is reported.

Ingestion already quarantines rows that break the contract, so on the raw zone these expectations are
a second line of defence: they catch a loader regression.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column as Row

from orchestration.contracts import ENTITIES, Entity
from orchestration.quality import raw_suite_name, raw_suite_path
from orchestration.settings import EXPECTATIONS_DIR

GENERATOR = "python -m orchestration.quality.suites"

# contracts.Entity.score_ranges rates this column by the survey type in that one
SCORE_COLUMN, SCORE_TYPE_COLUMN = "score", "survey_type"


def _column_expectations(entity: Entity) -> list:
    out: list = []
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
    """The suite of one raw entity, derived from its contract alone."""
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
            },
        },
        notes=(
            f"Generated from orchestration/contracts.py by `{GENERATOR}`: do not edit by hand. "
            "Only the contract's rules: shares of filled and well-formed values are judged against the "
            "entity's own earlier batches (orchestration/quality/drift.py), not here."
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
