"""`python -m orchestration.generate`: rewrite the committed demo landing zone in seeds/demo/."""

from __future__ import annotations

import json
import shutil

from orchestration.generate import DEMO_CUSTOMERS, DEMO_SEED, generate
from orchestration.settings import DEMO_LANDING_DIR


def main() -> None:
    if DEMO_LANDING_DIR.exists():
        shutil.rmtree(DEMO_LANDING_DIR)
    summary = generate(DEMO_LANDING_DIR, DEMO_CUSTOMERS, DEMO_SEED)
    rows = {k: v for k, v in summary.items() if isinstance(v, int)}
    print(json.dumps({"rows": rows, "row_errors": summary["row_errors"]}, ensure_ascii=False, indent=1))
    print(f"wrote {sum(rows.values()):,} rows into {DEMO_LANDING_DIR}")


if __name__ == "__main__":
    main()
