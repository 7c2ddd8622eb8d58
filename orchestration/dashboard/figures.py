"""The dashboard's charts, as Plotly figures (JSON-ready dicts the page hands to Plotly.newPlot).

Built with plotly's graph objects, so every attribute is validated when the site is built, not when
a manager opens it. Ratios over too few answers keep their place but are drawn grey; every point's
hover says its value, its numerator and denominator. A chart with filters holds one trace per
choice, tagged with `meta` = the choice's key; the page's script shows the chosen ones (no figure
is computed in the browser, so what is drawn is what was built).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from orchestration.dashboard.explain import MIN_RESPONSES, few, fmt_int, fmt_num, month_label

Figure = dict
GREY = "#b9bec7"
INK = "#1f2933"
# Okabe-Ito: told apart by colour-blind readers too
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
)
SERIES = (BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, INK)
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12, "color": INK}


def _figure(traces: Sequence, height: int = 320, **layout) -> Figure:
    base = {
        "template": "none",
        "height": height,
        "margin": {"l": 56, "r": 24, "t": 16, "b": 40},
        "font": FONT,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"align": "left"},
        "legend": {"orientation": "h", "y": -0.18},
    }
    fig = go.Figure(data=list(traces), layout=base | layout)
    return fig.to_plotly_json()


def _grey_where_few(counts: Sequence[int | None], colour: str) -> list[str]:
    return [GREY if few(n) else colour for n in counts]


def kpi_trend(
    name: str, days: list[str], values: list, counts: list | None, hover: list[str], tickformat: str = ""
) -> Figure:
    """One KPI's 90-day rolling value on every day; days whose window had too few answers are grey."""
    colours = _grey_where_few(counts, BLUE) if counts else BLUE
    trace = go.Scatter(
        x=days,
        y=values,
        name=name,
        mode="lines+markers",
        line={"color": BLUE, "width": 1.5},
        marker={"color": colours, "size": 3},
        hovertext=hover,
        hoverinfo="text",
    )
    return _figure(
        [trace],
        height=130,
        margin={"l": 40, "r": 8, "t": 6, "b": 24},
        showlegend=False,
        xaxis={"showgrid": False, "tickformat": "%b", "tickangle": 0, "nticks": 6},
        yaxis={"tickformat": tickformat, "nticks": 4},
    )


def nps_by_month(rows: list[dict], keys: list[str], shown: str) -> Figure:
    """NPS per month (line) and its responses (bars), one pair of traces per segment x value tier."""
    traces = []
    for key in keys:
        mine = [r for r in rows if f"{r['segment']}|{r['value_tier']}" == key]
        months = [r["month"] for r in mine]
        hover = [
            f"{month_label(r['month'])}: NPS {fmt_num(r['nps'])}<br>"
            f"{r['promoters']} promoters − {r['detractors']} detractors, of {r['responses']} responses"
            + (f"<br><i>too few to judge (under {MIN_RESPONSES})</i>" if few(r["responses"]) else "")
            for r in mine
        ]
        traces.append(
            go.Bar(
                x=months,
                y=[r["responses"] for r in mine],
                name="responses",
                yaxis="y2",
                marker={"color": "rgba(86,180,233,0.35)"},
                hoverinfo="skip",
                meta=key,
                visible=key == shown,
            )
        )
        traces.append(
            go.Scatter(
                x=months,
                y=[r["nps"] for r in mine],
                name="NPS",
                mode="lines+markers",
                line={"color": BLUE, "width": 2},
                marker={"color": _grey_where_few([r["responses"] for r in mine], BLUE), "size": 9},
                hovertext=hover,
                hoverinfo="text",
                meta=key,
                visible=key == shown,
            )
        )
    return _figure(
        traces,
        height=360,
        yaxis={"title": {"text": "NPS"}, "range": [-100, 100], "zeroline": True},
        yaxis2={"title": {"text": "responses"}, "overlaying": "y", "side": "right", "rangemode": "tozero"},
        xaxis={"dtick": "M1", "tickformat": "%b %Y"},
        margin={"l": 56, "r": 56, "t": 16, "b": 40},
    )


def nps_impact(rows: list[dict]) -> Figure:
    """NPS of respondents with the touchpoint minus those without: a correlation, not a cause."""
    colours = [
        GREY
        if few(r["respondents_with"]) or few(r["respondents_without"])
        else (GREEN if (r["nps_difference"] or 0) >= 0 else VERMILLION)
        for r in rows
    ]
    hover = [
        f"<b>{r['touchpoint']}</b>: difference {fmt_num(r['nps_difference'])} NPS points<br>"
        f"with it in the 90 days before answering: NPS {fmt_num(r['nps_with'])} "
        f"of {r['respondents_with']} responses<br>"
        f"without it: NPS {fmt_num(r['nps_without'])} of {r['respondents_without']} responses"
        + (
            f"<br><i>too few to judge (under {MIN_RESPONSES} on a side)</i>"
            if few(r["respondents_with"]) or few(r["respondents_without"])
            else ""
        )
        for r in rows
    ]
    trace = go.Bar(
        x=[r["nps_difference"] for r in rows],
        y=[r["touchpoint"] for r in rows],
        orientation="h",
        marker={"color": colours},
        hovertext=hover,
        hoverinfo="text",
        name="NPS difference",
    )
    return _figure(
        [trace],
        height=max(260, 22 * len(rows) + 60),
        xaxis={"title": {"text": "NPS with − NPS without (points): correlation, not cause"}, "zeroline": True},
        yaxis={"automargin": True},
        margin={"l": 120, "r": 24, "t": 16, "b": 48},
        showlegend=False,
    )


def funnel(stages: list[dict]) -> Figure:
    """Customers reaching each stage, every cohort together, with the conversion from the stage before."""
    labels = [
        "first stage"
        if r["stage_number"] == 1
        else f"{fmt_num(None if r['conversion_rate'] is None else 100 * r['conversion_rate'], 0)}% of previous"
        for r in stages
    ]
    hover = [
        f"<b>{r['journey_stage']}</b>: {fmt_int(r['customers'])} customers reached it<br>"
        + (
            f"conversion {fmt_num(None if r['conversion_rate'] is None else 100 * r['conversion_rate'])}%: "
            f"{fmt_int(r['converted_from_previous_stage'])} of the {fmt_int(r['previous_stage_customers'])} "
            "who reached the previous stage"
            if r["stage_number"] > 1
            else "the first stage: no conversion"
        )
        for r in stages
    ]
    trace = go.Bar(
        x=[r["journey_stage"] for r in stages],
        y=[r["customers"] for r in stages],
        text=labels,
        textposition="outside",
        marker={"color": _grey_where_few([r["previous_stage_customers"] or None for r in stages], BLUE)},
        hovertext=hover,
        hoverinfo="text",
        name="customers",
    )
    return _figure([trace], height=320, yaxis={"title": {"text": "customers"}}, showlegend=False)


def retention(rows: list[dict]) -> Figure:
    """Retention heatmap: first-order cohorts down, months since the first order across; small cohorts grey."""
    cohorts = sorted({r["cohort_month"] for r in rows})
    ks = sorted({r["months_since_first_order"] for r in rows})
    cell = {(r["cohort_month"], r["months_since_first_order"]): r for r in rows}
    size = {r["cohort_month"]: r["cohort_customers"] for r in rows}
    y = [f"{month_label(c)} (n={size[c]:,})" for c in cohorts]

    def grid(small: bool) -> tuple[list, list, list]:
        z, text, hover = [], [], []
        for c in cohorts:
            zr, tr, hr = [], [], []
            for k in ks:
                r = cell.get((c, k))
                keep = r is not None and few(r["cohort_customers"]) == small
                value = 100 * r["retention_rate"] if keep and r["retention_rate"] is not None else None
                zr.append(value)
                tr.append(f"{value:.0f}%" if value is not None else "")
                hr.append(
                    f"cohort {month_label(c)}, month +{k}: {r['active_customers']} of {r['cohort_customers']} "
                    f"customers ordered ({value:.1f}%)" + (" — too few to judge" if small else "")
                    if keep and value is not None
                    else ""
                )
            z.append(zr)
            text.append(tr)
            hover.append(hr)
        return z, text, hover

    z, text, hover = grid(False)
    z_few, text_few, hover_few = grid(True)
    common = {"x": ks, "y": y, "texttemplate": "%{text}", "hoverinfo": "text", "xgap": 2, "ygap": 2}
    traces = [
        go.Heatmap(
            z=z,
            text=text,
            hovertext=hover,
            colorscale="Blues",
            zmin=0,
            zmax=100,
            colorbar={"title": {"text": "% active"}},
            name="retention",
            **common,
        ),
        go.Heatmap(
            z=z_few,
            text=text_few,
            hovertext=hover_few,
            colorscale=[[0, "#e4e7eb"], [1, "#c5cad2"]],
            zmin=0,
            zmax=100,
            showscale=False,
            name=f"cohorts under {MIN_RESPONSES}",
            **common,
        ),
    ]
    return _figure(
        traces,
        height=max(240, 34 * len(cohorts) + 90),
        xaxis={"title": {"text": "months since the first order"}, "dtick": 1, "side": "top"},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 130, "r": 24, "t": 56, "b": 16},
    )


def tickets_by_channel(months: list[dict]) -> Figure:
    channels = sorted({r["channel"] for r in months})
    traces = []
    for i, channel in enumerate(channels):
        mine = [r for r in months if r["channel"] == channel]
        traces.append(
            go.Bar(
                x=[r["month"] for r in mine],
                y=[r["tickets"] for r in mine],
                name=channel,
                marker={"color": SERIES[i % len(SERIES)]},
                hovertext=[f"{month_label(r['month'])}, {channel}: {r['tickets']} tickets opened" for r in mine],
                hoverinfo="text",
            )
        )
    return _figure(traces, barmode="stack", yaxis={"title": {"text": "tickets opened"}}, xaxis={"dtick": "M1"})


def support_rates(per_month: list[dict]) -> Figure:
    """One-touch resolution, reopen rate and CSAT of rated tickets per month, every channel together."""
    series = (
        ("one-touch resolution %", "one_touch_tickets", "solved_tickets", "solved tickets", BLUE),
        ("reopen rate %", "reopened_tickets", "tickets", "tickets", VERMILLION),
        ("CSAT of rated tickets %", "csat_satisfied", "csat_responses", "rated tickets", GREEN),
    )
    traces = []
    for name, num, den, den_label, colour in series:
        values = [100 * r[num] / r[den] if r[den] else None for r in per_month]
        traces.append(
            go.Scatter(
                x=[r["month"] for r in per_month],
                y=values,
                name=name,
                mode="lines+markers",
                line={"color": colour},
                marker={"color": _grey_where_few([r[den] for r in per_month], colour), "size": 9},
                hovertext=[
                    f"{month_label(r['month'])}: {name} {fmt_num(v)}<br>{r[num]} of {r[den]} {den_label}"
                    + (" — too few to judge" if few(r[den]) else "")
                    for r, v in zip(per_month, values, strict=True)
                ],
                hoverinfo="text",
            )
        )
    return _figure(traces, yaxis={"title": {"text": "%"}, "range": [0, 105]}, xaxis={"dtick": "M1"})


def first_response(cells: list[dict], months: list[str], shown: str) -> Figure:
    """Median first-response hours per channel x category, one heatmap per month (medians do not add up)."""
    channels = sorted({r["channel"] for r in cells})
    categories = sorted({r["category"] for r in cells})
    traces = []
    top = max((r["median_first_response_hours"] or 0 for r in cells), default=0) or 1
    for month in months:
        cell = {(r["channel"], r["category"]): r for r in cells if r["month"] == month}
        for small in (False, True):
            z, text, hover = [], [], []
            for ch in channels:
                zr, tr, hr = [], [], []
                for cat in categories:
                    r = cell.get((ch, cat))
                    v = r["median_first_response_hours"] if r else None
                    keep = r is not None and v is not None and few(r["responded_tickets"]) == small
                    zr.append(v if keep else None)
                    tr.append(fmt_num(v) if keep else "")
                    hr.append(
                        f"{month_label(month)}, {ch} / {cat}: median {fmt_num(v)} h, p90 "
                        f"{fmt_num(r['p90_first_response_hours'])} h to the first response, over "
                        f"{r['responded_tickets']} answered of {r['tickets']} tickets; median resolution "
                        f"{fmt_num(r['median_resolution_hours'])} h" + (" — too few to judge" if small else "")
                        if keep
                        else ""
                    )
                z.append(zr)
                text.append(tr)
                hover.append(hr)
            traces.append(
                go.Heatmap(
                    x=categories,
                    y=channels,
                    z=z,
                    text=text,
                    hovertext=hover,
                    texttemplate="%{text}",
                    hoverinfo="text",
                    zmin=0,
                    zmax=top,
                    colorscale=[[0, "#e4e7eb"], [1, "#c5cad2"]] if small else "Oranges",
                    showscale=not small,
                    colorbar={"title": {"text": "hours"}},
                    xgap=2,
                    ygap=2,
                    name="few tickets" if small else "median first-response hours",
                    meta=month,
                    visible=month == shown,
                )
            )
    return _figure(traces, height=300, yaxis={"automargin": True}, margin={"l": 80, "r": 24, "t": 16, "b": 60})


def voice_by_kind(rows: list[dict]) -> Figure:
    kinds = ("complaint", "compliment", "suggestion", "question")
    colours = {"complaint": VERMILLION, "compliment": GREEN, "suggestion": BLUE, "question": ORANGE}
    traces = []
    for kind in kinds:
        mine = [r for r in rows if r["kind"] == kind]
        if not mine:
            continue
        traces.append(
            go.Bar(
                x=[r["month"] for r in mine],
                y=[r["mentions"] for r in mine],
                name=kind,
                marker={"color": colours[kind]},
                hovertext=[
                    f"{month_label(r['month'])}: {r['mentions']} {kind}s of {r['month_feedback']} feedback items "
                    f"({100 * r['mentions'] / r['month_feedback']:.1f}%)"
                    for r in mine
                ],
                hoverinfo="text",
            )
        )
    return _figure(traces, barmode="stack", yaxis={"title": {"text": "feedback items"}}, xaxis={"dtick": "M1"})


def backlog(rows: list[dict]) -> Figure:
    """Open signals by age band, one colour per signal."""
    colours = {"detractor": VERMILLION, "low_csat": ORANGE, "complaint": PURPLE}
    signals = list(dict.fromkeys(r["signal"] for r in rows))
    traces = []
    for signal in signals:
        mine = [r for r in rows if r["signal"] == signal]
        traces.append(
            go.Bar(
                x=[r["age_band"] for r in mine],
                y=[r["open_signals"] for r in mine],
                name=signal,
                marker={"color": colours.get(signal, BLUE)},
                hovertext=[
                    f"{signal}, waiting {r['age_band']}: {r['open_signals']} open signals of {r['customers']} "
                    f"customers; mean wait {fmt_num(r['avg_waiting_days'])} days, longest "
                    f"{fmt_num(r['max_waiting_days'])} days"
                    for r in mine
                ],
                hoverinfo="text",
            )
        )
    return _figure(
        traces,
        barmode="stack",
        height=300,
        yaxis={"title": {"text": "open signals"}, "rangemode": "tozero"},
        xaxis={"title": {"text": "waiting since the signal (whole days, up to the as-of date)"}},
    )
