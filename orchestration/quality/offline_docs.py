"""Data Docs that read offline: no page loads anything from the network.

Great Expectations renders its pages with jQuery, Bootstrap, Vega and icon fonts from public CDNs,
and its index page is an empty table that those scripts fill: on a machine without internet (most
warehouses) the index is blank and every page logs errors. The result pages themselves are plain
HTML tables, so once rendered they are made self-sufficient: the CDN tags and the scripts that need
them are removed, a small local stylesheet takes Bootstrap's place, and the index is written here
as a static table of every suite and validation, read from the site's own stores.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import Environment

_EXTERNAL = re.compile(
    r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>|<link[^>]*\bhref="https?://[^"]*"[^>]*>'
    r'|<img[^>]*\bsrc="https?://[^"]*"[^>]*>|url\([\'"]?https?://[^)]*\)',
    re.S,
)
_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.collapse, .hide-succeeded-validation-target, .hide-succeeded-validations-column-section-target-child {
  display: block !important; }
.failed { color: #b00020; font-weight: 600; } .passed { color: #1b7f3b; }
"""
_LOCAL_STYLE = f'<style id="cx360-offline">{_STYLE}</style>'

_INDEX = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cx360 Data Docs</title>{{ style | safe }}</head>
<body>
<h1>cx360 Data Docs</h1>
<p>The Great Expectations suites of the raw zone (generated from the contract) and their latest
validations. This page and every page it links to read nothing from the network.</p>
<h2>Validations</h2>
<table>
<tr><th>suite</th><th>run</th><th>validated at</th><th>result</th><th>expectations met</th></tr>
{% for v in validations %}
<tr><td>{{ v.suite }}</td><td>{{ v.run }}</td><td>{{ v.time }}</td>
{% set said = 'passed' if v.success else 'failed' %}
<td class="{{ said }}"><a href="{{ v.page }}">{{ said }}</a></td>
<td>{{ v.met }} of {{ v.evaluated }}</td></tr>
{% endfor %}
</table>
<h2>Expectation suites</h2>
<ul>{% for s in suites %}<li><a href="{{ s.page }}">{{ s.name }}</a></li>{% endfor %}</ul>
</body></html>
"""
)


def make_offline(docs_dir: Path) -> None:
    """Strip the CDN resources from every page of the site and write a static index."""
    for page in docs_dir.rglob("*.html"):
        if page.parent == docs_dir and page.name == "index.html":
            continue
        text = page.read_text(encoding="utf-8")
        if "cx360-offline" in text:
            continue
        text = _INLINE_SCRIPT.sub("", _EXTERNAL.sub("", text))
        page.write_text(text.replace("</head>", f"{_LOCAL_STYLE}</head>", 1), encoding="utf-8")
    (docs_dir / "index.html").write_text(_index(docs_dir), encoding="utf-8")


def _index(docs_dir: Path) -> str:
    store = docs_dir / ".store"
    validations = []
    for path in (store / "validations").rglob("*.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        page = Path("validations") / path.relative_to(store / "validations").with_suffix(".html")
        if not (docs_dir / page).exists():
            continue
        stats = result.get("statistics", {})
        meta = result.get("meta", {}).get("run_id") or {}
        validations.append(
            {
                "suite": result.get("suite_name", ""),
                "run": meta.get("run_name") or "",
                "time": meta.get("run_time") or "",
                "success": bool(result.get("success")),
                "evaluated": stats.get("evaluated_expectations", 0),
                "met": stats.get("successful_expectations", 0),
                "page": page.as_posix(),
            }
        )
    validations.sort(key=lambda v: (v["time"], v["suite"]), reverse=True)
    suites = [
        {
            "name": p.relative_to(docs_dir / "expectations").with_suffix("").as_posix(),
            "page": p.relative_to(docs_dir).as_posix(),
        }
        for p in sorted((docs_dir / "expectations").rglob("*.html"))
    ]
    return _INDEX.render(validations=validations, suites=suites, style=_LOCAL_STYLE)
