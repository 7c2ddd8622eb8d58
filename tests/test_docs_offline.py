"""dbt's docs site and Great Expectations' Data Docs, opened in a real browser with no network."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.pipeline import settings_for, stop


def test_make_docs_builds_a_site_and_both_doc_sites_read_offline(no_contact, tmp_path, browser):
    built, _ = no_contact
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built.warehouse_dir, warehouse, symlinks=True)
    settings = settings_for(built.landing_dir, warehouse)
    # what `make docs` runs
    served = subprocess.Popen(
        [str(Path(sys.executable).with_name("cx360")), "docs", "--warehouse", str(warehouse), "--serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("CX360_")},
    )
    try:
        said = [served.stdout.readline() for _ in range(3)]
        url = re.search(r"http://127\.0\.0\.1:\d+/", said[-1]).group(0)
        page = browser.open(url + "#!/model/model.cx360.dim_customer", wait_for="text=customer_key")
        shown = page.locator("body").inner_text()
        assert "dim_customer" in shown and "Columns" in shown
        page.close()
    finally:
        stop(served)
        # dbt's own page logs errors of its templates (icons, favicon) that no setting avoids: not
        # ours, and not to be reported by the next test to open a page
        browser.errors.clear()
    assert (warehouse / "docs" / "dbt" / "static_index.html").exists()  # the same, to open from disk
    assert browser.offsite == []

    # Data Docs: the index lists every validation of the warehouse, each page opens
    docs = warehouse / "docs" / "gx"
    stored = [json.loads(p.read_text()) for p in (docs / ".store" / "validations").rglob("*.json")]
    page = browser.open(docs / "index.html", wait_for="table")
    rows = page.locator("table tr:has(td)")
    assert rows.count() == len(stored) > 0
    assert sorted(page.locator("table tr td:first-child").all_inner_texts()) == sorted(s["suite_name"] for s in stored)
    page.locator("table a").first.click()
    page.wait_for_load_state()
    assert "validations/" in page.url and "Expectation" in page.locator("body").inner_text()
    page.close()

    assert browser.offsite == [] and browser.errors == []
    assert settings.duckdb_path.exists()
