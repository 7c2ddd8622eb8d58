"""Screenshots of every dashboard page for the README: `make screenshots` (after `make run`).

Builds the dashboard from the warehouse's BI database into a temporary folder, opens each page in
the tests' offline browser (tests/browser.py: a request leaving the machine or a console error
stops it) and writes docs/screenshots/<page>.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from orchestration.dashboard import build
from orchestration.dashboard.pages import PAGES
from orchestration.settings import PROJECT_ROOT, Settings
from tests.browser import Browser, launch

WIDTH, MAX_HEIGHT = 1280, 1600


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--warehouse", type=Path, help="warehouse folder (env CX360_WAREHOUSE_DIR; default ./warehouse)")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshots")
    args = p.parse_args(argv)
    bi = Settings.from_env(warehouse_dir=args.warehouse).marts_db_path
    if not bi.exists():
        print(f"no BI database at {bi}: run `make run` first", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        index = build(bi, Path(tmp))
        browser = Browser(launch(pw))
        for file, _ in PAGES:
            page = browser.open(
                index.parent / file, viewport={"width": WIDTH, "height": 800}, wait_for="body[data-ready='1']"
            )
            height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
            target = args.out / f"{Path(file).stem}.png"
            page.screenshot(path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": height})
            page.close()
            print(target)
        browser.browser.close()
    if browser.offsite or browser.errors:
        print(f"requests off the machine: {browser.offsite}\nconsole errors: {browser.errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
