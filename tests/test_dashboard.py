"""The CX dashboard (issue 14) in a real headless browser, offline.

The pages of the shared demo build (`demo_full`) are opened once each in Debian's Chromium
(tests/browser.py): every request that would leave the machine is aborted and recorded, every
console error is recorded. The figures are read back from the page (the `data-value` of what is
written, the `data` of the Plotly charts as drawn), never from the code that wrote them, and
compared with SQL on the BI database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.dashboard import build
from orchestration.dashboard.explain import MIN_RESPONSES
from orchestration.dashboard.serve import dashboard_dir
from tests.conftest import query
from tests.pipeline import stop

PAGES = (
    "index.html",
    "targets.html",
    "journey.html",
    "nps.html",
    "funnel.html",
    "support.html",
    "voice.html",
    "follow-up.html",
)
READY = "body[data-ready='1']"
FIGURE_DATA = """id => document.getElementById(id).data.map(t => ({
    name: t.name, meta: t.meta === undefined ? null : t.meta, visible: t.visible !== false,
    x: t.x, y: t.y, z: t.z === undefined ? null : t.z, colors: t.marker ? t.marker.color : null }))"""


def dashboard_folder(settings) -> Path:
    """The dashboard the last publication of a built warehouse holds (publishing builds it)."""
    folder = dashboard_dir(settings)
    assert (folder / "index.html").is_file(), f"no dashboard published at {folder}"
    return folder


def folder_digest(folder: Path) -> str:
    """One hash of every file's path and bytes: equal digests, equal folders byte for byte."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="module")
def site(demo_full):
    settings, _ = demo_full
    return settings, dashboard_folder(settings)


@pytest.fixture(scope="module")
def opened(site, browser):
    """Every page, opened once and drawn; the tests only read them."""
    _, folder = site
    pages = {name: browser.open(folder / name, wait_for=READY) for name in PAGES}
    yield pages
    for page in pages.values():
        page.close()


def bi(site, sql: str, params=None) -> list[tuple]:
    return query(site[0].marts_db_path, sql, params)


def dicts(site, sql: str, params=None) -> list[dict]:
    con = duckdb.connect(str(site[0].marts_db_path), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def figure(page, figure_id: str) -> list[dict]:
    return page.evaluate(FIGURE_DATA, figure_id)


def value_of(locator) -> float | None:
    text = locator.get_attribute("data-value")
    return None if text in (None, "") else float(text)


def iso(d) -> str:
    return d.isoformat() if isinstance(d, dt.date) else str(d)


class Approx(list):
    """The mart's values as the page must hold them: nulls as nulls, numbers to 1e-9 (floats through JSON)."""

    def __eq__(self, other) -> bool:
        return len(self) == len(other) and all(
            (a is None and b is None)
            or (a is not None and b is not None and abs(float(a) - float(b)) <= 1e-9 * max(1, abs(float(b))))
            for a, b in zip(other, self, strict=True)
        )

    __hash__ = None


def approx(values) -> Approx:
    return Approx(values)


def test_every_page_loads_offline_with_no_console_error(site, opened, browser):
    _, folder = site
    as_of = bi(site, "select max(day) from mart_cx_kpis_daily")[0][0].isoformat()
    for name, page in opened.items():
        assert page.locator("nav a").count() == len(PAGES), name
        assert page.locator("nav a[aria-current='page']").get_attribute("href") == name
        assert page.locator("[data-trust='as-of']").get_attribute("data-value") == as_of, name
        for figure_id in page.eval_on_selector_all(".figure", "els => els.map(e => e.id)"):
            assert figure(page, figure_id), f"{name}: {figure_id} drew nothing"
        scripts = page.eval_on_selector_all("script[src], link[href]", "els => els.map(e => e.src || e.href)")
        assert scripts and all(s.startswith("file://") for s in scripts), scripts
    assert browser.offsite == [] and browser.errors == []
    # Plotly's JavaScript is the plotly package's own, written once beside the pages
    assert (folder / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert not list(folder.rglob("*.html"))[0].read_text().count("cdn.plot.ly")


def test_data_trust_is_on_every_page(site, opened):
    trust = dicts(site, "select * from mart_data_trust order by table_name")
    first = trust[0]
    for name, page in opened.items():
        checks = page.locator("[data-trust='checks'] .metric")
        assert [value_of(checks.nth(i)) for i in range(2)] == [first["run_checks_passed"], first["run_checks_failed"]]
        fresh = page.locator("[data-trust='freshness'] .metric")
        hours = [first[f"{s}_hours_since_delivery"] for s in ("crm", "marketing", "sales", "support")]
        assert [value_of(fresh.nth(i)) for i in range(4)] == approx(hours), name
        matched = page.locator("[data-trust='matched'] .metric")
        rates = [first[f"{s}_crm_match_rate"] for s in ("marketing", "sales", "support")]
        assert [value_of(matched.nth(i)) for i in range(3)] == approx(rates), name
        assert page.locator("section.trust tr[data-table]").count() == len(trust)


def test_overview_shows_each_kpi_beside_the_previous_90_days_and_its_trend(site, opened):
    page = opened["index.html"]
    days = dicts(site, "select * from mart_cx_kpis_daily order by day")
    now, before = days[-1], {r["day"]: r for r in days}[days[-1]["day"] - dt.timedelta(days=90)]
    columns = {
        "nps": "nps",
        "csat_pct": "csat_pct",
        "ces_avg": "ces_avg",
        "repeat_purchase_rate": "repeat_purchase_rate",
        "active_customers": "active_customers",
        "tickets": "tickets",
        "complaints": "complaints",
    }
    assert page.eval_on_selector_all("[data-kpi]", "els => els.map(e => e.dataset.kpi)") == list(columns)
    for kpi, column in columns.items():
        card = page.locator(f"[data-kpi='{kpi}']")
        assert [value_of(card.locator(".value .metric"))] == approx([now[column]]), kpi
        assert [value_of(card.locator(".previous .metric"))] == approx([before[column]]), kpi
        (trend,) = figure(page, f"trend-{kpi}")
        assert trend["x"] == [iso(r["day"]) for r in days]
        assert trend["y"] == approx([r[column] for r in days]), kpi


def test_every_number_explains_itself_on_hover(site, opened):
    page = opened["index.html"]
    definition = bi(
        site,
        "select comment from duckdb_columns() where table_name = 'mart_cx_kpis_daily' and column_name = 'nps'",
    )[0][0]
    value = page.locator("[data-kpi='nps'] .value .metric")
    box = value.locator(".explain")
    assert not box.is_visible()
    value.hover()
    assert box.is_visible()
    text = box.inner_text()
    assert definition in text and "Numerator: promoters − detractors" in text and "Denominator: nps_responses" in text
    assert "Window: the 90 days" in text
    for name, p in opened.items():  # every number on every page carries its window
        windows = p.eval_on_selector_all(".metric .explain", "els => els.map(e => e.textContent)")
        assert windows and all("Window:" in w for w in windows), name


def test_targets_board_judges_only_what_has_enough_responses_highest_tier_first(site, opened):
    page = opened["targets.html"]
    assert page.eval_on_selector_all("section.tier", "els => els.map(e => e.dataset.tier)") == [
        "high",
        "mid",
        "low",
        "none",
        "all",
    ]
    rows = dicts(site, "select * from mart_cx_targets")
    assert page.locator("td[data-field='status']").count() == len(rows)
    few = 0
    for r in rows:
        line = f"section[data-tier='{r['value_tier']}'] tr[data-touchpoint='{r['touchpoint']}']"

        def cell(field: str, line=line, metric=r["metric"]):
            return page.locator(f"{line} td[data-metric='{metric}'][data-field='{field}']")

        for field in ("target", "actual", "gap"):
            shown = value_of(cell(field).locator(".metric"))
            assert shown == (None if r[field] is None else pytest.approx(float(r[field]))), (r, field)
        status, actual = cell("status"), cell("actual").locator(".metric")
        if r["responses"] < MIN_RESPONSES:
            few += 1
            assert "too few responses to judge" in status.inner_text()
            assert "few" in actual.get_attribute("class").split()  # greyed, not hidden
            if r["actual"] is not None:
                assert actual.inner_text().split("\n")[0] not in ("", "–")
        else:
            assert status.get_attribute("data-status") == r["status"]
            assert status.inner_text().split("\n")[0] == r["status"].replace("_", " ")
    assert f"{few} too few responses to judge" in page.locator("[data-tally]").inner_text()


def test_journey_map_runs_left_to_right_with_volume_friction_and_csat(site, opened):
    page = opened["journey.html"]
    stages = page.eval_on_selector_all(
        "section.stage", "els => els.map(e => [e.dataset.stage, e.getBoundingClientRect().left])"
    )
    order = ["awareness", "consideration", "purchase", "service", "loyalty"]
    assert [s for s, _ in stages] == [s for s in order if s in {s for s, _ in stages}]
    assert [left for _, left in stages] == sorted(left for _, left in stages)
    rows = dicts(site, "select * from mart_journey_map")
    assert page.locator(".touch").count() == len(rows)
    for r in rows:
        card = page.locator(f"section[data-stage='{r['journey_stage']}'] .touch[data-touchpoint='{r['touchpoint']}']")
        assert value_of(card.locator(".line").nth(0).locator(".metric")) == r["events"]
        assert value_of(card.locator("[data-field='friction'] .metric")) == pytest.approx(r["friction_pct"])
        assert value_of(card.locator("[data-field='csat'] .metric")) == (
            None if r["csat_pct"] is None else pytest.approx(r["csat_pct"])
        )
    worst = sorted(rows, key=lambda r: (-r["friction_events"], r["touchpoint"]))[:3]
    hot = page.eval_on_selector_all(".touch.hot", "els => els.map(e => e.dataset.touchpoint)")
    assert sorted(hot) == sorted(r["touchpoint"] for r in worst if r["friction_events"])


def test_nps_filters_plot_the_chosen_segment_and_tier(site, browser):
    page = browser.open(site[1] / "nps.html", wait_for=READY)
    try:

        def plotted() -> list[dict]:
            return [t for t in figure(page, "nps-by-month") if t["visible"] and t["name"] == "NPS"]

        def mart(segment: str, tier: str) -> list[dict]:
            return dicts(
                site,
                "select * from mart_nps where segment = ? and value_tier = ? order by month",
                [segment, tier],
            )

        (line,) = plotted()
        expected = mart("all", "all")
        assert line["x"] == [iso(r["month"]) for r in expected] and line["y"] == approx([r["nps"] for r in expected])
        segment, tier = bi(
            site,
            "select segment, value_tier from mart_nps where segment != 'all' and value_tier != 'all' "
            "group by all order by sum(responses) desc, 1, 2 limit 1",
        )[0]
        page.select_option("select[name='segment']", segment)
        page.select_option("select[name='value_tier']", tier)
        page.wait_for_selector(READY, state="attached")
        (line,) = plotted()
        expected = mart(segment, tier)
        assert line["x"] == [iso(r["month"]) for r in expected] and line["y"] == approx([r["nps"] for r in expected])
        grey = [c == "#b9bec7" for c in line["colors"]]
        assert grey == [r["responses"] < MIN_RESPONSES for r in expected]
        assert page.locator("[data-empty-for='nps-by-month']").is_hidden()
        # a combination without responses says so instead of drawing nothing
        page.select_option("select[name='segment']", "unknown")
        page.select_option("select[name='value_tier']", "high")
        page.wait_for_selector(READY, state="attached")
        assert plotted() == [] and page.locator("[data-empty-for='nps-by-month']").is_visible()
        assert browser.errors == []
    finally:
        page.close()


def test_nps_drivers_are_labelled_correlation_not_cause(site, opened):
    page = opened["nps.html"]
    assert "correlation, not cause" in page.locator("main").inner_text()
    (bars,) = figure(page, "nps-impact")
    rows = dicts(site, "select * from mart_touchpoint_nps_impact order by nps_difference nulls first, touchpoint")
    assert bars["y"] == [r["touchpoint"] for r in rows]
    assert bars["x"] == approx([r["nps_difference"] for r in rows])


def test_funnel_and_retention_cohorts(site, opened):
    page = opened["funnel.html"]
    (bars,) = figure(page, "funnel")
    stages = bi(
        site,
        "select journey_stage, sum(customers) from mart_journey_funnel group by journey_stage, stage_number "
        "order by stage_number",
    )
    assert bars["x"] == [s for s, _ in stages] and bars["y"] == [n for _, n in stages]
    judged, small = figure(page, "retention")
    cohorts = dicts(site, "select * from mart_retention_cohorts order by cohort_month, months_since_first_order")
    for r in cohorts:
        i = sorted({c["cohort_month"] for c in cohorts}).index(r["cohort_month"])
        k = r["months_since_first_order"]
        shown, greyed = judged["z"][i][k], small["z"][i][k]
        if r["cohort_customers"] < MIN_RESPONSES:
            assert shown is None and greyed == pytest.approx(100 * r["retention_rate"])
        else:
            assert greyed is None and shown == pytest.approx(100 * r["retention_rate"])


def test_support_and_voice_of_the_customer(site, opened):
    page = opened["support.html"]
    per_channel = {t["name"]: t for t in figure(page, "tickets-by-channel")}
    for channel, month, tickets in bi(
        site, "select channel, month, sum(tickets) from mart_support_performance group by all"
    ):
        trace = per_channel[channel]
        assert trace["y"][trace["x"].index(iso(month))] == tickets
    heat = [t for t in figure(page, "first-response") if t["visible"]]
    latest = bi(site, "select max(month) from mart_support_performance")[0][0]
    assert {t["meta"] for t in heat} == {iso(latest)}
    medians = [v for t in heat for row in t["z"] for v in row if v is not None]
    expected = bi(
        site,
        "select median_first_response_hours from mart_support_performance "
        "where month = ? and median_first_response_hours is not null",
        [latest],
    )
    assert sorted(medians) == pytest.approx(sorted(v for (v,) in expected))

    page = opened["voice.html"]
    as_of = bi(site, "select max(day) from mart_cx_kpis_daily")[0][0]
    since = dt.date(as_of.year, as_of.month, 1)
    for _ in range(2):
        since = (since - dt.timedelta(days=1)).replace(day=1)
    topics = bi(
        site,
        "select department, topic, sum(mentions) from mart_voice_of_customer where month >= ? group by all",
        [since],
    )
    assert page.locator("tr[data-topic]").count() == len(topics)
    for department, topic, mentions in topics:
        row = page.locator(f"tr[data-department='{department}'][data-topic='{topic}']")
        assert value_of(row.locator("[data-field='mentions']")) == mentions


def test_closing_the_loop_shows_counts_and_no_person(site, opened):
    page = opened["follow-up.html"]
    rows = dicts(site, "select * from mart_follow_up_backlog")
    for r in rows:
        cell = page.locator(f"tr[data-signal='{r['signal']}'] td[data-band='{r['age_band']}'] .metric")
        assert value_of(cell) == r["open_signals"]
    totals = bi(site, "select signal, sum(open_signals) from mart_follow_up_backlog group by all")
    for signal, total in totals:
        assert value_of(page.locator(f"tr[data-signal='{signal}'] [data-field='open']")) == total
    # the restricted queue holds exactly what the backlog counts, and none of its people reach a page
    queue = query(site[0].restricted_db_path, "select customer_key, pii_email from mart_follow_up_queue")
    assert len(queue) == sum(r["open_signals"] for r in rows)
    html = "".join((site[1] / name).read_text() for name in PAGES)
    assert not re.search(r"\b[0-9a-f]{32}\b", html)  # no customer_key
    assert not [e for _, e in queue if e and e in html]


def test_the_build_reads_the_bi_marts_alone_and_is_deterministic(site, tmp_path):
    """Same publication, same bytes; nothing read but the BI database file, and not the journey or the profile."""
    settings, folder = site
    before = {p: p.stat().st_mtime_ns for p in settings.serving_dir.rglob("*")}
    alone = tmp_path / "alone" / "cx_marts.duckdb"  # no working or restricted database beside it
    alone.parent.mkdir()
    shutil.copyfile(settings.marts_db_path, alone)
    con = duckdb.connect(str(alone))
    for table in ("fct_customer_journey", "dim_customer"):  # published as views or as tables
        kind = con.execute(
            "select 'table' from duckdb_tables() where table_name = ? union all "
            "select 'view' from duckdb_views() where view_name = ?",
            [table, table],
        ).fetchone()[0]
        con.execute(f"drop {kind} {table}")
        con.execute(f"create view {table} as select error('the dashboard read {table}') as x")
    con.close()
    build(alone, tmp_path / "again")
    assert folder_digest(tmp_path / "again") == folder_digest(folder)
    assert sorted(p.name for p in (tmp_path / "alone").iterdir()) == ["cx_marts.duckdb"]
    assert {p: p.stat().st_mtime_ns for p in settings.serving_dir.rglob("*")} == before


def test_cx360_dashboard_serves_the_published_folder_on_loopback(site, tmp_path, browser):
    _, folder = site
    warehouse = tmp_path / "wh"
    exe = Path(sys.executable).with_name("cx360")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CX360_", "DISPLAY", "WAYLAND"))}
    missing = subprocess.run([exe, "dashboard", "--warehouse", warehouse], env=env, capture_output=True, text=True)
    assert missing.returncode == 1 and "no dashboard at" in missing.stdout
    shutil.copytree(folder, warehouse / "serving" / "dashboard")
    opened = subprocess.run(
        [exe, "dashboard", "--warehouse", warehouse], env=env | {"BROWSER": "true"}, capture_output=True, text=True
    )
    assert opened.returncode == 0 and str(warehouse / "serving" / "dashboard" / "index.html") in opened.stdout
    server = subprocess.Popen(
        [exe, "dashboard", "--warehouse", warehouse, "--serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        page = browser.open(url + "nps.html", wait_for=READY)
        assert figure(page, "nps-by-month") and browser.offsite == [] and browser.errors == []
        page.close()
        port = url.rstrip("/").rsplit(":", 1)[1]
        taken = subprocess.run(
            [exe, "dashboard", "--warehouse", warehouse, "--serve", "--port", port],
            env=env,
            capture_output=True,
            text=True,
        )
        assert taken.returncode == 1 and "Traceback" not in taken.stderr
        assert taken.stdout.startswith(f"error: cannot serve on {url} (Address already in use): choose another port")
    finally:
        stop(server)
