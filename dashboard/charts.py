"""data.json -> Plotly figure dicts. Pure: no database, no request.

One grouped horizontal bar chart per comparative question (patients vs staff,
percentage choosing each option, as the report drew them) with 95% Wilson
intervals, a marker where the difference is significant, and the report's 2014
figures as a switchable series; demographics; responses by service and month.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

COLOURS = {"patient": "#0a4fb3", "staff": "#b35c00", "patient_2014": "#8fb3e8", "staff_2014": "#e8bf8f"}
NAMES = {"patient": "Patients", "staff": "Staff"}
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
        f"{NAMES[group]}: fewer than {data['min_cell']} responses"
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
    ['Patients', 'Staff', 'Patients, 2014', 'Staff, 2014', 'Significant difference']

    A question one group is not asked draws no empty series for it:

    >>> helped = {"code": "helped_by", "title": "Who helped?", "options": [{"code": "staff", "label": "Staff",
    ...      "patient": {"count": 9, "pct": 20.0, "ci": [10.9, 33.8]}, "staff": None}]}
    >>> [trace["name"] for trace in question_figure(helped, data)["data"]]
    ['Patients']
    """
    options = list(reversed(question["options"]))  # Plotly draws the first category at the bottom
    labels = [_wrap(option["label"]) for option in options]
    traces = []
    for group in ("patient", "staff"):
        summary = data["groups"][group]
        if summary["suppressed"]:
            continue
        cells = [option[group] for option in options]
        if all(cell is None for cell in cells):
            continue  # a question this group is not asked (patients' helped_by): no empty series in the legend
        traces.append(
            go.Bar(
                name=NAMES[group],
                y=labels,
                x=[cell["pct"] if cell else None for cell in cells],
                orientation="h",
                marker_color=COLOURS[group],
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=[round(cell["ci"][1] - cell["pct"], 1) if cell and cell["ci"] else None for cell in cells],
                    arrayminus=[round(cell["pct"] - cell["ci"][0], 1) if cell and cell["ci"] else None for cell in cells],
                    color="#333",
                    thickness=1.2,
                    width=3,
                ),
                customdata=[
                    [cell["count"], cell.get("base", summary["n"]), cell["ci"][0], cell["ci"][1]]
                    if cell and cell["ci"]
                    else [None] * 4
                    for cell in cells
                ],
                hovertemplate=(
                    f"{NAMES[group]}: %{{x}}%<br>%{{customdata[0]}} of %{{customdata[1]}}"
                    "<br>95% CI %{customdata[2]}–%{customdata[3]}%<extra></extra>"
                ),
            )
        )
    for group in ("patient", "staff"):
        published = [option.get("report_2014", {}).get(group) for option in options]
        if any(value is not None for value in published):
            traces.append(
                go.Bar(
                    name=f"{NAMES[group]}, 2014",
                    y=labels,
                    x=published,
                    orientation="h",
                    marker=dict(color=COLOURS[f"{group}_2014"], pattern=dict(shape="/", fgcolor="#555")),
                    # Switched on by the page's "2014 report" checkbox.
                    visible=False,
                    showlegend=False,
                    hovertemplate=f"{NAMES[group]}, 2014 report: %{{x}}%<extra></extra>",
                    meta="report_2014",
                )
            )
    significant = [option for option in options if option.get("significant")]
    if significant:
        traces.append(
            go.Scatter(
                name="Significant difference",
                showlegend=False,
                y=[_wrap(option["label"]) for option in significant],
                x=[min(106, _top(option) + 4) for option in significant],
                mode="markers",
                marker=dict(symbol="star", size=14, color="#1a1a1a"),
                customdata=[_p(option["p_value"]) for option in significant],
                hovertemplate="Patients and staff differ (Fisher's exact test, Holm-adjusted p = %{customdata})<extra></extra>",
            )
        )
    note = group_note(data)
    if significant:
        note = "; ".join(filter(None, [note, "★ significant patient–staff difference"]))
    layout = _layout(
        question["title"],
        bottom=64,
        height=max(260, 150 + 58 * len(options)),
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


def _top(option: dict) -> float:
    return max((option[g]["ci"][1] for g in ("patient", "staff") if option.get(g) and option[g]["ci"]), default=0)


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def demographic_figure(question: dict, group: str, data: dict) -> dict:
    summary = data["groups"][group]
    options = [option for option in question["options"] if option[group] is not None]
    title = f"{NAMES[group]}: {question['title']}"
    if summary["suppressed"]:
        layout = _layout(title, height=200, annotations=[_empty(f"Fewer than {data['min_cell']} responses")])
        return go.Figure(layout=layout).to_plotly_json()
    labels = [_wrap(option["label"], 40) for option in reversed(options)]
    cells = [option[group] for option in reversed(options)]
    traces = [
        go.Bar(
            name=NAMES[group],
            y=labels,
            x=[cell["pct"] for cell in cells],
            orientation="h",
            marker_color=COLOURS[group],
            text=[f"{cell['pct']}%" if cell["pct"] is not None else f"fewer than {data['min_cell']}" for cell in cells],
            textposition="outside",
            customdata=[cell["count"] for cell in cells],
            hovertemplate="%{y}: %{x}% (%{customdata} people)<extra></extra>",
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
                name=NAMES[group],
                x=[row["service"] for row in rows],
                y=[row[group] for row in rows],
                marker_color=COLOURS[group],
                hovertemplate=f"%{{x}}, {NAMES[group].lower()}: %{{y}}<extra></extra>",
            )
        )
    hidden = [row["service"] for row in rows if row["patient"] is None or row["staff"] is None]
    note = f"Gaps: fewer than {data['min_cell']} responses" if hidden else ""
    layout = _layout(
        "Responses by service",
        height=380,
        barmode="group",
        xaxis=dict(type="category", title="Service", automargin=True),
        yaxis=dict(title="Responses", gridcolor="#e5e5e5", rangemode="tozero", automargin=True),
        annotations=[dict(text=note, x=1, y=1.06, xref="paper", yref="paper", showarrow=False, xanchor="right")] if note else [],
    )
    if not rows:
        layout["annotations"] = [_empty("No responses in this selection")]
    return go.Figure(data=traces if rows else [], layout=layout).to_plotly_json()


def by_month_figure(data: dict) -> dict:
    rows = data["by_month"]
    traces = [
        go.Scatter(
            name=NAMES[group],
            x=[row["month"] for row in rows],
            y=[row[group] for row in rows],
            mode="lines+markers",
            connectgaps=False,
            line=dict(color=COLOURS[group], width=3),
            hovertemplate=f"%{{x}}, {NAMES[group].lower()}: %{{y}}<extra></extra>",
        )
        for group in ("patient", "staff")
    ]
    layout = _layout(
        "Responses over time (by month)",
        height=340,
        xaxis=dict(type="category", title="Month", automargin=True),
        yaxis=dict(title="Responses", gridcolor="#e5e5e5", rangemode="tozero", automargin=True),
    )
    if not rows:
        layout["annotations"] = [_empty("No responses in this selection")]
    return go.Figure(data=traces if rows else [], layout=layout).to_plotly_json()


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
                }
            )
    for group, code in DEMOGRAPHICS:
        question = by_code.get(code)
        if question is not None:
            figures.append(
                {
                    "id": f"d-{group}-{code}",
                    "section": "demographics",
                    "title": f"{NAMES[group]}: {question['title']}",
                    "figure": demographic_figure(question, group, data),
                }
            )
    figures.append(
        {"id": "by-service", "section": "responses", "title": "Responses by service", "figure": by_service_figure(data)}
    )
    figures.append({"id": "by-month", "section": "responses", "title": "Responses over time", "figure": by_month_figure(data)})
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
