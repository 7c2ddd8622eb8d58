"""Build the static dashboard site from one published BI database.

The site is a folder of HTML pages, a stylesheet, one script of ours and Plotly's JavaScript, copied
from the plotly package (nothing is fetched: it opens from the file system or any static server
with no network). It reads the BI database alone, read-only, and writes only into the folder it is
given. The same publication builds the same bytes: no clock, no random id, every query ordered;
the only dates on the pages are the data's (the as-of date, the publication's time).
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from orchestration.dashboard import pages, queries
from orchestration.dashboard.explain import MIN_RESPONSES

ASSETS = "assets"
_STATIC = ("dashboard.css", "dashboard.js")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("orchestration.dashboard", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # a NaN or infinity is no JSON: fail the build rather than break the page
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "allow_nan": False}
    env.globals["min_responses"] = MIN_RESPONSES
    return env


def _plotly_js() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def _copy_if_changed(source: Path, target: Path) -> None:
    """Copy unless the target already holds the same bytes (a rebuild then rewrites only the pages)."""
    if (
        target.exists()
        and target.stat().st_size == source.stat().st_size
        and target.read_bytes() == source.read_bytes()
    ):
        return
    shutil.copyfile(source, target)


def _write_assets(out_dir: Path) -> None:
    assets = out_dir / ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    _copy_if_changed(_plotly_js(), assets / "plotly.min.js")
    static = resources.files("orchestration.dashboard") / "static"
    for name in _STATIC:
        (assets / name).write_bytes((static / name).read_bytes())


def build(bi_database: Path, out_dir: Path) -> Path:
    """Write the dashboard of the publication in `bi_database` into `out_dir`; returns its index.html.

    Opens only `bi_database`, read-only; writes only into `out_dir` (created if missing; pages and
    assets of the same names are replaced, nothing else there is touched).
    """
    bi_database, out_dir = Path(bi_database), Path(out_dir)
    if not bi_database.is_file():
        raise FileNotFoundError(f"no BI database at {bi_database}")
    con = queries.connect(bi_database)
    try:
        docs = queries.docs(con)
        as_of = queries.as_of(con)
        trust = pages.trust(con, docs)
        built = [make(con, docs, as_of) for make in pages.BUILDERS]
    finally:
        con.close()
    env = _environment()
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_assets(out_dir)
    common = {"as_of": as_of, "trust": trust, "pages": pages.PAGES}
    for page in built:
        html = env.get_template(page.template).render(common | page.context | {"page": page, "figures": page.figures})
        (out_dir / page.file).write_text(html, encoding="utf-8", newline="\n")
    return out_dir / "index.html"
