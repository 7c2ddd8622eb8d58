"""Each page's content: the marts' rows, the charts drawn from them, and what every number means.

A page is a template name and a context; the context holds plain values, Explained texts and
figures (figures.py). Values reach the page unrounded in `data-value` attributes (what the tests
compare with the marts) and rounded in the text a manager reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from orchestration.dashboard import figures, queries
from orchestration.dashboard.explain import (
    Explained,
    definition,
    few,
    fmt_int,
    fmt_num,
    fmt_pct_of_rate,
    month_label,
    window_days,
)
from orchestration.dashboard.queries import Docs

WINDOW_DAYS = 90  # the marts' quarter: vars kpi_rolling_window_days, cx_targets_window_days, journey_map_window_days
VOICE_MONTHS = 3
SURVEY_TOUCHPOINTS = ("website", "onboarding", "purchase", "delivery", "support", "billing", "returns", "relationship")
TIERS = ("high", "mid", "low", "none", "all")  # highest value first; every customer together last
TIER_LABELS = {
    "high": "High-value customers",
    "mid": "Mid-value customers",
    "low": "Low-value customers",
    "none": "No revenue in the last 365 days (and prospects, answers without a customer)",
    "all": "All customers",
}
METRICS = (("csat_pct", "CSAT %"), ("nps", "NPS"), ("ces", "CES"))
STATUS_LABELS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"}
SEGMENTS = ("all", "consumer", "smb", "enterprise", "unknown")


@dataclass
class Page:
    file: str
    title: str
    template: str
    context: dict = field(default_factory=dict)
    figures: dict[str, figures.Figure] = field(default_factory=dict)


PAGES = (
    ("index.html", "Overview"),
    ("targets.html", "Targets"),
    ("journey.html", "Journey map"),
    ("nps.html", "NPS"),
    ("funnel.html", "Funnel & retention"),
    ("support.html", "Support"),
    ("voice.html", "Voice of the customer"),
    ("follow-up.html", "Closing the loop"),
)


def _shift_months(month: str, by: int) -> str:
    d = dt.date.fromisoformat(month)
    index = d.year * 12 + d.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1).isoformat()


# --- data trust, on every page --------------------------------------------------------------------


def trust(con, docs: Docs) -> dict | None:
    rows = queries.trust(con)
    if not rows:
        return None
    first = rows[0]

    def doc(column: str) -> str:
        return definition(docs, "mart_data_trust", column)

    sources = []
    for key, label in (("crm", "CRM"), ("marketing", "marketing"), ("sales", "sales"), ("support", "support")):
        hours, last = first[f"{key}_hours_since_delivery"], first[f"{key}_last_delivery_at"]
        sources.append(
            {
                "label": label,
                "hours": hours,
                "text": "never delivered" if last is None else f"{fmt_num(hours)} h",
                "explain": Explained(
                    doc(f"{key}_hours_since_delivery"),
                    f"last delivery {last or 'never'} (UTC), publication {first['published_at']} (UTC)",
                ),
            }
        )
    matched = []
    for key in ("marketing", "sales", "support"):
        n, d, rate = first[f"{key}_crm_matched"], first[f"{key}_records"], first[f"{key}_crm_match_rate"]
        matched.append(
            {
                "label": key,
                "rate": rate,
                "text": fmt_pct_of_rate(rate),
                "explain": Explained(
                    doc(f"{key}_crm_match_rate"),
                    "every record resolved up to this publication",
                    numerator=f"{key}_crm_matched = {fmt_int(n)} ({doc(f'{key}_crm_matched')})",
                    denominator=f"{key}_records = {fmt_int(d)} ({doc(f'{key}_records')})",
                ),
            }
        )
    return {
        "run_id": first["run_id"],
        "published_at": first["published_at"],
        "checks_passed": first["run_checks_passed"],
        "checks_failed": first["run_checks_failed"],
        "checks_explain": Explained(
            doc("run_checks_passed") + " " + doc("run_checks_failed"),
            f"the run {first['run_id']} that published these figures",
        ),
        "sources": sources,
        "matched": matched,
        "never_filled": first["never_filled_columns"],
        "tables": rows,
    }


# --- overview -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    column: str
    numerator: tuple[str, ...] = ()  # columns; two mean "first − second"
    denominator: str | None = None
    kind: str = "number"  # number, pct, rate, count, score
    higher_is_better: bool | None = True


KPIS = (
    Kpi("nps", "NPS", "nps", ("promoters", "detractors"), "nps_responses"),
    Kpi("csat_pct", "CSAT %", "csat_pct", ("csat_satisfied",), "csat_responses", kind="pct"),
    Kpi("ces_avg", "CES (1-7)", "ces_avg", ("ces_score_sum",), "ces_responses", kind="score"),
    Kpi(
        "repeat_purchase_rate",
        "Repeat-purchase rate",
        "repeat_purchase_rate",
        ("repeat_customers",),
        "active_customers",
        kind="rate",
    ),
    Kpi("active_customers", "Active customers", "active_customers", kind="count"),
    Kpi("tickets", "Tickets", "tickets", kind="count", higher_is_better=None),
    Kpi("complaints", "Complaints", "complaints", kind="count", higher_is_better=False),
)


def _fmt_kpi(kpi: Kpi, value: object) -> str:
    if kpi.kind == "count":
        return fmt_int(value)
    if kpi.kind == "rate":
        return fmt_pct_of_rate(value)
    if kpi.kind == "pct":
        return fmt_num(value, 1, "%")
    if kpi.kind == "score":
        return fmt_num(value, 2)
    return fmt_num(value, 1)


def _kpi_explained(kpi: Kpi, row: dict, docs: Docs, window: str) -> Explained:
    def part(column: str) -> str:
        return f"{column} = {fmt_int(row[column])}"

    numerator = None
    if len(kpi.numerator) == 2:
        a, b = kpi.numerator
        numerator = f"{a} − {b} = {fmt_int(row[a])} − {fmt_int(row[b])} = {fmt_int(row[a] - row[b])}"
    elif kpi.numerator:
        numerator = f"{part(kpi.numerator[0])} ({definition(docs, 'mart_cx_kpis_daily', kpi.numerator[0])})"
    denominator = None
    if kpi.denominator:
        denominator = f"{part(kpi.denominator)} ({definition(docs, 'mart_cx_kpis_daily', kpi.denominator)})"
    return Explained(
        definition(docs, "mart_cx_kpis_daily", kpi.column),
        window,
        numerator,
        denominator,
        row[kpi.denominator] if kpi.denominator else None,
    )


def overview(con, docs: Docs, as_of: str | None) -> Page:
    page = Page("index.html", "Overview", "overview.html")
    days = queries.kpis_daily(con)
    if not days or as_of is None:
        page.context = {"cards": []}
        return page
    by_day = {r["day"]: r for r in days}
    now = by_day[as_of]
    previous_day = (dt.date.fromisoformat(as_of) - dt.timedelta(days=WINDOW_DAYS)).isoformat()
    before = by_day.get(previous_day)
    first_day = days[0]["day"]
    partial = (
        before is not None
        and previous_day < (dt.date.fromisoformat(first_day) + dt.timedelta(days=WINDOW_DAYS - 1)).isoformat()
    )
    cards = []
    for kpi in KPIS:
        value = now[kpi.column]
        prev = before[kpi.column] if before else None
        delta, trend = None, "same"
        if value is not None and prev is not None:
            delta = value - prev
            if delta and kpi.higher_is_better is not None:
                trend = "better" if (delta > 0) == kpi.higher_is_better else "worse"
        hover = []
        for r in days:
            v = r[kpi.column]
            text = f"{r['day']}: {_fmt_kpi(kpi, v)}"
            if kpi.denominator:
                n = r[kpi.denominator]
                text += f" over {fmt_int(n)} {kpi.denominator}" + (" — too few to judge" if few(n) else "")
            hover.append(text)
        fig_id = f"trend-{kpi.key}"
        page.figures[fig_id] = figures.kpi_trend(
            kpi.label,
            [r["day"] for r in days],
            [r[kpi.column] for r in days],
            [r[kpi.denominator] for r in days] if kpi.denominator else None,
            hover,
            ".0%" if kpi.kind == "rate" else "",
        )
        delta_text = "–"
        if delta is not None:
            sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
            magnitude = abs(delta)
            delta_text = sign + (
                fmt_num(100 * magnitude, 1) + " points"
                if kpi.kind == "rate"
                else (
                    fmt_int(magnitude) if kpi.kind == "count" else fmt_num(magnitude, 2 if kpi.kind == "score" else 1)
                )
            )
        cards.append(
            {
                "kpi": kpi,
                "value": value,
                "text": _fmt_kpi(kpi, value),
                "previous": prev,
                "previous_text": _fmt_kpi(kpi, prev) if before else "no earlier 90 days",
                "delta_text": delta_text,
                "trend": trend,
                "explain": _kpi_explained(kpi, now, docs, window_days(as_of, WINDOW_DAYS)),
                "previous_explain": _kpi_explained(
                    kpi,
                    before,
                    docs,
                    window_days(previous_day, WINDOW_DAYS)
                    + (f" (partial: the data begins on {first_day})" if partial else ""),
                )
                if before
                else None,
                "figure": fig_id,
            }
        )
    page.context = {
        "cards": cards,
        "previous_day": previous_day,
        "first_day": first_day,
        "window": window_days(as_of, WINDOW_DAYS),
        "kpis_doc": definition(docs, "mart_cx_kpis_daily"),
    }
    return page


# --- targets board --------------------------------------------------------------------------------


def _touchpoint_order(touchpoints: set[str]) -> list[str]:
    known = [t for t in SURVEY_TOUCHPOINTS if t in touchpoints]
    return known + sorted(touchpoints - set(known))


def targets_board(con, docs: Docs, as_of: str | None) -> Page:
    page = Page("targets.html", "Targets", "targets.html")
    rows = queries.targets(con)
    cell = {(r["touchpoint"], r["value_tier"], r["metric"]): r for r in rows}
    touchpoints = _touchpoint_order({r["touchpoint"] for r in rows})
    window = window_days(as_of, WINDOW_DAYS) if as_of else "the last 90 days"
    tally = {"on_track": 0, "at_risk": 0, "off_track": 0, "few": 0}
    sections = []
    for tier in [t for t in TIERS if any(k[1] == t for k in cell)]:
        lines = []
        for touchpoint in touchpoints:
            metrics = []
            for metric, label in METRICS:
                r = cell.get((touchpoint, tier, metric))
                if r is None:
                    metrics.append(None)
                    continue
                n = r["responses"]
                too_few = few(n)
                status = r["status"]
                if too_few:
                    tally["few"] += 1
                    status_text = f"too few responses to judge (n={n})"
                else:
                    tally[status] = tally.get(status, 0) + 1
                    status_text = STATUS_LABELS.get(status, status or "no target")
                digits = 2 if metric == "ces" else 1
                unit = "CES points" if metric == "ces" else "points"
                explain = Explained(
                    definition(docs, "mart_cx_targets", "actual"),
                    window,
                    f"actual_numerator = {fmt_int(r['actual_numerator'])} "
                    f"({definition(docs, 'mart_cx_targets', 'actual_numerator')})",
                    f"responses = {fmt_int(n)} ({definition(docs, 'mart_cx_targets', 'responses')})",
                    n,
                )
                status_explain = Explained(
                    definition(docs, "mart_cx_targets", "status")
                    + (
                        f" On these {n} responses it would read {STATUS_LABELS.get(status, status)}."
                        if too_few and status
                        else ""
                    ),
                    window,
                    count=n,
                )
                metrics.append(
                    {
                        "metric": metric,
                        "label": label,
                        "row": r,
                        "few": too_few,
                        "target_text": fmt_num(r["target"], digits),
                        "actual_text": fmt_num(r["actual"], digits),
                        "gap_text": "–" if r["gap"] is None else f"{r['gap']:+.{digits}f}",
                        "status": "few" if too_few else (status or "none"),
                        "status_text": status_text,
                        "explain": explain,
                        "target_explain": Explained(
                            definition(docs, "mart_cx_targets", "target"), "the seed cx_targets"
                        ),
                        "gap_explain": Explained(
                            definition(docs, "mart_cx_targets", "gap")
                            + f" ({unit}). "
                            + definition(docs, "mart_cx_targets", "gap_points"),
                            window,
                            count=n,
                        ),
                        "status_explain": status_explain,
                    }
                )
            lines.append({"touchpoint": touchpoint, "metrics": metrics})
        sections.append({"tier": tier, "label": TIER_LABELS.get(tier, tier), "lines": lines})
    page.context = {
        "sections": sections,
        "metrics": METRICS,
        "tally": tally,
        "window": window,
        "doc": definition(docs, "mart_cx_targets"),
    }
    return page


# --- journey map ----------------------------------------------------------------------------------


def _friction_level(pct: float | None) -> str:
    if not pct:
        return "none"
    return "high" if pct >= 25 else ("mid" if pct >= 10 else "low")


def journey(con, docs: Docs, as_of: str | None) -> Page:
    page = Page("journey.html", "Journey map", "journey.html")
    rows = queries.journey_map(con)
    window = window_days(as_of, WINDOW_DAYS) if as_of else "the last 90 days"
    # the friction points: the most friction events along the journey
    worst = sorted((r for r in rows if r["friction_events"]), key=lambda r: (-r["friction_events"], r["touchpoint"]))
    hot = {(r["journey_stage"], r["touchpoint"]) for r in worst[:3]}

    def doc(column: str) -> str:
        return definition(docs, "mart_journey_map", column)

    stages: dict[str, list] = {}
    for r in rows:
        stages.setdefault(r["journey_stage"], []).append(
            {
                "row": r,
                "level": _friction_level(r["friction_pct"]),
                "hot": (r["journey_stage"], r["touchpoint"]) in hot,
                "friction_text": fmt_num(r["friction_pct"], 0, "%"),
                "csat_text": fmt_num(r["csat_pct"], 0, "%") if r["experience_touchpoint"] else "not rated",
                "csat_few": bool(r["experience_touchpoint"]) and few(r["csat_responses"]),
                "events_explain": Explained(doc("events"), window),
                "friction_explain": Explained(
                    doc("friction_pct"),
                    window,
                    f"friction_events = {fmt_int(r['friction_events'])} ({doc('friction_events')})",
                    f"events = {fmt_int(r['events'])}",
                ),
                "csat_explain": Explained(
                    doc("csat_pct")
                    + f" Experience touchpoint: {r['experience_touchpoint'] or 'none'}. "
                    + doc("experience_touchpoint"),
                    window,
                    f"csat_satisfied = {fmt_int(r['csat_satisfied'])}",
                    f"csat_responses = {fmt_int(r['csat_responses'])}",
                    r["csat_responses"] if r["experience_touchpoint"] else None,
                ),
            }
        )
    order = ("awareness", "consideration", "purchase", "service", "loyalty")
    page.context = {
        "stages": [(s, stages[s]) for s in order if s in stages]
        + [(s, v) for s, v in stages.items() if s not in order],
        "window": window,
        "doc": definition(docs, "mart_journey_map"),
    }
    return page


# --- NPS ------------------------------------------------------------------------------------------


def nps(con, docs: Docs, as_of: str | None) -> Page:
    page = Page("nps.html", "NPS", "nps.html")
    rows = queries.nps_by_month(con)
    present = {(r["segment"], r["value_tier"]) for r in rows}
    segments = [s for s in SEGMENTS if any(p[0] == s for p in present)]
    tiers = [t for t in ("all", *TIERS[:-1]) if any(p[1] == t for p in present)]
    keys = [f"{s}|{t}" for s in segments for t in tiers if (s, t) in present]
    page.figures["nps-by-month"] = figures.nps_by_month(rows, keys, "all|all")
    impact = queries.nps_impact(con)
    page.figures["nps-impact"] = figures.nps_impact(impact)
    page.context = {
        "segments": segments,
        "tiers": tiers,
        "doc": definition(docs, "mart_nps"),
        "columns": [(c, definition(docs, "mart_nps", c)) for c in ("nps", "responses", "segment", "value_tier")],
        "impact_doc": definition(docs, "mart_touchpoint_nps_impact"),
        "impact_columns": [
            (c, definition(docs, "mart_touchpoint_nps_impact", c))
            for c in ("nps_difference", "nps_with", "respondents_with", "nps_without", "respondents_without")
        ],
        "months": sorted({r["month"] for r in rows}),
        "as_of": as_of,
    }
    return page


# --- funnel and retention -------------------------------------------------------------------------


def funnel(con, docs: Docs, as_of: str | None) -> Page:
    page = Page("funnel.html", "Funnel & retention", "funnel.html")
    stages = queries.funnel(con)
    cohorts = queries.retention(con)
    page.figures["funnel"] = figures.funnel(stages)
    page.figures["retention"] = figures.retention(cohorts)
    page.context = {
        "stages": stages,
        "funnel_doc": definition(docs, "mart_journey_funnel"),
        "funnel_columns": [
            (c, definition(docs, "mart_journey_funnel", c)) for c in ("customers", "conversion_rate", "cohort_month")
        ],
        "retention_doc": definition(docs, "mart_retention_cohorts"),
        "retention_columns": [
            (c, definition(docs, "mart_retention_cohorts", c))
            for c in ("retention_rate", "active_customers", "cohort_customers")
        ],
        "first_cohort": stages[0]["first_cohort"] if stages else None,
        "last_cohort": stages[0]["last_cohort"] if stages else None,
        "as_of": as_of,
    }
    return page


# --- support --------------------------------------------------------------------------------------


def support(con, docs: Docs, as_of: str | None) -> Page:
    page = Page("support.html", "Support", "support.html")
    by_channel = queries.support_months(con)
    per_month: dict[str, dict] = {}
    for r in by_channel:
        m = per_month.setdefault(r["month"], {"month": r["month"]})
        for k, v in r.items():
            if k not in ("month", "channel"):
                m[k] = m.get(k, 0) + (v or 0)
    cells = queries.support_cells(con)
    months = sorted({r["month"] for r in cells})
    shown = months[-1] if months else ""
    page.figures["tickets-by-channel"] = figures.tickets_by_channel(by_channel)
    page.figures["support-rates"] = figures.support_rates(list(per_month.values()))
    page.figures["first-response"] = figures.first_response(cells, months, shown)
    page.context = {
        "months": [(m, month_label(m)) for m in reversed(months)],
        "doc": definition(docs, "mart_support_performance"),
        "columns": [
            (c, definition(docs, "mart_support_performance", c))
            for c in (
                "tickets",
                "one_touch_rate",
                "reopen_rate",
                "csat_pct",
                "median_first_response_hours",
                "p90_first_response_hours",
                "median_resolution_hours",
            )
        ],
        "as_of": as_of,
    }
    return page


# --- voice of the customer ------------------------------------------------------------------------


def voice(con, docs: Docs, as_of: str | None) -> Page:
    page = Page("voice.html", "Voice of the customer", "voice.html")
    page.figures["voice-by-kind"] = figures.voice_by_kind(queries.voice_by_month(con))
    since = _shift_months(as_of[:8] + "01", -(VOICE_MONTHS - 1)) if as_of else "1900-01-01"
    topics = queries.voice_topics(con, since)
    window = (
        f"the calendar months {month_label(since)} to {month_label(as_of[:8] + '01')} (up to the as-of date {as_of})"
        if as_of
        else "every month"
    )

    def doc(column: str) -> str:
        return definition(docs, "mart_voice_of_customer", column)

    page.context = {
        "topics": [
            {
                "row": r,
                "share": 100 * r["mentions"] / r["feedback"] if r["feedback"] else None,
                "share_explain": Explained(
                    doc("share_pct") + " Re-aggregated over the window's months.",
                    window,
                    f"mentions = {fmt_int(r['mentions'])}",
                    f"feedback items of those months = {fmt_int(r['feedback'])}",
                ),
                "rating_few": few(r["rated_mentions"]),
                "rating_explain": Explained(
                    doc("avg_rating"),
                    window,
                    f"rating_sum = {fmt_int(r['rating_sum'])}",
                    f"rated_mentions = {fmt_int(r['rated_mentions'])}",
                    r["rated_mentions"],
                ),
            }
            for r in topics
        ],
        "window": window,
        "doc": definition(docs, "mart_voice_of_customer"),
        "columns": [(c, doc(c)) for c in ("department", "topic", "mentions", "share_pct", "avg_rating")],
    }
    return page


# --- closing the loop -----------------------------------------------------------------------------


def follow_up(con, docs: Docs, as_of: str | None) -> Page:
    page = Page("follow-up.html", "Closing the loop", "follow_up.html")
    rows = queries.backlog(con)
    page.figures["backlog"] = figures.backlog(rows)
    bands = list(dict.fromkeys(r["age_band"] for r in rows))
    signals = list(dict.fromkeys(r["signal"] for r in rows))
    cell = {(r["signal"], r["age_band"]): r for r in rows}

    def doc(column: str) -> str:
        return definition(docs, "mart_follow_up_backlog", column)

    table = []
    for signal in signals:
        mine = [cell[(signal, b)] for b in bands if (signal, b) in cell]
        waiting = sum(r["waiting_days_sum"] for r in mine)
        count = sum(r["open_signals"] for r in mine)
        table.append(
            {
                "signal": signal,
                "cells": [
                    {
                        "row": cell.get((signal, b)),
                        "explain": Explained(
                            doc("open_signals") + " " + doc("age_band"),
                            f"signals of the last 30 days up to the as-of date {as_of}, waiting {b}",
                        ),
                    }
                    for b in bands
                ],
                "total": count,
                "avg_wait": waiting / count if count else None,
                "longest": max(
                    (r["max_waiting_days"] for r in mine if r["max_waiting_days"] is not None), default=None
                ),
                "wait_explain": Explained(
                    doc("avg_waiting_days"),
                    f"up to the end of the as-of date {as_of}",
                    f"waiting_days_sum = {fmt_num(waiting, 2)} days",
                    f"open_signals = {fmt_int(count)}",
                ),
            }
        )
    page.context = {
        "bands": bands,
        "table": table,
        "doc": definition(docs, "mart_follow_up_backlog"),
        "columns": [
            (c, doc(c))
            for c in ("signal", "age_band", "open_signals", "customers", "avg_waiting_days", "max_waiting_days")
        ],
        "as_of": as_of,
    }
    return page


BUILDERS = (overview, targets_board, journey, nps, funnel, support, voice, follow_up)
