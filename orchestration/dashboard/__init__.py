"""The CX managers' dashboard: a static site built from the published BI database (issue 14).

`build(bi_database, out_dir)` writes it; `cx360 dashboard` opens or serves it (serve.py). Modules:
queries.py reads the marts, explain.py says what every number means, figures.py draws the
charts, pages.py puts each page together, site.py writes the folder, templates/ and static/ hold
the HTML, the stylesheet and the page script.
"""

from orchestration.dashboard.site import build

__all__ = ["build"]
