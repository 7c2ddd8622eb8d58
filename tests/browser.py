"""A real headless browser for the tests, offline: Debian's Chromium driven by Playwright.

One browser per test session (`browser` fixture, session-scoped; pytest loads this module as a
plugin from conftest.py). Pages open in one context per window size, whose every request is looked
at: one to anything but a local file or 127.0.0.1 is recorded in `offsite` and aborted, so a page
that would fetch from a CDN fails its test instead of quietly working online. One context, not one
per page, and one renderer per site (CHROMIUM_ARGS): a page of a fresh context compiles the
dashboard's Plotly (4.8 MB) from scratch. Close a page with `page.close()`. Console errors and
uncaught exceptions are recorded in `errors`. Playwright's own browser download needs the network,
which these machines lack: `make browser` installs Debian's chromium (CHROMIUM).

Reusable beyond the dashboard (e.g. Great Expectations' Data Docs): `browser.open(url)`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# no update checks, sync, metrics or QUIC probes: a test browser talks to nobody
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # the pages of one site share a renderer, whose V8 keeps the Plotly it compiled: a later page of
    # the dashboard ~0.9 CPU-s instead of ~2.3 (a page of its own context: ~3.6)
    "--process-per-site",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def is_local(url: str) -> bool:
    """A file, an inline resource, or this machine's loopback: nothing that leaves the machine."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") in LOCAL_HOSTS


def launch(playwright):
    """Debian's Chromium, headless. Playwright's launch() gives it a fresh temporary profile (user-data dir)."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


@dataclass
class Browser:
    """The session's browser; `offsite` and `errors` gather what every page it opened did."""

    browser: object
    offsite: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    contexts: dict[tuple[int, int], object] = field(default_factory=dict)

    def open(self, url: str | Path, viewport: dict | None = None, wait_for: str | None = None):
        """A new page, with the guards on, at `url` (a file path or URL)."""
        url = str(url)
        if "://" not in url:
            url = Path(url).resolve().as_uri()
        page = self._context(viewport or {"width": 1400, "height": 900}).new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        page.on("requestfailed", lambda r: is_local(r.url) and self.errors.append(f"{page.url}: failed {r.url}"))
        page.goto(url)
        if wait_for:
            page.wait_for_selector(wait_for, state="attached")
        return page

    def _context(self, viewport: dict):
        """The context of pages of this window size, its requests guarded."""
        size = (viewport["width"], viewport["height"])
        if size not in self.contexts:
            context = self.browser.new_context(viewport=viewport)

            def guard(route) -> None:
                if is_local(route.request.url):
                    route.continue_()
                else:
                    self.offsite.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            self.contexts[size] = context
        return self.contexts[size]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        try:
            yield Browser(b)
        finally:
            b.close()
