"""data.json -> Plotly figure dicts. Pure: no database, no request.

The words on a chart (titles, axes, legends, notes) are in the active language;
the questions' own words come as data.json has them.

One grouped horizontal bar chart per comparative question (patients vs staff,
percentage choosing each option, as the report drew them) with 95% Wilson
intervals, a marker where the difference is significant, and the report's 2014
figures as a switchable series; demographics; responses by service and month.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
from django.utils.translation import gettext, gettext_noop, pgettext

COLOURS = {"patient": "#0a4fb3", "staff": "#b35c00", "patient_2014": "#8fb3e8", "staff_2014": "#e8bf8f"}
# The comparison and 2014 series: light, and hatched differently for each group,
# so patients and staff stay apart in greyscale and print as well as in colour.
PATTERNS = {"patient": "/", "staff": "x"}
NAMES = {"patient": gettext_noop("Patients"), "staff": gettext_noop("Staff")}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
DEMOGRAPHICS = [
    ("patient", "time_in_service"),
    ("patient", "time_in_secure"),
    ("patient", "gender"),
    ("patient", "ethnicity"),
    ("staff", "age_band"),
    ("staff", "gender"),
    ("staff", "ethnicity"),
]
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def _group(group: str) -> str:
    """A group's name on a chart, in the active language."""
    return gettext(NAMES[group])


def _of(count: str, n: str) -> str:
    """ "12 of 40", for hover texts whose numbers are Plotly's placeholders."""
    return gettext("%(count)s of %(n)s") % {"count": count, "n": n}


# A 95% confidence interval, in hover texts.
CI = gettext_noop("95% CI")


def _against(compare: dict) -> str:
    """What a comparison is called beside a group's name: "Patients, national picture".

    >>> _against({"with": "national"}), _against({"with": "2014"}), _against({"with": "wave:2025"})
    ('national picture', '2014 report', 'Wave 2025')
    """
    if compare["with"] == "national":
        return pgettext("after a group's name on a chart", "national picture")
    if compare["with"] == "2014":
        return pgettext("after a group's name on a chart", "2014 report")
    return gettext("Wave %(code)s") % {"code": compare["with"].removeprefix("wave:")}


def _wrap(label: str, width: int = 34) -> str:
    return "<br>".join(textwrap.wrap(label, width)) or label


def _layout(title: str, *, height: int, bottom: int = 40, **extra) -> dict:
    wrapped = _wrap(title, 58)
    lines = wrapped.count("<br>") + 1
    # Title, then the legend (two rows at most), then the plot, measured in
    # pixels from the top so nothing overlaps however long the title.
    title_px = 24 + 21 * lines
    total = height + 21 * (lines - 1)
    return dict(
        title=dict(text=wrapped, x=0.01, xanchor="left", xref="container", y=1 - 16 / total, yanchor="top", font=dict(size=16)),
        font=dict(family=FONT, size=13, color="#1a1a1a"),
        height=total,
        margin=dict(l=10, r=20, t=title_px + 36, b=bottom),
        legend=dict(
            orientation="h",
            xref="container",
            x=0.01,
            xanchor="left",
            yref="container",
            y=1 - title_px / total,
            yanchor="top",
        ),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        template="none",
        **extra,
    )


def group_note(data: dict) -> str:
    """'Staff: fewer than 5 responses' for every suppressed group, else ''."""
    notes = [
        gettext("%(group)s: fewer than %(min_cell)s responses") % {"group": _group(group), "min_cell": data["min_cell"]}
        for group, summary in data["groups"].items()
        if summary["suppressed"]
    ]
    return "; ".join(notes)


def question_figure(question: dict, data: dict) -> dict:
    """The report's chart for one question.

    >>> data = {"min_cell": 5, "groups": {"patient": {"n": 213, "suppressed": False},
    ...         "staff": {"n": 54, "suppressed": False}}}
    >>> q = {"code": "useful", "title": "Useful?", "options": [{"code": "yes", "label": "Yes",
    ...      "patient": {"count": 139, "pct": 65.3, "ci": [58.6, 71.3]},
    ...      "staff": {"count": 43, "pct": 79.6, "ci": [67.1, 88.2]},
    ...      "significant": True, "p_value": 0.0497, "report_2014": {"patient": 65.0, "staff": 80.0}}]}
    >>> [trace["name"] for trace in question_figure(q, data)["data"]]
    ['Patients', 'Staff', 'Patients, 2014 report', 'Staff, 2014 report', 'Significant difference']

    Beside a comparison, each group's bars are followed by the comparison's,
    hatched, and carry the change in points:

    >>> q["options"][0].update(compare={"patient": {"count": 120, "pct": 60.0, "ci": [53.0, 66.6]}, "staff": None},
    ...                        change={"patient": {"points": 5.3, "p": 0.2, "significant": False}, "staff": None})
    >>> compared = question_figure(q, {**data, "compare": {"with": "national", "label": "The national picture",
    ...     "groups": {"patient": {"n": 200}, "staff": {"n": 50}}}})
    >>> [(trace["name"], trace.get("text")) for trace in compared["data"]][:3]
    [('Patients', ['+5.3']), ('Patients, national picture', None), ('Staff', [''])]

    A question one group is not asked draws no empty series for it:

    >>> helped = {"code": "helped_by", "title": "Who helped?", "options": [{"code": "staff", "label": "Staff",
    ...      "patient": {"count": 9, "pct": 20.0, "ci": [10.9, 33.8]}, "staff": None}]}
    >>> [trace["name"] for trace in question_figure(helped, data)["data"]]
    ['Patients']
    """
    options = list(reversed(question["options"]))  # Plotly draws the first category at the bottom
    labels = [_wrap(option["label"]) for option in options]
    compare = data.get("compare")
    traces = []
    for group in ("patient", "staff"):
        summary = data["groups"][group]
        if summary["suppressed"]:
            continue
        cells = [option[group] for option in options]
        if all(cell is None for cell in cells):
            continue  # a question this group is not asked (patients' helped_by): no empty series in the legend
        bar = _bar(_group(group), labels, cells, summary["n"], COLOURS[group])
        if compare:
            changes = [(option.get("change") or {}).get(group) for option in options]
            bar.update(
                text=[_change_text(change) for change in changes],
                textposition="auto",
                insidetextanchor="start",
                textfont=dict(color="#ffffff"),
                outsidetextfont=dict(color="#1a1a1a"),
            )
        traces.append(bar)
        if compare:
            theirs = [(option.get("compare") or {}).get(group) for option in options]
            other = _bar(
                f"{_group(group)}, {_against(compare)}",
                labels,
                theirs,
                compare["groups"][group].get("n"),
                COLOURS[f"{group}_2014"],
            )
            other.update(marker=dict(color=COLOURS[f"{group}_2014"], pattern=dict(shape=PATTERNS[group], fgcolor="#333")))
            traces.append(other)
    for group in ("patient", "staff"):
        published = [option.get("report_2014", {}).get(group) for option in options]
        if not compare and any(value is not None for value in published):
            name = f"{_group(group)}, {_against({'with': '2014'})}"
            traces.append(
                go.Bar(
                    name=name,
                    y=labels,
                    x=published,
                    orientation="h",
                    marker=dict(color=COLOURS[f"{group}_2014"], pattern=dict(shape=PATTERNS[group], fgcolor="#333")),
                    # Switched on by the page's "2014 report" checkbox.
                    visible=False,
                    showlegend=False,
                    hovertemplate=f"{name}: %{{x}}%<extra></extra>",
                    meta="report_2014",
                )
            )
    significant = [option for option in options if option.get("significant")]
    if significant:
        traces.append(
            go.Scatter(
                name=gettext("Significant difference"),
                showlegend=False,
                y=[_wrap(option["label"]) for option in significant],
                x=[min(106, _top(option) + 4) for option in significant],
                mode="markers",
                marker=dict(symbol="star", size=14, color="#1a1a1a"),
                customdata=[_p(option["p_value"]) for option in significant],
                hovertemplate=gettext("Patients and staff differ (Fisher's exact test, Holm-adjusted p = %(p)s)")
                % {"p": "%{customdata}"}
                + "<extra></extra>",
            )
        )
    note = group_note(data)
    if significant:
        note = "; ".join(filter(None, [note, gettext("★ significant patient–staff difference")]))
    if compare:
        # Short lines: a narrow screen would cut one long line at the left.
        against = gettext("on bars: change in points vs %(against)s") % {"against": _against(compare)}
        note = "<br>".join(filter(None, [note, against, gettext("* significant")]))
    layout = _layout(
        question["title"],
        bottom=64 + 18 * note.count("<br>"),
        height=max(260, 150 + (96 if compare else 58) * len(options)),
        barmode="group",
        xaxis=dict(
            range=[0, 110],
            gridcolor="#e5e5e5",
            zeroline=False,
            tickvals=[0, 20, 40, 60, 80, 100],
            ticktext=["0%", "20%", "40%", "60%", "80%", "100%"],
        ),
        yaxis=dict(automargin=True),
        annotations=[_empty(note)]
        if note and not traces
        else (
            [dict(text=note, x=1, y=0, yshift=-34, xref="paper", yref="paper", showarrow=False, xanchor="right", yanchor="top")]
            if note
            else []
        ),
    )
    return go.Figure(data=traces, layout=layout).to_plotly_json()


def _bar(name: str, labels: list[str], cells: list[dict | None], n: int | None, colour: str) -> go.Bar:
    """One group's bars with their 95% intervals; a missing or hidden cell draws nothing."""
    return go.Bar(
        name=name,
        y=labels,
        x=[cell["pct"] if cell else None for cell in cells],
        orientation="h",
        marker_color=colour,
        error_x=dict(
            type="data",
            symmetric=False,
            array=[round(cell["ci"][1] - cell["pct"], 1) if cell and cell.get("ci") else None for cell in cells],
            arrayminus=[round(cell["pct"] - cell["ci"][0], 1) if cell and cell.get("ci") else None for cell in cells],
            color="#333",
            thickness=1.2,
            width=3,
        ),
        customdata=[
            [cell["count"], cell.get("base", n), cell["ci"][0], cell["ci"][1]] if cell and cell.get("ci") else [None] * 4
            for cell in cells
        ],
        hovertemplate=(
            f"{name}: %{{x}}%<br>{_of('%{customdata[0]}', '%{customdata[1]}')}<br>"
            f"{gettext(CI)} %{{customdata[2]}}–%{{customdata[3]}}%<extra></extra>"
        ),
    )


def _change_text(change: dict | None) -> str:
    """'+12.3*' on a bar: the change in points, starred where significant.

    >>> _change_text({"points": 12.3, "p": 0.01, "significant": True}), _change_text({"points": -4.0, "significant": False})
    ('+12.3*', '−4.0')
    >>> _change_text(None)
    ''
    """
    if not change:
        return ""
    return f"{change['points']:+.1f}".replace("-", "−") + ("*" if change.get("significant") else "")


def _top(option: dict) -> float:
    return max((option[g]["ci"][1] for g in ("patient", "staff") if option.get(g) and option[g]["ci"]), default=0)


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def demographic_figure(question: dict, group: str, data: dict) -> dict:
    summary = data["groups"][group]
    options = [option for option in question["options"] if option[group] is not None]
    title = f"{_group(group)}: {question['title']}"
    if summary["suppressed"]:
        too_few = gettext("Fewer than %(min_cell)s responses") % {"min_cell": data["min_cell"]}
        layout = _layout(title, height=200, annotations=[_empty(too_few)])
        return go.Figure(layout=layout).to_plotly_json()
    labels = [_wrap(option["label"], 40) for option in reversed(options)]
    cells = [option[group] for option in reversed(options)]
    traces = [
        go.Bar(
            name=_group(group),
            y=labels,
            x=[cell["pct"] for cell in cells],
            orientation="h",
            marker_color=COLOURS[group],
            text=[
                f"{cell['pct']}%"
                if cell["pct"] is not None
                else gettext("fewer than %(min_cell)s") % {"min_cell": data["min_cell"]}
                for cell in cells
            ],
            textposition="outside",
            customdata=[cell["count"] for cell in cells],
            hovertemplate="%{y}: %{x}% (" + gettext("%(count)s people") % {"count": "%{customdata}"} + ")<extra></extra>",
            showlegend=False,
        )
    ]
    layout = _layout(
        title,
        height=max(220, 100 + 34 * len(options)),
        xaxis=dict(range=[0, 110], ticksuffix="%", gridcolor="#e5e5e5"),
        yaxis=dict(automargin=True),
    )
    return go.Figure(data=traces, layout=layout).to_plotly_json()


def _empty(text: str) -> dict:
    return dict(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=15))


def by_service_figure(data: dict) -> dict:
    rows = data["by_service"]
    traces = []
    for group in ("patient", "staff"):
        traces.append(
            go.Bar(
                name=_group(group),
                x=[row["service"] for row in rows],
                y=[row[group] for row in rows],
                marker_color=COLOURS[group],
                hovertemplate=f"%{{x}}, {_group(group).lower()}: %{{y}}<extra></extra>",
            )
        )
    hidden = [row["service"] for row in rows if row["patient"] is None or row["staff"] is None]
    note = gettext("Gaps: fewer than %(min_cell)s responses") % {"min_cell": data["min_cell"]} if hidden else ""
    layout = _layout(
        gettext("Responses by service"),
        height=380,
        barmode="group",
        xaxis=dict(type="category", title=gettext("Service"), automargin=True),
        yaxis=dict(title=gettext("Responses"), gridcolor="#e5e5e5", rangemode="tozero", automargin=True),
        annotations=[dict(text=note, x=1, y=1.06, xref="paper", yref="paper", showarrow=False, xanchor="right")] if note else [],
    )
    if not rows:
        layout["annotations"] = [_empty(gettext("No responses in this selection"))]
    return go.Figure(data=traces if rows else [], layout=layout).to_plotly_json()


def by_month_figure(data: dict) -> dict:
    rows = data["by_month"]
    traces = [
        go.Scatter(
            name=_group(group),
            x=[row["month"] for row in rows],
            y=[row[group] for row in rows],
            mode="lines+markers",
            connectgaps=False,
            line=dict(color=COLOURS[group], width=3),
            hovertemplate=f"%{{x}}, {_group(group).lower()}: %{{y}}<extra></extra>",
        )
        for group in ("patient", "staff")
    ]
    layout = _layout(
        gettext("Responses over time (by month)"),
        height=340,
        xaxis=dict(type="category", title=gettext("Month"), automargin=True),
        yaxis=dict(title=gettext("Responses"), gridcolor="#e5e5e5", rangemode="tozero", automargin=True),
    )
    if not rows:
        layout["annotations"] = [_empty(gettext("No responses in this selection"))]
    return go.Figure(data=traces if rows else [], layout=layout).to_plotly_json()


def trend_figure(trends: dict) -> dict:
    """trends.json as a line per group with its 95% intervals; a period too small
    to show is a gap, said under the chart.

    >>> trends = {"title": "Useful?", "label": "Yes", "by": "wave", "min_cell": 5, "series": [
    ...     {"period": "2014", "patient": {"n": 213, "count": 139, "pct": 65.3, "ci": [58.6, 71.3]}, "staff": None},
    ...     {"period": "2026", "patient": {"n": None, "count": None, "pct": None, "ci": None}, "staff": None}]}
    >>> figure = trend_figure(trends)
    >>> [trace["name"] for trace in figure["data"]], figure["data"][0]["y"]
    (['Patients'], [65.3, None])
    >>> figure["layout"]["annotations"][0]["text"]
    'Gaps: fewer than 5 responses'
    """
    periods = [point.get("label", point["period"]) for point in trends["series"]]
    split = trends.get("split")
    traces, gaps = [], False
    for group, dash in (("patient", "solid"), ("staff", "dash")):
        cells = [point[group] for point in trends["series"]]
        if all(cell is None for cell in cells):
            continue  # not asked of this group
        gaps |= any(cell is not None and cell["pct"] is None for cell in cells)
        traces.append(
            go.Scatter(
                name=_group(group),
                x=periods,
                y=[cell["pct"] if cell else None for cell in cells],
                # A split's answers are not a sequence: points, not a line.
                mode="markers" if split else "lines+markers",
                connectgaps=False,
                line=dict(color=COLOURS[group], width=3, dash=dash),
                marker=dict(size=11 if split else 9, symbol="circle" if group == "patient" else "square"),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=[round(c["ci"][1] - c["pct"], 1) if c and c["ci"] else None for c in cells],
                    arrayminus=[round(c["pct"] - c["ci"][0], 1) if c and c["ci"] else None for c in cells],
                    color=COLOURS[group],
                    thickness=1.2,
                    width=4,
                ),
                customdata=[[c["count"], c["n"]] if c and c["pct"] is not None else [None, None] for c in cells],
                hovertemplate=f"{_group(group)}, %{{x}}: %{{y}}%<br>{_of('%{customdata[0]}', '%{customdata[1]}')}<extra></extra>",
            )
        )
    if split:
        by = gettext(split)
        by_words = gettext("by %(split)s") % {"split": by.lower()}
    else:
        by = {"month": gettext("Month of release"), "quarter": gettext("Quarter of release"), "wave": gettext("Wave")}[
            trends["by"]
        ]
        by_words = {"month": gettext("by month"), "quarter": gettext("by quarter"), "wave": gettext("by wave")}[trends["by"]]
    layout = _layout(
        f"{trends['title']} — “{trends['label']}”, {by_words}",
        height=360,
        bottom=70,
        xaxis=dict(type="category", title=by, automargin=True),
        yaxis=dict(
            range=[0, 105],
            tickvals=[0, 20, 40, 60, 80, 100],
            ticktext=["0%", "20%", "40%", "60%", "80%", "100%"],
            gridcolor="#e5e5e5",
            title=gettext("Chose this answer"),
            automargin=True,
        ),
        annotations=[
            dict(
                text=gettext("Gaps: fewer than %(min_cell)s responses") % {"min_cell": trends["min_cell"]},
                x=1,
                y=0,
                yshift=-52,
                xref="paper",
                yref="paper",
                showarrow=False,
                xanchor="right",
            )
        ]
        if gaps
        else [],
    )
    if not periods:
        layout["annotations"] = [_empty(gettext("No released responses in this selection"))]
    return go.Figure(data=traces, layout=layout).to_plotly_json()


BANDS = {
    # xgettext:no-python-format
    None: ("#0a4fb3", "circle", gettext_noop("Within the 95% limits")),
    "95": ("#b35c00", "diamond", gettext_noop("Outside 95%")),
    "99.8": ("#a3001b", "triangle-up", gettext_noop("Outside 99.8%")),
}


def funnel_figure(across: dict, group: str) -> dict:
    """Services against the national figure for one group: a funnel plot (each
    service's percentage by its number of respondents, inside limits that
    narrow as services grow), so a small service is not ranked on noise.

    >>> across = {"title": "Useful?", "label": "Yes", "min_cell": 5,
    ...     "national": {"patient": {"n": 400, "count": 240, "pct": 60.0, "ci": [55.1, 64.7]}},
    ...     "services": [{"service": "CL", "name": "Chadwick", "patient": {"n": 40, "count": 36, "pct": 90.0,
    ...                   "ci": [77.0, 96.0], "z": 3.87, "outside": "99.8"}}],
    ...     "limits": {"patient": [{"n": 5, "95": [17.1, 100.0], "99.8": [0.0, 100.0]},
    ...                            {"n": 40, "95": [44.8, 75.2], "99.8": [36.1, 83.9]}]}}
    >>> [trace["name"] for trace in funnel_figure(across, "patient")["data"]]
    ['National 60.0%', '95% limits', '95% limits', '99.8% limits', '99.8% limits', 'Outside 99.8%']
    """
    national = across["national"].get(group)
    limits = across["limits"].get(group, [])
    shown = [row for row in across["services"] if row.get(group) and row[group]["pct"] is not None]
    title = gettext("%(group)s: %(title)s — “%(label)s”, each service against the national figure") % {
        "group": _group(group),
        "title": across["title"],
        "label": across["label"],
    }
    if not national or national["pct"] is None or not shown:
        note = (
            gettext("Fewer than %(min_cell)s responses") % {"min_cell": across["min_cell"]}
            if not national or national["pct"] is None
            else gettext("No service has enough responses to show")
        )
        return go.Figure(layout=_layout(title, height=300, annotations=[_empty(note)])).to_plotly_json()
    sizes = [point["n"] for point in limits]
    traces = [
        go.Scatter(
            name=gettext("National %(pct)s%%") % {"pct": national["pct"]},
            x=[sizes[0], sizes[-1]] if sizes else [],
            y=[national["pct"]] * 2 if sizes else [],
            mode="lines",
            line=dict(color="#1a1a1a", width=2),
            hoverinfo="skip",
        )
    ]
    for band, dash in (("95", "dash"), ("99.8", "dot")):
        for side in (0, 1):
            traces.append(
                go.Scatter(
                    name=gettext("%(band)s%% limits") % {"band": band},
                    x=sizes,
                    y=[point[band][side] for point in limits],
                    mode="lines",
                    line=dict(color="#6b6b6b", width=1.5, dash=dash),
                    showlegend=side == 0,
                    legendgroup=band,
                    hoverinfo="skip",
                )
            )
    for band, (colour, symbol, name) in BANDS.items():
        rows = [row for row in shown if row[group]["outside"] == band]
        if not rows:
            continue
        traces.append(
            go.Scatter(
                name=gettext(name),
                x=[row[group]["n"] for row in rows],
                y=[row[group]["pct"] for row in rows],
                # Codes beside the services outside the limits only: inside them,
                # several small services share a point and their labels would pile up.
                mode="markers+text" if band else "markers",
                text=[row["service"] for row in rows] if band else None,
                textposition="middle right",
                marker=dict(color=colour, symbol=symbol, size=11, line=dict(color="#ffffff", width=1)),
                customdata=[[row["name"], row[group]["count"], row[group]["ci"][0], row[group]["ci"][1]] for row in rows],
                hovertemplate=f"%{{customdata[0]}}: %{{y}}% ({_of('%{customdata[1]}', '%{x}')})<br>"
                f"{gettext(CI)} %{{customdata[2]}}–%{{customdata[3]}}%<extra></extra>",
            )
        )
    layout = _layout(
        title,
        height=460,
        xaxis=dict(title=gettext("Respondents in the service"), gridcolor="#e5e5e5", rangemode="tozero", automargin=True),
        yaxis=dict(
            range=[0, 105],
            tickvals=[0, 20, 40, 60, 80, 100],
            ticktext=["0%", "20%", "40%", "60%", "80%", "100%"],
            gridcolor="#e5e5e5",
            title=gettext("Chose this answer"),
            automargin=True,
        ),
    )
    return go.Figure(data=traces, layout=layout).to_plotly_json()


def all_figures(data: dict) -> list[dict]:
    """Every chart of the dashboard, in the report's order: [{id, section, title, figure}]."""
    figures = []
    by_code = {question["code"]: question for question in data["questions"]}
    for question in data["questions"]:
        if question["section"] != "about_you":
            figures.append(
                {
                    "id": f"q-{question['code']}",
                    "section": "findings",
                    "title": question["title"],
                    "figure": question_figure(question, data),
                    "question": _table(question),
                    "code": question["code"],
                }
            )
    for group, code in DEMOGRAPHICS:
        question = by_code.get(code)
        if question is not None:
            figures.append(
                {
                    "id": f"d-{group}-{code}",
                    "section": "demographics",
                    "title": f"{_group(group)}: {question['title']}",
                    "figure": demographic_figure(question, group, data),
                }
            )
    figures.append(
        {"id": "by-service", "section": "responses", "title": gettext("Responses by service"), "figure": by_service_figure(data)}
    )
    figures.append(
        {"id": "by-month", "section": "responses", "title": gettext("Responses over time"), "figure": by_month_figure(data)}
    )
    return figures


def _table(question: dict) -> dict:
    """The chart's numbers for its 'Show as a table' fallback."""
    return {
        "options": [
            {
                "label": option["label"],
                "cells": [option["patient"], option["staff"]],
                "significant": option["significant"],
                "p_value": option["p_value"],
            }
            for option in question["options"]
        ]
    }
