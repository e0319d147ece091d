"""The report as an editable PowerPoint deck: `pptx_bytes(report)`. Pure: no database.

`report` is the dict `dashboard.report.report_data` builds (title, scope, groups, method,
who answered, findings, limitations, conclusions, recommendations). Every chart is a
native PowerPoint chart (right-click, "Edit data" opens its figures), never a picture, so
a lead can restyle or copy one into a board paper.

Plain and readable in greyscale: patients a dark solid bar, staff a lighter one, the 2014
report's figures (where the dict has them) pale, patients' hatched; every bar labelled
with its percentage; horizontal bars, options top to bottom in the questionnaire's
order, the value axis 0–100; nothing smaller than 12 pt. A figure withheld (fewer than
`min_cell` answered) or not asked is a gap, never a 0, and the slide says so.

For screen readers every slide has its title placeholder filled, and each chart has alt
text (its figures in words). Speaker notes hold each finding's summary and all of its
quotes, and the full text of anything the slides shorten.

Every word the deck adds is in the report's language, and its text is marked as that
language, so a spelling checker and a screen reader read Welsh as Welsh. The words come
from the `translations` the caller passes (Django's, from the view), so this module
imports no Django: English without them.

Text is fitted by estimate (an average character of Calibri is about half its size):
prose runs on to a further slide rather than overflow, and a chart with more bars than
fit legibly (labels at 12 pt need about 0.2 inch a bar) is split over slides.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import textwrap
from contextvars import ContextVar
from dataclasses import dataclass, field
from gettext import NullTranslations

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_PATTERN
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

# --- words -------------------------------------------------------------------------------
# The deck being built speaks through these (named as Django's, so that makemessages finds
# the messages); `pptx_bytes` sets whose translations they use for the deck it builds.
_translations: ContextVar = ContextVar("translations", default=None)
ENGLISH = NullTranslations()


def _words():
    return _translations.get() or ENGLISH


def _(message: str) -> str:
    return _words().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _words().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _words().pgettext(context, message)


def gettext_noop(message: str) -> str:
    """Marks a message to translate where it is used."""
    return message


GROUPS = ("patient", "staff")
NAMES = {"patient": gettext_noop("Patients"), "staff": gettext_noop("Staff")}
NAMES_2014 = {"patient": gettext_noop("Patients 2014"), "staff": gettext_noop("Staff 2014")}
# One group or both, as chart notes name them.
GROUP_WORDS = {
    ("patient",): gettext_noop("patients"),
    ("staff",): gettext_noop("staff"),
    ("patient", "staff"): gettext_noop("patients and staff"),
}
# English month names: the translations passed in (Django's own catalogue) know them.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# The report's language as Office tags text (BCP 47).
LANGUAGE_TAGS = {"en": "en-GB", "cy": "cy-GB"}

# 16:9, as PowerPoint's own "Widescreen".
SLIDE_WIDTH = Emu(12192000)
SLIDE_HEIGHT = Emu(6858000)
MARGIN = 0.5  # inches, all round
TITLE_TOP, TITLE_HEIGHT = 0.3, 1.0
BODY_TOP = 1.45
BODY_BOTTOM = 7.5 - 0.35
# A finding: the chart on the left (about 60% of the width), its words on the right.
CHART_WIDTH = 7.75
SIDE_LEFT = MARGIN + CHART_WIDTH + 0.25

MIN_PT = 12
BODY_PT = 18
CHART_PT = 12
CHART_TITLE_PT = 14
EM = 0.52  # average character width of Calibri, in ems (a little generous)
LEADING = 1.2
INSET = 0.1  # a text box's inner margin, left and right (top and bottom 0.05)

# Luminance in greyscale: patients about 22%, staff about 64%, 2014 pale (patients' hatched).
INK = RGBColor(0x1A, 0x1A, 0x1A)
MUTED = RGBColor(0x4D, 0x4D, 0x4D)
GRID = RGBColor(0xD9, 0xD9, 0xD9)
PATIENT = RGBColor(0x0B, 0x3C, 0x8C)
STAFF = RGBColor(0xE3, 0x96, 0x3E)
PATIENT_2014 = RGBColor(0x7D, 0x9B, 0xD1)
STAFF_2014 = RGBColor(0xF7, 0xE1, 0xC6)
STAFF_2014_LINE = RGBColor(0xB8, 0x6A, 0x14)

PCT_FORMAT = '0"%"'  # values are already percentages: 60.9 shows as 61%
DATA_FORMAT = '0.0"%"'  # the embedded sheet keeps the decimal

BAR_MIN = 0.15  # inches a bar needs: a 12 pt label overlaps its neighbours by little, and a question stays on one slide
GAP_WIDTH = 50  # space between clusters, % of a bar


# --- text ---------------------------------------------------------------------------------


@dataclass
class Para:
    """One paragraph of a text box: runs of (text, italic, bold), a size and the space after it."""

    runs: list[tuple[str, bool, bool]]
    size: int = BODY_PT
    after: int = 8
    number: int | None = None  # numbered list: this item's number
    colour: RGBColor | None = None

    @classmethod
    def plain(cls, text: str, size: int = BODY_PT, *, italic: bool = False, bold: bool = False, **kw) -> Para:
        return cls([(text, italic, bold)], size, **kw)

    @property
    def text(self) -> str:
        return "".join(text for text, _, _ in self.runs)


def _per_line(width_in: float, size: float) -> int:
    return max(8, int(width_in * 72 / (size * EM)))


def _line_count(text: str, width_in: float, size: float) -> int:
    per_line = _per_line(width_in, size)
    return sum(max(1, len(textwrap.wrap(part, per_line))) for part in text.split("\n"))


def _indent(para: Para) -> float:
    return 0.45 if para.number is not None else 0.0


def _height_pt(paras: list[Para], width_in: float) -> float:
    """Points the paragraphs take in a text box `width_in` wide (insets included)."""
    inner = width_in - 2 * INSET
    total = 0.05 * 2 * 72
    for para in paras:
        total += _line_count(para.text, inner - _indent(para), para.size) * para.size * LEADING + para.after
    return total


def _fits(paras: list[Para], width_in: float, height_in: float) -> bool:
    return _height_pt(paras, width_in) <= height_in * 72


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;:])\s+", text.strip()) if s]


def _split_long(para: Para, width_in: float, height_in: float) -> list[Para]:
    """A paragraph too long for a whole slide, as pieces that fit: at sentences, else at words."""
    if _fits([para], width_in, height_in):
        return [para]
    pieces, current = [], ""
    words = [w for s in _sentences(para.text) for w in ([s] if _fits([_like(para, s)], width_in, height_in) else s.split())]
    for word in words:
        trial = f"{current} {word}".strip()
        if current and not _fits([_like(para, trial)], width_in, height_in):
            pieces.append(current)
            current = word
        else:
            current = trial
    if current:
        pieces.append(current)
    out = [_like(para, piece) for piece in pieces]
    for piece in out[1:]:
        piece.number = None  # the continuation of a numbered item is not a new item
    return out


def _like(para: Para, text: str) -> Para:
    italic, bold = (para.runs[0][1], para.runs[0][2]) if para.runs else (False, False)
    return Para([(text, italic, bold)], para.size, para.after, para.number, para.colour)


def _pages(paras: list[Para], width_in: float, height_in: float) -> list[list[Para]]:
    """The paragraphs in slide-sized pages, in order, never a page that overflows."""
    pages: list[list[Para]] = [[]]
    for para in paras:
        for piece in _split_long(para, width_in, height_in):
            if pages[-1] and not _fits(pages[-1] + [piece], width_in, height_in):
                pages.append([])
            pages[-1].append(piece)
    return pages


def _fill(text_frame, paras: list[Para]) -> None:
    text_frame.word_wrap = True
    text_frame.auto_size = MSO_AUTO_SIZE.NONE
    text_frame.vertical_anchor = MSO_ANCHOR.TOP
    for index, para in enumerate(paras):
        p = text_frame.paragraphs[0] if index == 0 else text_frame.add_paragraph()
        p.alignment = PP_ALIGN.LEFT
        p.space_after = Pt(para.after)
        for text, italic, bold in para.runs:
            run = p.add_run()
            run.text = text
            run.font.size = Pt(para.size)
            run.font.italic = italic
            run.font.bold = bold
            run.font.color.rgb = para.colour or INK
        if para.number is not None:
            _number(p, para.number)


def _number(paragraph, number: int) -> None:
    """A real numbered-list paragraph (1., 2., ...), starting at `number`: it stays a list when edited."""
    pPr = paragraph._p.get_or_add_pPr()
    pPr.set("marL", str(Inches(0.45)))
    pPr.set("indent", str(-Inches(0.45)))
    auto = pPr.makeelement(qn("a:buAutoNum"), {"type": "arabicPeriod"})
    if number != 1:
        auto.set("startAt", str(number))
    pPr.append(auto)


def _text_box(slide, left: float, top: float, width: float, height: float, paras: list[Para], name: str):
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    box.name = name
    _fill(box.text_frame, paras)
    return box


def _notes(slide, paragraphs: list[str]) -> None:
    frame = slide.notes_slide.notes_text_frame
    frame.text = "\n".join(p for p in paragraphs if p)


# --- slides -------------------------------------------------------------------------------


def _widen_template(prs) -> None:
    """The default template is 4:3: stretch its master and layouts across 16:9."""
    ratio = SLIDE_WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    for part in [prs.slide_master, *prs.slide_layouts]:
        for xfrm in part._element.iter(qn("a:xfrm")):
            off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
            if off is not None:
                off.set("x", str(round(int(off.get("x")) * ratio)))
            if ext is not None:
                ext.set("cx", str(round(int(ext.get("cx")) * ratio)))


def _title_size(text: str, width_in: float, height_in: float, sizes=(32, 28, 24, 20)) -> int:
    for size in sizes:
        if _line_count(text, width_in - 2 * INSET, size) * size * LEADING <= height_in * 72 - 8:
            return size
    return sizes[-1]


def _set_title(slide, text: str) -> None:
    title = slide.shapes.title
    title.left, title.top = Inches(MARGIN), Inches(TITLE_TOP)
    title.width, title.height = SLIDE_WIDTH - Inches(2 * MARGIN), Inches(TITLE_HEIGHT)
    frame = title.text_frame
    frame.word_wrap = True
    frame.text = text
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    size = _title_size(text, 13.333 - 2 * MARGIN, TITLE_HEIGHT)
    for run in paragraph.runs:
        run.font.size = Pt(size)
        run.font.bold = True
        run.font.color.rgb = INK


def _slide(prs, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    _set_title(slide, title)
    return slide


def _numbered(titles: list[str], title: str) -> list[str]:
    if len(titles) == 1:
        return [title]
    return [
        _("%(title)s (%(number)s of %(total)s)") % {"title": title, "number": i, "total": len(titles)}
        for i in range(1, len(titles) + 1)
    ]


def _prose_slides(prs, title: str, paras: list[Para], *, empty: str) -> None:
    """`paras` on as many slides as they need, each titled (and numbered when more than one)."""
    width, height = 13.333 - 2 * MARGIN, BODY_BOTTOM - BODY_TOP
    pages = _pages(paras, width, height) if paras else [[Para.plain(empty, colour=MUTED)]]
    for page, heading in zip(pages, _numbered(pages, title), strict=True):
        slide = _slide(prs, heading)
        _text_box(slide, MARGIN, BODY_TOP, width, height, page, "Text")
        _notes(slide, [p.text if p.number is None else f"{p.number}. {p.text}" for p in page])


def _date(value) -> str:
    """A date with its month in the reader's language."""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.day} {_(MONTHS[value.month - 1])} {value.year}"
    return str(value or "")


def _group_line(group: str, summary: dict | None, min_cell: int) -> str:
    """'Patients: 110 answered from 15 services (response rate 38.9%)'."""
    summary = summary or {}
    if summary.get("suppressed") or summary.get("n") is None:
        details = ngettext(
            "fewer than %(min_cell)s answered (not shown)", "fewer than %(min_cell)s answered (not shown)", min_cell
        ) % {"min_cell": min_cell}
    else:
        services, rate = summary.get("services"), summary.get("rate")
        values = {
            "count": summary["n"],
            "services": ngettext("%(count)s service", "%(count)s services", services or 0) % {"count": services},
            "rate": f"{rate:g}" if rate is not None else "",
        }
        if services and rate is not None:
            details = _("%(count)s answered from %(services)s (response rate %(rate)s%%)") % values
        elif services:
            details = _("%(count)s answered from %(services)s") % values
        elif rate is not None:
            details = _("%(count)s answered (response rate %(rate)s%%)") % values
        else:
            details = _("%(count)s answered") % values
    return pgettext("a label and what it labels", "%(label)s: %(details)s") % {"label": _(NAMES[group]), "details": details}


def _title_slide(prs, report: dict) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])  # "Title Slide"
    title = report.get("title") or _("Peer support in secure services")
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = Inches(0.9), Inches(1.2), Inches(11.5), Inches(2.0)
    shape.text_frame.word_wrap = True
    shape.text_frame.text = title
    shape.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    size = _title_size(title, 11.5, 2.0, sizes=(40, 36, 32, 28, 24))
    for paragraph in shape.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), True, INK
    min_cell = report.get("min_cell", 5)
    groups = report.get("groups") or {}
    lines = [Para.plain(report.get("scope") or "", 22, after=12)] if report.get("scope") else []
    if report.get("generated"):
        lines.append(Para.plain(_("Generated %(date)s") % {"date": _date(report["generated"])}, 20, after=12, colour=MUTED))
    lines += [Para.plain(_group_line(group, groups.get(group), min_cell), 20, after=4) for group in GROUPS]
    subtitle = next(p for p in slide.placeholders if p.placeholder_format.idx == 1)
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.9), Inches(3.5), Inches(11.5), Inches(3.2)
    while len(lines) > 1 and not _fits(lines, 11.5, 3.2):
        lines[0] = Para.plain(textwrap.shorten(lines[0].text, max(20, len(lines[0].text) - 20), placeholder="…"), 22, after=12)
    subtitle.text_frame.clear()
    _fill(subtitle.text_frame, lines)
    _notes(slide, [title, *(p.text for p in lines), *(report.get("introduction") or [])])


# --- charts -------------------------------------------------------------------------------

SHOWN, SUPPRESSED, NOT_ASKED = "shown", "suppressed", "not asked"


def _pct(cell) -> float | None:
    return cell.get("pct") if isinstance(cell, dict) else None


def group_state(question: dict, group: str, report: dict) -> str:
    """How `group` appears in the question's chart: shown, suppressed or not asked.

    A cell is null when the group was not asked the option, or (in a report that says
    so less precisely) withheld; {"pct": null, ...} when withheld. A suppressed group
    says so whatever its cells.

    >>> q = {"options": [{"patient": {"pct": 50.0}, "staff": None}]}
    >>> r = {"groups": {"patient": {"suppressed": False}, "staff": {"suppressed": False}}}
    >>> group_state(q, "patient", r), group_state(q, "staff", r)
    ('shown', 'not asked')
    >>> r["groups"]["staff"]["suppressed"] = True
    >>> group_state(q, "staff", r)
    'suppressed'
    """
    cells = [option.get(group) for option in question.get("options") or []]
    if any(_pct(cell) is not None for cell in cells):
        return SHOWN
    if ((report.get("groups") or {}).get(group) or {}).get("suppressed") or any(cell is not None for cell in cells):
        return SUPPRESSED
    return NOT_ASKED


@dataclass
class Series:
    name: str
    values: list[float | None]
    kind: str  # patient, staff, patient_2014, staff_2014


@dataclass
class ChartPlan:
    """One chart: the question, the options it shows (indices) and its series."""

    question: dict
    options: list[int]
    series: list[Series]
    states: dict[str, str]
    notes: list[str] = field(default_factory=list)


def _series(question: dict, options: list[int], states: dict[str, str], kinds: list[str] | None = None) -> list[Series]:
    """Patients and staff (those shown), then the 2014 figures of each group asked where the report has any.

    `kinds` keeps the series of every part of a split chart the same as the first's.
    """
    rows = question.get("options") or []
    if kinds is None:
        published = {group: any((rows[i].get("report_2014") or {}).get(group) is not None for i in options) for group in GROUPS}
        kinds = [group for group in GROUPS if states[group] == SHOWN]
        kinds += [f"{group}_2014" for group in GROUPS if states[group] != NOT_ASKED and published[group]]
    series = []
    for kind in kinds:
        group = kind.removesuffix("_2014")
        if kind == group:
            series.append(Series(_(NAMES[group]), [_pct(rows[i].get(group)) for i in options], kind))
        else:
            values = [(rows[i].get("report_2014") or {}).get(group) for i in options]
            series.append(Series(_(NAMES_2014[group]), values, kind))
    return series


def _chart_notes(question: dict, states: dict[str, str], min_cell: int) -> list[str]:
    """What the chart leaves out, in words: a withheld group, a group not asked, a withheld bar."""
    notes = []
    hidden = tuple(g for g in GROUPS if states[g] == SUPPRESSED)
    if hidden:
        notes.append(
            ngettext(
                "Not shown: fewer than %(min_cell)s answered (%(groups)s).",
                "Not shown: fewer than %(min_cell)s answered (%(groups)s).",
                min_cell,
            )
            % {"min_cell": min_cell, "groups": _(GROUP_WORDS[hidden])}
        )
    shown = tuple(g for g in GROUPS if states[g] == SHOWN)
    unasked = [g for g in GROUPS if states[g] == NOT_ASKED]
    if unasked and shown:
        # Whole sentences: Welsh mutates the group's name after "i" (asked of).
        notes.append(_("Asked of patients only.") if shown == ("patient",) else _("Asked of staff only."))
    gaps = tuple(
        g
        for g in shown
        if any(_pct(option.get(g)) is None for option in question.get("options") or [] if option.get(g) is not None)
    )
    if gaps:
        notes.append(
            ngettext(
                "A missing bar (%(groups)s): fewer than %(min_cell)s, not shown.",
                "A missing bar (%(groups)s): fewer than %(min_cell)s, not shown.",
                min_cell,
            )
            % {"min_cell": min_cell, "groups": _(GROUP_WORDS[gaps])}
        )
    return notes


def _category_lines(label: str, label_width_in: float) -> int:
    return _line_count(label, label_width_in, CHART_PT)


def _plot_height(title: str, width_in: float, height_in: float) -> float:
    """Inches left for the bars once the chart's title, legend and value axis are placed."""
    title_in = _line_count(title, width_in - 0.4, CHART_TITLE_PT) * CHART_TITLE_PT * LEADING / 72 + 0.2
    legend_in = 0.45
    return max(1.0, height_in - title_in - legend_in - 0.35 - 0.3)


def _split_options(question: dict, options: list[int], n_series: int, width_in: float, height_in: float) -> list[list[int]]:
    """The options in chart-sized runs: each bar at least BAR_MIN high, each label room for its lines."""
    rows = question.get("options") or []
    plot = _plot_height(question.get("title") or "", width_in, height_in)
    label_width = width_in * 0.38
    need = [
        max(BAR_MIN * (max(n_series, 1) + GAP_WIDTH / 100), _category_lines(rows[i].get("label") or "", label_width) * 0.2 + 0.06)
        for i in options
    ]
    runs: list[list[int]] = [[]]
    used = 0.0
    for index, height in zip(options, need, strict=True):
        if runs[-1] and used + height > plot:
            runs.append([])
            used = 0.0
        runs[-1].append(index)
        used += height
    if len(runs) > 1:  # the same number of runs, evened out, if that still fits
        size = math.ceil(len(options) / len(runs))
        even = [options[i : i + size] for i in range(0, len(options), size)]
        position = {index: k for k, index in enumerate(options)}
        if len(even) == len(runs) and all(sum(need[position[i]] for i in run) <= plot for run in even):
            runs = even
    return runs


def plan_charts(question: dict, report: dict, width_in: float, height_in: float, *, about: bool = False) -> list[ChartPlan]:
    """The chart(s) for one question: more than one when its bars would not fit legibly in one."""
    states = {group: group_state(question, group, report) for group in GROUPS}
    rows = question.get("options") or []
    options = list(range(len(rows)))
    if about:
        # An about-you option nobody chose (0 everywhere shown, no 2014 figure) is left off the chart.
        options = [i for i in options if not _nobody(rows[i], states)] or options
    kinds = [series.kind for series in _series(question, options, states)]
    runs = _split_options(question, options, len(kinds), width_in, height_in) if options else [[]]
    notes = _chart_notes(question, states, report.get("min_cell", 5))
    left_off = [rows[i].get("label") or "" for i in range(len(rows)) if i not in options]
    if left_off:
        notes.append(_("Not listed, nobody chose it: %(answers)s.") % {"answers": "; ".join(left_off)})
    return [ChartPlan(question, run, _series(question, run, states, kinds), states, notes) for run in runs]


def _nobody(row: dict, states: dict[str, str]) -> bool:
    shown = [g for g in GROUPS if states[g] == SHOWN]
    if not shown or any((row.get("report_2014") or {}).get(g) is not None for g in GROUPS):
        return False
    return all(isinstance(row.get(g), dict) and row[g].get("pct") == 0 for g in shown)


def _style_series(chart_series, kind: str) -> None:
    fill = chart_series.format.fill
    line = chart_series.format.line
    if kind == "patient":
        fill.solid()
        fill.fore_color.rgb = PATIENT
    elif kind == "staff":
        fill.solid()
        fill.fore_color.rgb = STAFF
    elif kind == "patient_2014":
        fill.patterned()
        fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
        fill.fore_color.rgb = PATIENT_2014
        fill.back_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        line.color.rgb = PATIENT
        line.width = Pt(0.75)
    else:
        fill.solid()
        fill.fore_color.rgb = STAFF_2014
        line.color.rgb = STAFF_2014_LINE
        line.width = Pt(0.75)
    chart_series.invert_if_negative = False


def _fmt(value: float | None) -> str:
    return pgettext("a chart's bar", "not shown") if value is None else f"{value:.0f}%"


def alt_text(plan: ChartPlan, min_cell: int) -> str:
    """The chart's figures in words, for its alt text (and the notes of an about-you slide)."""
    rows = plan.question.get("options") or []
    title = plan.question.get("title") or ""
    stop = "" if title.endswith((".", "?", "!")) else "."
    parts = [_("Horizontal bar chart: %(title)s") % {"title": title} + stop, _("Percentage of each group choosing each answer.")]
    for position, index in enumerate(plan.options):
        figures = ", ".join(
            pgettext("a chart's series and its figure", "%(series)s %(value)s")
            % {"series": s.name.lower(), "value": _fmt(s.values[position])}
            for s in plan.series
        )
        parts.append(
            pgettext("an answer and its figures", "%(answer)s: %(figures)s.")
            % {"answer": rows[index].get("label") or "", "figures": figures or _("no figures")}
        )
    parts += plan.notes
    return " ".join(parts)


def _add_chart(slide, plan: ChartPlan, left: float, top: float, width: float, height: float, min_cell: int):
    rows = plan.question.get("options") or []
    data = CategoryChartData(number_format=DATA_FORMAT)
    data.categories = [rows[i].get("label") or rows[i].get("code") or "" for i in plan.options]
    for series in plan.series:
        data.add_series(series.name, series.values)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(left), Inches(top), Inches(width), Inches(height), data)
    chart = frame.chart
    chart.font.size = Pt(CHART_PT)
    chart.font.color.rgb = INK

    chart.has_title = True
    chart.chart_title.text_frame.text = plan.question.get("title") or ""
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size, run.font.bold = Pt(CHART_TITLE_PT), True

    plot = chart.plots[0]
    plot.gap_width = GAP_WIDTH
    plot.overlap = 0
    plot.vary_by_categories = False
    for chart_series, series in zip(plot.series, plan.series, strict=True):
        _style_series(chart_series, series.kind)
    if plan.series:
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = PCT_FORMAT
        labels.number_format_is_linked = False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.show_value = True
        labels.font.size = Pt(CHART_PT)
        labels.font.color.rgb = INK

    categories = chart.category_axis
    categories.reverse_order = True  # the first option at the top
    # ... and the value axis still at the bottom: it crosses the categories at their last,
    # ("at maximum category"). python-pptx offers `crosses` on a value axis only, for the other way.
    chart.value_axis._element.find(qn("c:crosses")).set("val", "max")
    categories.tick_labels.font.size = Pt(CHART_PT)
    categories.has_major_gridlines = False
    categories.format.line.color.rgb = MUTED
    _tick_every_label(categories)

    values = chart.value_axis
    values.minimum_scale, values.maximum_scale, values.major_unit = 0, 100, 20
    values.has_major_gridlines = True
    values.major_gridlines.format.line.color.rgb = GRID
    values.tick_labels.number_format = PCT_FORMAT
    values.tick_labels.number_format_is_linked = False
    values.tick_labels.font.size = Pt(CHART_PT)
    values.tick_label_position = XL_TICK_LABEL_POSITION.NEXT_TO_AXIS
    values.format.line.fill.background()

    chart.has_legend = True  # even for one series: it says whose bars they are
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(CHART_PT)

    frame.name = f"Chart: {plan.question.get('title') or ''}"[:250]
    frame._element.nvGraphicFramePr.cNvPr.set("descr", alt_text(plan, min_cell))
    return frame


def _tick_every_label(axis) -> None:
    """Every category labelled (PowerPoint would otherwise skip some when crowded)."""
    ax = axis._element
    skip = ax.find(qn("c:tickLblSkip"))
    if skip is None:
        skip = ax.makeelement(qn("c:tickLblSkip"), {})
        # Schema order: ... c:lblAlgn, c:lblOffset, c:tickLblSkip, c:tickMarkSkip, c:noMultiLvlLbl, c:extLst.
        before = [ax.find(qn(tag)) for tag in ("c:lblOffset", "c:lblAlgn", "c:auto", "c:crosses", "c:crossesAt", "c:crossAx")]
        before = [element for element in before if element is not None]
        before[0].addnext(skip)  # c:crossAx is required, so there is always one
    skip.set("val", "1")


# --- findings -----------------------------------------------------------------------------


def _credit(quote: dict) -> str:
    """Who wrote a quote (as a reviewer credited them) and, where it may be shown, their answer."""
    values = {"credit": quote.get("credit") or _("anonymous"), "answer": quote.get("answer") or ""}
    return _("%(credit)s, answered %(answer)s") % values if values["answer"] else values["credit"]


def _quote_line(quote: dict) -> str:
    return _("“%(quote)s” — %(credit)s") % {"quote": quote.get("text") or "", "credit": _credit(quote)}


def _people(group: str, n: int) -> str:
    if group == "patient":
        return ngettext("%(count)s patient", "%(count)s patients", n) % {"count": n}
    return ngettext("%(count)s staff", "%(count)s staff", n) % {"count": n}


def _answered(question: dict, states: dict[str, str]) -> str:
    answered = question.get("answered") or {}
    parts = [_people(g, answered[g]) for g in GROUPS if states[g] == SHOWN and answered.get(g) is not None]
    return _("Answered: %(counts)s.") % {"counts": ", ".join(parts)} if parts else ""


def _significance(question: dict) -> list[str]:
    rows = question.get("options") or []
    lines = []
    differ = [row.get("label") or "" for row in rows if row.get("significant")]
    if differ:
        lines.append(_("Patients and staff differ significantly on: %(answers)s.") % {"answers": "; ".join(differ)})
    for group in GROUPS:
        moved = [
            _("%(answer)s (%(points)s points)") % {"answer": row.get("label") or "", "points": f"{change['points']:+.0f}"}
            for row in rows
            if isinstance(change := ((row.get("change") or {}).get(group)), dict)
            and change.get("significant")
            and change.get("points") is not None
        ]
        if moved:
            changed = (
                _("Patients: a significant change on %(answers)s.")
                if group == "patient"
                else _("Staff: a significant change on %(answers)s.")
            )
            lines.append(changed % {"answers": "; ".join(moved)})
    return lines


def _side_paras(finding: dict, plan: ChartPlan, quotes: list[dict], size: int) -> list[Para]:
    small = max(MIN_PT, size - 2)
    paras = [Para.plain(finding.get("summary") or "", size, after=10)] if finding.get("summary") else []
    answered = _answered(plan.question, plan.states)
    if answered:
        paras.append(Para.plain(answered, small, after=6, colour=MUTED))
    paras += [Para.plain(note, small, bold=True, after=6) for note in plan.notes]
    paras += [Para.plain(line, small, after=6) for line in _significance(plan.question)]
    for quote in quotes:
        paras.append(Para.plain(f"“{quote.get('text') or ''}”", size, italic=True, after=2))
        paras.append(Para.plain(f"— {_credit(quote)}", small, after=10, colour=MUTED))
    return paras


def _side_text(finding: dict, plan: ChartPlan, quotes: list[dict], width: float, height: float) -> list[Para]:
    """The summary and as many of the first three quotes as fit, at the largest size that fits."""
    candidates = quotes[:3]
    for count in range(len(candidates), -1, -1):
        for size in (18, 16, 14, MIN_PT):
            paras = _side_paras(finding, plan, candidates[:count], size)
            more = len(quotes) > count
            if more:
                paras.append(Para.plain(_("More quotes in the speaker notes."), MIN_PT, colour=MUTED, after=0))
            if _fits(paras, width, height):
                return paras
    # Only the summary is left, and it is too long: shorten it (the notes have it whole).
    paras = _side_paras(finding, plan, [], MIN_PT)
    while paras and not _fits(paras, width, height):
        first = paras[0]
        cut = _("… (see notes)")
        paras[0] = _like(first, textwrap.shorten(first.text, max(20, int(len(first.text) * 0.8)), placeholder=cut))
        if len(first.text) <= 20:
            break
    return paras


def _finding_slides(prs, finding: dict, report: dict) -> None:
    question = finding.get("question") or {}
    min_cell = report.get("min_cell", 5)
    height = BODY_BOTTOM - BODY_TOP
    plans = plan_charts(question, report, CHART_WIDTH, height)
    number = finding.get("number")
    section = finding.get("section_title")
    if number is None:
        heading = _("Finding · %(section)s") % {"section": section} if section else _("Finding")
    else:
        heading = (
            _("Finding %(number)s · %(section)s") % {"number": number, "section": section}
            if section
            else _("Finding %(number)s") % {"number": number}
        )
    quotes = finding.get("quotes") or []
    side_width = 13.333 - MARGIN - SIDE_LEFT
    notes = [finding.get("title") or question.get("title") or "", finding.get("summary") or ""]
    notes += [_quote_line(q) for q in quotes]
    for position, (plan, title) in enumerate(zip(plans, _numbered(plans, heading), strict=True)):
        slide = _slide(prs, title)
        _add_chart(slide, plan, MARGIN, BODY_TOP, CHART_WIDTH, height, min_cell)
        paras = _side_text(finding, plan, quotes if position == 0 else [], side_width, height)
        if position and quotes:
            paras.append(Para.plain(_("Quotes: on the first slide of this finding."), MIN_PT, colour=MUTED, after=0))
        _text_box(slide, SIDE_LEFT, BODY_TOP, side_width, height, paras, "Summary and quotes")
        _notes(slide, notes + [alt_text(plan, min_cell)])


def _who_slides(prs, report: dict) -> None:
    who = report.get("who") or {}
    min_cell = report.get("min_cell", 5)
    paras = [Para.plain(p) for p in who.get("summary") or []]
    if not paras:
        paras = [Para.plain(_group_line(g, (report.get("groups") or {}).get(g), min_cell)) for g in GROUPS]
    _prose_slides(prs, _("Who answered"), paras, empty="")
    width = 13.333 - 2 * MARGIN
    for question in who.get("charts") or []:
        notes_height = 0.55
        height = BODY_BOTTOM - BODY_TOP - notes_height
        plans = plan_charts(question, report, width, height, about=True)
        title = _("Who answered: %(question)s") % {"question": question.get("title") or question.get("code") or ""}
        for plan, heading in zip(plans, _numbered(plans, title), strict=True):
            slide = _slide(prs, heading)
            lines = [_answered(question, plan.states), *plan.notes]
            lines = [line for line in lines if line]
            if not plan.series:  # nothing to draw: every group asked is withheld
                _text_box(slide, MARGIN, BODY_TOP, width, height, [Para.plain(" ".join(lines))], "Note")
                _notes(slide, lines)
                continue
            _add_chart(slide, plan, MARGIN, BODY_TOP, width, height, min_cell)
            if lines:
                box = [Para.plain(" ".join(lines), MIN_PT, after=0, colour=MUTED)]
                _text_box(slide, MARGIN, BODY_TOP + height + 0.05, width, notes_height, box, "Note")
            _notes(slide, [alt_text(plan, min_cell)])


# --- the deck -----------------------------------------------------------------------------


def _tag_language(prs, tag: str) -> None:
    """Mark every run of text as `tag`: the slides', the notes', the charts', and the
    template's defaults (python-pptx's template says en-US)."""
    for part in prs.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is None:
            continue
        for run in element.iter(qn("a:r")):
            run.get_or_add_rPr()
        for properties in element.iter(qn("a:rPr"), qn("a:endParaRPr"), qn("a:defRPr")):
            properties.set("lang", tag)


def pptx_bytes(report: dict, *, translations=None) -> bytes:
    """The report as a 16:9 PowerPoint deck (bytes of a .pptx) with native, editable charts.

    Slides: the title; how we asked; who answered (then a chart per about-you question);
    a slide per finding (chart left, summary and up to three quotes right); limitations;
    conclusions; recommendations (numbered). Long text runs on to a further slide.

    `translations` has gettext, ngettext and pgettext (Django's `translation` module, or a
    `gettext.GNUTranslations`): the deck's own words in `report["language"]`. English without.
    """
    token = _translations.set(translations)
    try:
        return _deck(report)
    finally:
        _translations.reset(token)


def _deck(report: dict) -> bytes:
    language = LANGUAGE_TAGS.get(str(report.get("language") or "en").split("-")[0], LANGUAGE_TAGS["en"])
    prs = Presentation()
    _widen_template(prs)
    prs.core_properties.title = report.get("title") or _("Peer support in secure services")
    prs.core_properties.subject = report.get("scope") or ""
    prs.core_properties.language = language

    _title_slide(prs, report)
    _prose_slides(prs, _("How we asked"), [Para.plain(p) for p in report.get("method") or []], empty=_("Method not written yet"))
    _who_slides(prs, report)
    findings = report.get("findings") or []
    for finding in findings:
        _finding_slides(prs, finding, report)
    if not findings:
        _prose_slides(prs, _("Findings"), [], empty=_("No findings in this report yet"))
    others = report.get("other_quotes") or []
    if others:  # quotes from boxes that explain no chart ("Any final comments?")
        quotes = [Para.plain(_quote_line(quote), italic=True) for quote in others]
        _prose_slides(prs, _("In their own words"), quotes, empty="")
    limitations = [Para.plain(p) for p in report.get("limitations") or []]
    _prose_slides(prs, _("Limitations"), limitations, empty=_("No limitations written yet"))
    conclusions = [Para.plain(p) for p in report.get("conclusions") or []]
    _prose_slides(prs, _("Conclusions"), conclusions, empty=_("No conclusions written yet"))
    items = [Para.plain(item, number=i) for i, item in enumerate(report.get("recommendations") or [], start=1)]
    _prose_slides(prs, _("Recommendations"), items, empty=_("No recommendations written yet"))
    _tag_language(prs, language)

    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
