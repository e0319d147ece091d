"""The report as a PowerPoint deck: native charts, gaps for withheld figures, alt text, notes. No database."""

import copy
import datetime
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_FILL
from pptx.oxml.ns import qn
from pptx.util import Emu

from dashboard.report_pptx import pptx_bytes

ROOT = Path(__file__).resolve().parents[2]


def cell(count, n):
    """A released figure: count, its percentage of n (one decimal) and a made-up interval."""
    pct = round(100 * count / n, 1)
    return {"count": count, "pct": pct, "ci": [max(0.0, pct - 9.0), min(100.0, pct + 8.0)]}


HIDDEN = {"count": None, "pct": None, "ci": None}
LONG_TITLE = (
    "User-led peer support happens when patients are in control of the support they offer each other: they make "
    "the decisions about what sorts of support they offer, when, how, to whom and by whom. Does this happen within "
    "your service?"
)


def make_report():
    """A report as `dashboard.report.report_data` builds it, by hand: one service, a round of 2026."""
    return {
        "title": "Peer support in secure services",
        "scope": "Chadwick Lodge (CL), the 2026 round",
        "generated": datetime.date(2026, 11, 30),
        "min_cell": 5,
        "groups": {
            "patient": {"n": 110, "suppressed": False, "services": 15, "rate": 38.9},
            "staff": {"n": 115, "suppressed": False, "services": 21, "rate": None},
        },
        "introduction": [
            "In 2014 patients and staff of secure services were asked what peer support they saw and wanted.",
            "This report asks the same questions again, so that the two can be compared.",
        ],
        "method": [
            "Patients answered an easy-read questionnaire on paper or a tablet, with help from an advocate if they "
            "wished; staff answered online. Nobody was asked their name.",
            "Figures are released in batches of five, and a group or category with fewer than five answers is not shown.",
            "Percentages are of everyone in the group who took part, as the 2014 report gave them.",
        ],
        "who": {
            "summary": ["110 patients from 15 services and 115 staff from 21 services took part."],
            "charts": [
                {
                    "code": "gender",
                    "kind": "one",
                    "title": "Gender",
                    "answered": {"patient": 108, "staff": 112},
                    "options": [
                        {"code": "female", "label": "Female", "patient": cell(22, 110), "staff": cell(70, 115)},
                        {"code": "male", "label": "Male", "patient": cell(84, 110), "staff": cell(40, 115)},
                        # 1 to 4 people: withheld for patients, a gap on the chart.
                        {"code": "non_binary", "label": "Non-binary", "patient": HIDDEN, "staff": cell(0, 115)},
                        {"code": "prefer_not", "label": "Prefer not to say", "patient": cell(0, 110), "staff": cell(0, 115)},
                    ],
                },
                {
                    "code": "age_band",
                    "kind": "one",
                    "title": "Age",
                    "answered": {"patient": None, "staff": 113},
                    "options": [
                        {"code": "16_24", "label": "16–24", "patient": None, "staff": cell(9, 115)},
                        {"code": "25_34", "label": "25–34", "patient": None, "staff": cell(38, 115)},
                        {"code": "35_49", "label": "35–49", "patient": None, "staff": cell(44, 115)},
                        {"code": "50_plus", "label": "50+", "patient": None, "staff": cell(22, 115)},
                    ],
                },
            ],
        },
        "findings": [
            {
                "number": 1,
                "code": "useful",
                "section_title": "Peer support",
                "title": "Do you think that peer support can be useful in secure services?",
                "summary": "61% of patients and 71% of staff said Yes (2014: 65% and 80%).",
                "question": {
                    "code": "useful",
                    "kind": "one",
                    "title": "Do you think that peer support can be useful in secure services?",
                    "answered": {"patient": 104, "staff": 109},
                    "options": [
                        {
                            "code": "yes",
                            "label": "Yes",
                            "patient": {"count": 67, "pct": 60.9, "ci": [51.6, 69.5]},
                            "staff": {"count": 82, "pct": 71.3, "ci": [62.5, 78.8]},
                            "report_2014": {"patient": 65.0, "staff": 80.0},
                            "change": {
                                "patient": {"points": -4.1, "p": 1.0, "significant": False},
                                "staff": {"points": -8.7, "p": 0.4, "significant": False},
                            },
                            "significant": False,
                        },
                        {
                            "code": "no",
                            "label": "No",
                            "patient": {"count": 9, "pct": 8.2, "ci": [4.4, 14.8]},
                            "staff": {"count": 4, "pct": 3.5, "ci": [1.4, 8.6]},
                            "report_2014": {"patient": 8.0, "staff": 2.0},
                            "significant": False,
                        },
                        {
                            "code": "not_sure",
                            "label": "Not sure",
                            "patient": {"count": 28, "pct": 25.5, "ci": [18.2, 34.4]},
                            "staff": {"count": 23, "pct": 20.0, "ci": [13.7, 28.3]},
                            "report_2014": {"patient": 24.0, "staff": 18.0},
                            "significant": False,
                        },
                    ],
                },
                "quotes": [
                    {"text": "because we can share experiences", "credit": "CL8", "group": "patient", "answer": "Yes"},
                    {
                        "text": "Patients often listen to each other more than to staff.",
                        "credit": "Staff nurse 19",
                        "group": "staff",
                        "answer": "Yes",
                    },
                ],
            },
            {
                "number": 2,
                "code": "user_led",
                "section_title": "User-led peer support",
                "title": LONG_TITLE,
                "summary": "38% of patients and 52% of staff said user-led peer support happens in their service.",
                "question": {
                    "code": "user_led",
                    "kind": "one",
                    "title": LONG_TITLE,
                    "answered": {"patient": 101, "staff": 110},
                    "options": [
                        {
                            "code": "yes",
                            "label": "Yes",
                            "patient": cell(42, 110),
                            "staff": cell(60, 115),
                            "report_2014": {"patient": 41.0, "staff": None},
                            "significant": True,
                        },
                        {
                            "code": "no",
                            "label": "No",
                            "patient": cell(30, 110),
                            "staff": cell(20, 115),
                            "report_2014": {"patient": 33.0, "staff": None},
                            "significant": False,
                        },
                        {
                            "code": "not_sure",
                            "label": "Not sure",
                            "patient": cell(29, 110),
                            "staff": cell(30, 115),
                            "report_2014": {"patient": 26.0},
                            "significant": False,
                        },
                    ],
                },
                "quotes": [
                    {
                        "text": "We run the community meeting ourselves now.",
                        "credit": "CL152",
                        "group": "patient",
                        "answer": None,
                    },
                    {"text": "Only on one ward.", "credit": "Staff member 7", "group": "staff", "answer": "Not sure"},
                    {"text": "Staff decide everything.", "credit": "CL40", "group": "patient", "answer": "No"},
                    {
                        "text": "The patients' council meets every month.",
                        "credit": "Ward manager 3",
                        "group": "staff",
                        "answer": "Yes",
                    },
                ],
            },
            {
                "number": 3,
                "code": "benefits",
                "section_title": "Who and when",
                "title": "Does peer support offer benefits that are different to those offered by staff support?",
                "summary": "Patients most often named greater insight and understanding (45%); staff, more accessible support (50%).",
                "question": {
                    "code": "benefits",
                    "kind": "many",
                    "title": "Does peer support offer benefits that are different to those offered by staff support?",
                    "answered": {"patient": 98, "staff": 104},
                    "options": [
                        {"code": "choice", "label": "Greater choice", "patient": cell(30, 110), "staff": cell(35, 115)},
                        {"code": "fewer", "label": "Fewer restrictions", "patient": cell(25, 110), "staff": cell(20, 115)},
                        {
                            "code": "insight",
                            "label": "Greater insight and understanding",
                            "patient": cell(50, 110),
                            "staff": cell(48, 115),
                            "report_2014": {},
                        },
                        {
                            "code": "information",
                            "label": "Clearer and more relevant information and practical support",
                            "patient": cell(33, 110),
                            "staff": cell(40, 115),
                        },
                        {
                            "code": "accessible",
                            "label": "Peer support is more accessible/ available for patients",
                            "patient": cell(36, 110),
                            "staff": cell(58, 115),
                            "change": {"staff": {"points": 21.4, "p": 0.01, "significant": True}},
                            "significant": True,
                        },
                        # Asked only by the newer questionnaire: too few staff were asked it, so withheld.
                        {"code": "none", "label": "There are no different benefits", "patient": cell(8, 110), "staff": HIDDEN},
                    ],
                },
                "quotes": [],
            },
        ],
        "limitations": [
            "Answers come from the people who chose to take part, who may not be typical of their service.",
            "Counts are moved by up to two, so that a small change cannot reveal one person's answer.",
        ],
        "conclusions": ["Most patients and staff still think peer support can be useful, a little fewer than in 2014."],
        "recommendations": [
            "Offer peer support training to patients on every ward.",
            "Let the patients' council run the community meeting.",
            "Ask again in the 2027 round.",
        ],
    }


def deck(report):
    return Presentation(io.BytesIO(pptx_bytes(report)))


def charts(prs):
    """(slide, graphic frame) for every chart in the deck, in order."""
    return [(slide, shape) for slide in prs.slides for shape in slide.shapes if shape.has_chart]


def chart_for(prs, title):
    found = [(slide, shape) for slide, shape in charts(prs) if shape.chart.chart_title.text_frame.text == title]
    assert found, f"no chart titled {title!r}"
    return found


def slide_text(slide):
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def values(chart):
    return {series.name: list(series.values) for series in chart.plots[0].series}


@pytest.fixture(scope="module")
def report():
    return make_report()


@pytest.fixture(scope="module")
def prs(report):
    return deck(report)


def test_the_deck_is_widescreen_and_in_the_reports_order(prs):
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    titles = [slide.shapes.title.text_frame.text for slide in prs.slides]
    assert titles == [
        "Peer support in secure services",
        "How we asked",
        "Who answered",
        "Who answered: Gender",
        "Who answered: Age",
        "Finding 1 · Peer support",
        "Finding 2 · User-led peer support",
        "Finding 3 · Who and when",
        "Limitations",
        "Conclusions",
        "Recommendations",
    ]


def test_the_title_slide_says_what_when_and_how_many(prs):
    text = slide_text(prs.slides[0])
    assert "Chadwick Lodge (CL), the 2026 round" in text
    assert "Generated 30 November 2026" in text
    assert "Patients: 110 answered from 15 services (response rate 38.9%)" in text
    assert "Staff: 115 answered from 21 services" in text
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert "This report asks the same questions again" in notes  # the introduction, for the presenter


def test_every_slide_has_its_title_placeholder_filled_and_titles_are_unique(report):
    report = copy.deepcopy(report)
    report["method"] = [f"Paragraph {i}. " + "A long sentence about how we asked people. " * 14 for i in range(8)]
    prs = deck(report)
    titles = []
    for slide in prs.slides:
        title = slide.shapes.title
        assert title is not None and title.is_placeholder
        assert title.text_frame.text.strip()
        titles.append(title.text_frame.text)
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("number", [0, 1, 2])
def test_every_finding_has_a_native_clustered_bar_chart_of_its_percentages(report, prs, number):
    question = report["findings"][number]["question"]
    [(slide, frame)] = chart_for(prs, question["title"])
    chart = frame.chart
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert list(chart.plots[0].categories) == [option["label"] for option in question["options"]]
    got = values(chart)
    for group, name in (("patient", "Patients"), ("staff", "Staff")):
        assert got[name] == [(option[group] or {}).get("pct") for option in question["options"]]
    # Editable: the figures are in an embedded workbook ("Edit data"), not only in the drawing.
    assert chart.part.chart_workbook.xlsx_part is not None
    # Chart left (about 60%), words right.
    assert frame.left < Emu(prs.slide_width * 0.1) and 0.55 < frame.width / prs.slide_width < 0.65
    assert report["findings"][number]["summary"] in slide_text(slide)


def test_the_chart_reads_top_to_bottom_on_a_0_to_100_axis_with_a_label_on_every_bar(prs, report):
    [(_, frame)] = chart_for(prs, report["findings"][0]["question"]["title"])
    chart = frame.chart
    assert chart.category_axis.reverse_order is True  # the first option at the top
    assert (chart.value_axis.minimum_scale, chart.value_axis.maximum_scale) == (0, 100)
    assert chart.has_legend and chart.legend.position == XL_LEGEND_POSITION.BOTTOM
    labels = chart.plots[0].data_labels
    assert labels.show_value and labels.number_format == '0"%"' and not labels.number_format_is_linked
    # The value axis stays at the bottom when the categories are reversed.
    assert chart._chartSpace.find(".//" + qn("c:valAx")).find(qn("c:crosses")).get("val") == "max"


def test_patients_are_darker_than_staff_and_the_2014_series_are_pale(prs, report):
    [(_, frame)] = chart_for(prs, report["findings"][0]["question"]["title"])

    def grey(series):
        """The fill's lightness (0-255) as a greyscale print shows it; a hatch about half its colour, half white."""
        fill = series.format.fill
        shade = [0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] for rgb in [fill.fore_color.rgb]]
        if fill.type == MSO_FILL.PATTERNED:
            rgb = fill.back_color.rgb
            shade.append(0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2])
        return sum(shade) / len(shade)

    by_name = {series.name: series for series in frame.chart.plots[0].series}
    assert list(by_name) == ["Patients", "Staff", "Patients 2014", "Staff 2014"]
    assert grey(by_name["Patients"]) + 80 < grey(by_name["Staff"])
    assert grey(by_name["Staff"]) < min(grey(by_name["Patients 2014"]), grey(by_name["Staff 2014"]))


def test_a_withheld_figure_is_a_gap_not_a_zero(prs, report):
    question = report["findings"][2]["question"]
    [(slide, frame)] = chart_for(prs, question["title"])
    staff = next(series for series in frame.chart.plots[0].series if series.name == "Staff")
    assert staff.values[-1] is None
    # No point at all for it in the chart's cached figures (a 0 would be a bar of 0%).
    points = {pt.get("idx") for pt in staff._element.find(qn("c:val")).iter(qn("c:pt"))}
    assert points == {"0", "1", "2", "3", "4"}
    assert "A missing bar (staff): fewer than 5, not shown." in slide_text(slide)
    # Nor a 0 in the embedded workbook ("Edit data"): staff's last cell (C7) is blank.
    sheet = zipfile.ZipFile(io.BytesIO(frame.chart.part.chart_workbook.xlsx_part.blob)).read("xl/worksheets/sheet1.xml")
    cells = dict(re.findall(rb'<c r="(C\d+)"[^>]*?(/>|>.*?</c>)', sheet))
    assert b"<v>50.4</v>" in cells[b"C6"] and cells[b"C7"] == b"/>"
    assert "There are no different benefits: patients 7%, staff not shown." in frame._element.nvGraphicFramePr.cNvPr.get("descr")


def test_the_2014_series_are_there_only_where_the_report_has_them(prs, report):
    names = [
        [series.name for series in chart_for(prs, f["question"]["title"])[0][1].chart.plots[0].series] for f in report["findings"]
    ]
    assert names == [
        ["Patients", "Staff", "Patients 2014", "Staff 2014"],
        ["Patients", "Staff", "Patients 2014"],  # staff's 2014 figures are all None
        ["Patients", "Staff"],  # no report_2014 at all, or {}
    ]
    [(_, frame)] = chart_for(prs, report["findings"][1]["question"]["title"])
    assert values(frame.chart)["Patients 2014"] == [41.0, 33.0, 26.0]


def test_a_suppressed_group_is_left_out_and_the_slide_says_so(report):
    report = copy.deepcopy(report)
    report["groups"]["staff"] = {"n": None, "suppressed": True, "services": None, "rate": None}
    for finding in report["findings"]:
        finding["question"]["answered"]["staff"] = None
        for option in finding["question"]["options"]:
            option["staff"] = None  # the brief's shorthand: None for withheld
    for question in report["who"]["charts"]:
        for option in question["options"]:
            option["staff"] = dict(HIDDEN)
    prs = deck(report)
    assert "Staff: fewer than 5 answered (not shown)" in slide_text(prs.slides[0])
    for finding in report["findings"]:
        [(slide, frame)] = chart_for(prs, finding["question"]["title"])
        assert "Staff" not in [series.name for series in frame.chart.plots[0].series]
        assert "Not shown: fewer than 5 answered (staff)." in slide_text(slide)
        assert "Not shown: fewer than 5 answered (staff)." in frame._element.nvGraphicFramePr.cNvPr.get("descr")
    # Asked of staff only, and staff withheld: no chart, only the words.
    slide = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Who answered: Age")
    assert not any(shape.has_chart for shape in slide.shapes)
    assert "Not shown: fewer than 5 answered (staff)." in slide_text(slide)


def test_an_about_you_chart_shows_only_the_groups_asked(prs):
    [(slide, frame)] = chart_for(prs, "Age")
    assert [series.name for series in frame.chart.plots[0].series] == ["Staff"]
    assert "Asked of staff only." in slide_text(slide)
    [(slide, frame)] = chart_for(prs, "Gender")
    assert values(frame.chart) == {"Patients": [20.0, 76.4, None], "Staff": [60.9, 34.8, 0.0]}
    assert list(frame.chart.plots[0].categories) == ["Female", "Male", "Non-binary"]  # nobody preferred not to say
    assert "Prefer not to say" in slide.notes_slide.notes_text_frame.text


def test_every_chart_has_alt_text_with_its_figures(prs):
    frames = charts(prs)
    assert len(frames) == 5
    for _, frame in frames:
        descr = frame._element.nvGraphicFramePr.cNvPr.get("descr")
        assert descr and frame.chart.chart_title.text_frame.text in descr
    [(_, frame)] = chart_for(prs, "Do you think that peer support can be useful in secure services?")
    descr = frame._element.nvGraphicFramePr.cNvPr.get("descr")
    assert "secure services? Percentage" in descr
    assert "Yes: patients 61%, staff 71%, patients 2014 65%, staff 2014 80%." in descr


def test_the_notes_hold_the_summary_and_every_quote_with_its_credit(prs, report):
    for finding in report["findings"]:
        [(slide, _)] = chart_for(prs, finding["question"]["title"])
        notes = slide.notes_slide.notes_text_frame.text
        assert finding["summary"] in notes
        for quote in finding["quotes"]:
            assert quote["text"] in notes
    [(slide, _)] = chart_for(prs, report["findings"][0]["question"]["title"])
    assert "“because we can share experiences” — CL8, answered Yes" in slide.notes_slide.notes_text_frame.text
    [(slide, _)] = chart_for(prs, report["findings"][1]["question"]["title"])
    notes = slide.notes_slide.notes_text_frame.text
    assert "“We run the community meeting ourselves now.” — CL152\n" in notes  # no answer: no "answered"
    assert "The patients' council meets every month." in notes  # the fourth quote, in the notes only


def test_up_to_three_quotes_on_the_slide_in_italic_with_their_credit(prs, report):
    [(slide, _)] = chart_for(prs, report["findings"][1]["question"]["title"])
    box = next(shape for shape in slide.shapes if shape.name == "Summary and quotes")
    quoted = [p for p in box.text_frame.paragraphs if p.text.startswith("“")]
    assert [p.text for p in quoted] == [
        "“We run the community meeting ourselves now.”",
        "“Only on one ward.”",
        "“Staff decide everything.”",
    ]
    assert all(run.font.italic for p in quoted for run in p.runs)
    assert "— Staff member 7, answered Not sure" in box.text_frame.text
    assert "More quotes in the speaker notes." in box.text_frame.text


def test_no_text_smaller_than_12_point(prs):
    sizes = []
    for slide in prs.slides:
        sizes += [int(size) for size in slide._element.xpath(".//a:rPr/@sz")]
    for _, frame in charts(prs):
        sizes += [int(size) for size in frame.chart._chartSpace.xpath(".//a:defRPr/@sz | .//a:rPr/@sz")]
    assert sizes and min(sizes) >= 1200


def test_every_shape_is_on_the_slide(report):
    report = copy.deepcopy(report)
    report["method"] = ["How we asked, at length. " * 60] * 4
    prs = deck(report)
    for slide in prs.slides:
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= prs.slide_width, (slide.shapes.title.text, shape.name)
            assert 0 <= shape.top and shape.top + shape.height <= prs.slide_height, (slide.shapes.title.text, shape.name)


def test_long_method_runs_on_to_further_slides_and_keeps_every_word(report):
    report = copy.deepcopy(report)
    report["method"] = [
        f"Step {i}: " + "we asked patients and staff the same questions in the same order. " * 9 for i in range(6)
    ]
    prs = deck(report)
    slides = [s for s in prs.slides if s.shapes.title.text_frame.text.startswith("How we asked")]
    assert len(slides) > 1
    assert slides[0].shapes.title.text_frame.text == f"How we asked (1 of {len(slides)})"
    words = " ".join(shape.text_frame.text for s in slides for shape in s.shapes if shape.name == "Text").split()
    assert words == " ".join(report["method"]).split()


def test_a_question_with_many_options_is_split_over_slides_in_order():
    options = [f"Ethnic group number {i}, described at some length" for i in range(21)]
    report = make_report()
    report["who"]["charts"] = [
        {
            "code": "ethnicity",
            "kind": "one",
            "title": "Ethnicity",
            "answered": {"patient": 100, "staff": 110},
            "options": [
                {"code": f"e{i}", "label": label, "patient": cell(i + 1, 110), "staff": cell(i + 2, 115)}
                for i, label in enumerate(options)
            ],
        }
    ]
    report["who"]["charts"][0]["options"][0]["report_2014"] = {"patient": 12.0}
    prs = deck(report)
    parts = chart_for(prs, "Ethnicity")
    assert len(parts) > 1
    # Every part has the same series (and legend), though only the first has a 2014 figure.
    assert all([s.name for s in frame.chart.plots[0].series] == ["Patients", "Staff", "Patients 2014"] for _, frame in parts)
    assert [label for _, frame in parts for label in frame.chart.plots[0].categories] == options
    assert parts[0][0].shapes.title.text_frame.text == f"Who answered: Ethnicity (1 of {len(parts)})"


def test_recommendations_are_a_numbered_list(prs, report):
    slide = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Recommendations")
    numbered = slide._element.xpath(".//a:p[a:pPr/a:buAutoNum]")
    assert len(numbered) == len(report["recommendations"])
    assert [p.xpath("string(.)") for p in numbered] == report["recommendations"]


def test_a_report_with_no_findings_or_conclusions_still_builds():
    report = make_report()
    report.update(findings=[], conclusions=[], recommendations=[], who={"summary": [], "charts": []})
    prs = deck(report)
    assert not charts(prs)
    text = {slide.shapes.title.text_frame.text: slide_text(slide) for slide in prs.slides}
    assert "No conclusions written yet" in text["Conclusions"]
    assert "No findings in this report yet" in text["Findings"]
    assert "No recommendations written yet" in text["Recommendations"]


def test_a_bare_report_builds():
    prs = deck({"title": "Empty", "groups": {}, "min_cell": 5})
    assert prs.slides[0].shapes.title.text_frame.text == "Empty"
    assert all(slide.shapes.title.text_frame.text for slide in prs.slides)


def test_it_is_pure_it_imports_without_django():
    code = "import sys, dashboard.report_pptx; sys.exit('django' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_quotes_that_explain_no_chart_have_their_own_slide(report):
    deck = Presentation(io.BytesIO(pptx_bytes({**report, "other_quotes": [{"text": "It works", "credit": "CL8"}]})))
    slide = next(slide for slide in deck.slides if slide.shapes.title.text_frame.text == "In their own words")
    assert "“It works” — CL8" in " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    plain = Presentation(io.BytesIO(pptx_bytes(report)))
    assert all(slide.shapes.title.text_frame.text != "In their own words" for slide in plain.slides)
