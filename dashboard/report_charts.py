"""The report's charts as SVG: horizontal bars with the number on each bar,
patients solid and staff hatched so they still read when printed in grey,
and the 2014 report's figure as a black tick across each bar.

Hand-written rather than Plotly's static export, which needs a headless
browser (Kaleido) on the server: these are plain vector drawings that
WeasyPrint puts into the PDF as they are and a browser shows as an image.
Pure functions of a data.json question; tested without a database.
"""

from __future__ import annotations

import base64
import textwrap
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

GROUP_NAMES = {"patient": gettext_lazy("Patients"), "staff": gettext_lazy("Staff")}
# A group's answers in a chart's words: one sentence each, so that a language may order it its own way.
GROUP_ANSWERS = {"patient": gettext_lazy("Patients: %(answers)s."), "staff": gettext_lazy("Staff: %(answers)s.")}
GROUP_FILLS = {"patient": "#1d4e89", "staff": "url(#staff-hatch)"}
WIDTH = 680
LABEL_WIDTH = 230
BAR_AREA = 370
BAR_HEIGHT = 16
BAR_GAP = 3
ROW_GAP = 12
LINE_HEIGHT = 13
LEGEND_HEIGHT = 26
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"

DEFS = (
    "<defs>"
    '<pattern id="staff-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#f3c98b"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8a4b08" stroke-width="3"/>'
    "</pattern></defs>"
)


def wrap_label(label: str, width: int = 34, lines: int = 3) -> list[str]:
    """An option's label over at most `lines` lines, the last one cut with an ellipsis.

    >>> wrap_label("Yes")
    ['Yes']
    >>> wrap_label("Formal peer support schemes such as buddying or peer mentoring", width=24)
    ['Formal peer support', 'schemes such as buddying', 'or peer mentoring']
    >>> wrap_label("one two three four five six seven eight nine ten", width=10, lines=2)
    ['one two', 'three fou…']
    """
    wrapped = textwrap.wrap(label, width) or [""]
    if len(wrapped) > lines:
        rest = " ".join(wrapped[lines - 1 :])
        wrapped = wrapped[: lines - 1] + [rest[: width - 1] + "…"]
    return wrapped


def whole(pct: float) -> str:
    """A percentage to the nearest whole number, halves up, as the page's tables
    round it (Python's own rounding sends 74.5 to 74).

    >>> whole(74.5), whole(60.9), whole(0.4)
    ('75', '61', '0')
    """
    return str(int(Decimal(str(pct)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def value_text(cell: dict | None, *, asked: bool) -> str:
    """What is written at a bar's end: its percentage, or why there is none.

    >>> value_text({"count": 67, "pct": 60.9}, asked=True), value_text(None, asked=True), value_text(None, asked=False)
    ('61%', 'not shown', 'not asked')
    """
    if cell is None or cell.get("pct") is None:
        return pgettext("a chart's bar", "not shown") if asked else pgettext("a chart's bar", "not asked")
    return f"{whole(cell['pct'])}%"


def chart_groups(question: dict) -> list[str]:
    """The groups a chart has bars for: those asked the question (a demographic
    asked only of staff has only staff bars).

    >>> q = {"options": [{"patient": None, "staff": {"pct": 10.0}}], "answered": {"patient": None, "staff": 9}}
    >>> chart_groups(q)
    ['staff']
    """
    answered = question.get("answered") or {}
    return [
        group
        for group in GROUP_NAMES
        if answered.get(group) is not None or any(option.get(group) for option in question["options"])
    ]


def bar_chart(question: dict, *, with_2014: bool = True) -> dict:
    """One question's chart: {"svg": the drawing, "alt": its text equivalent, "height": px}."""
    shown = chart_groups(question)
    has_2014 = with_2014 and any(
        (option.get("report_2014") or {}).get(group) is not None for option in question["options"] for group in shown
    )
    parts = [DEFS, _legend(shown, has_2014)]
    y = LEGEND_HEIGHT + 6
    for option in question["options"]:
        lines = wrap_label(option["label"])
        bars_height = len(shown) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        row_height = max(bars_height, len(lines) * LINE_HEIGHT)
        text_top = y + (row_height - len(lines) * LINE_HEIGHT) / 2 + LINE_HEIGHT - 3
        for index, line in enumerate(lines):
            parts.append(_text(LABEL_WIDTH - 8, text_top + index * LINE_HEIGHT, line, anchor="end"))
        bar_y = y + (row_height - bars_height) / 2
        for group in shown:
            parts.append(_bar(option, group, bar_y, has_2014))
            bar_y += BAR_HEIGHT + BAR_GAP
        y += row_height + ROW_GAP
    height = int(y + 4)
    axis = f'<line x1="{LABEL_WIDTH}" y1="{LEGEND_HEIGHT}" x2="{LABEL_WIDTH}" y2="{height - 6}" stroke="#333" stroke-width="1"/>'
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="{FONT}" font-size="11">' + "".join(parts) + axis + "</svg>"
    )
    return {"svg": svg, "alt": chart_alt(question, shown, has_2014), "height": height, "width": WIDTH}


def data_uri(svg: str) -> str:
    """An SVG as an <img> source: the page's CSP allows data: images, and
    WeasyPrint draws an SVG image as vectors with the <img>'s alt text."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def chart_alt(question: dict, shown: list[str], has_2014: bool) -> str:
    """The chart in words, for screen readers and the PDF's alt text.

    >>> q = {"title": "Useful?", "options": [{"label": "Yes", "patient": {"pct": 60.9}, "staff": None,
    ...      "report_2014": {"patient": 65.0}}]}
    >>> chart_alt(q, ["patient", "staff"], True)
    'Useful? Patients: Yes 61% (2014: 65%). Staff: Yes not shown.'
    """
    sentences = [question["title"]]
    for group in shown:
        answers = []
        for option in question["options"]:
            figures = {"answer": option["label"], "value": value_text(option.get(group), asked=True)}
            earlier = (option.get("report_2014") or {}).get(group) if has_2014 else None
            if earlier is not None and option.get(group):
                answers.append(_("%(answer)s %(value)s (2014: %(pct_2014)s%%)") % {**figures, "pct_2014": whole(earlier)})
            else:
                answers.append(pgettext("an answer and its figure", "%(answer)s %(value)s") % figures)
        sentences.append(GROUP_ANSWERS[group] % {"answers": "; ".join(answers)})
    return " ".join(sentences)


def _legend(shown: list[str], has_2014: bool) -> str:
    x = LABEL_WIDTH
    parts = []
    for group in shown:
        parts.append(f'<rect x="{x}" y="6" width="14" height="14" fill="{GROUP_FILLS[group]}" stroke="#333" stroke-width="0.6"/>')
        parts.append(_text(x + 19, 17, str(GROUP_NAMES[group])))
        x += 90
    if has_2014:
        parts.append(f'<line x1="{x + 6}" y1="4" x2="{x + 6}" y2="22" stroke="#000" stroke-width="2.5"/>')
        parts.append(_text(x + 14, 17, _("2014 report")))
    return "".join(parts)


def _bar(option: dict, group: str, y: float, has_2014: bool) -> str:
    cell = option.get(group)
    pct = (cell or {}).get("pct")
    parts = []
    end = LABEL_WIDTH
    if pct is not None:
        width = BAR_AREA * min(pct, 100) / 100
        end = LABEL_WIDTH + width
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{GROUP_FILLS[group]}" stroke="#333" stroke-width="0.6"/>'
        )
    earlier = (option.get("report_2014") or {}).get(group) if has_2014 else None
    if earlier is not None:
        x = LABEL_WIDTH + BAR_AREA * min(earlier, 100) / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{y - 2:.1f}" x2="{x:.1f}" y2="{y + BAR_HEIGHT + 2:.1f}" stroke="#000" stroke-width="2.5"/>'
        )
        # The number goes past the tick when the tick is just beyond the bar's end.
        if 0 <= x - end < 30:
            end = x
    text = value_text(cell, asked=True)
    parts.append(_text(end + 5, y + BAR_HEIGHT - 4, text, weight="bold" if pct is not None else "normal"))
    return "".join(parts)


def _text(x: float, y: float, text: str, *, anchor: str = "start", weight: str = "normal") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-weight="{weight}" fill="#111">{escape(text)}</text>'
