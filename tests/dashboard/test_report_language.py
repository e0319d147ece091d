"""The report in the lead's language: Welsh with ?lang=cy or the language cookie,
every sentence, heading, chart word and slide title; questions and answers as the
Welsh questionnaire words them; quotes and figures the same in both languages."""

import io
import re
from datetime import date
from html import unescape

import pytest
from django.utils import translation
from pptx import Presentation
from pptx.oxml.ns import qn

from dashboard.report import finding_summary, method_paragraphs, people, questionnaire_wording, who_paragraphs

# The suite's report fixtures, defined once there: a round at CL, M and SAN, and quotes chosen for it.
from tests.dashboard.test_report import _pdf_objects, chosen, round_2026  # noqa: F401

WELSH_HEADINGS = [
    "1. Cyflwyniad",
    "2. Sut gwnaethon ni ofyn",
    "3. Pwy atebodd",
    "4. Beth ddywedodd pobl",
    "5. Casgliadau",
    "6. Argymhellion",
]
ENGLISH_HEADINGS = [
    "1. Introduction",
    "2. How we asked",
    "3. Who answered",
    "4. What people said",
    "5. Conclusions",
    "6. Recommendations",
]


def _headings(html: str) -> list[str]:
    return [heading for heading in re.findall(r"<h2[^>]*>([^<]+)</h2>", html) if heading[0].isdigit()]


def _figures(html: str) -> list[list[str]]:
    """Every table row's figures (percentages, counts, changes, 2014), without its words."""
    rows = re.findall(r'<th scope="row">[^<]+</th>(.*?)</tr>', html, flags=re.S)
    return [re.findall(r"[+-]?\d+%?|\(\d+\)|–|\*", re.sub(r"<[^>]+>", " ", row)) for row in rows]


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# --- the page -------------------------------------------------------------------------


@pytest.mark.usefixtures("round_2026")
def test_the_report_page_in_welsh(national_client):
    html = national_client.get("/dashboard/report/?wave=2026&service=CL&lang=cy").content.decode()
    assert '<html lang="cy"' in html
    assert _headings(html) == WELSH_HEADINGS
    # The report hides the site's header, so it has its own way back to English.
    assert re.search(r'<a href="\?[^"]*lang=en" hreflang="en" lang="en">English</a>', html)
    text = _text(html)
    # The method, written from the data, in Welsh; the figures as in English.
    assert "Cafodd yr atebion eu casglu mewn un rownd: Autumn 2026, 1 Medi 2026 i 31 Rhagfyr 2026." in text
    assert "Atebodd 10 o gleifion o 1 gwasanaeth: pob un drwy ddolen we." in text
    assert "Atebodd 50.0% o'r cleifion" in text
    # Questions and answers as the Welsh questionnaire words them.
    with translation.override("cy"):
        wording = questionnaire_wording("cy")
    useful, yes = wording["titles"]["useful"], wording["labels"][("useful", "yes")]
    assert useful != "Do you think that peer support can be useful in secure services?"
    assert f"4.1 {useful}" in text
    assert f"gan gleifion, “{yes}” (60%; 65% yn 2014)" in text
    alt = re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', html.split('id="finding-useful"')[1]).group(1)
    assert unescape(alt).startswith(f"{useful} Cleifion: {yes} 60%")
    # Table headings and notes.
    assert "Ateb Cleifion Staff Cleifion 2014 Staff 2014 Cleifion o'u cymharu â staff" in text
    assert "Does dim casgliadau wedi'u hysgrifennu ar gyfer yr adroddiad hwn eto." in text


@pytest.mark.usefixtures("round_2026")
def test_the_language_cookie_asks_for_welsh_and_lang_en_for_english(national_client):
    national_client.cookies["language"] = "cy"
    assert _headings(national_client.get("/dashboard/report/?wave=2026").content.decode()) == WELSH_HEADINGS
    english = national_client.get("/dashboard/report/?wave=2026&lang=en").content.decode()
    assert _headings(english) == ENGLISH_HEADINGS
    assert '<html lang="en-GB"' in english


@pytest.mark.usefixtures("round_2026")
def test_the_figures_are_the_same_in_both_languages(national_client):
    for query in ("wave=2026&service=CL", "wave=2026", "service=SAN"):
        english = national_client.get(f"/dashboard/report/?{query}&lang=en").content.decode()
        welsh = national_client.get(f"/dashboard/report/?{query}&lang=cy").content.decode()
        assert _figures(english) == _figures(welsh), query
        assert _figures(english)
        assert re.findall(r"\d+(?:\.\d+)?%", _text(english)) == re.findall(r"\d+(?:\.\d+)?%", _text(welsh))


@pytest.mark.usefixtures("chosen")
def test_quotes_stay_in_their_writers_words_with_the_answer_in_welsh(national_client):
    html = national_client.get("/dashboard/report/?wave=2026&service=CL&lang=cy").content.decode()
    finding = html.split('id="finding-useful"')[1].split("</article>")[0]
    with translation.override("cy"):
        yes = questionnaire_wording("cy")["labels"][("useful", "yes")]
    assert "“we share experiences 0”" in finding
    assert f"— CL8, a atebodd “{yes}”" in finding
    other = html.split('id="finding-other"')[1].split("</article>")[0]
    assert "“final word 0”" in other and "pan ofynnwyd" in other


@pytest.mark.usefixtures("round_2026")
def test_the_conclusions_page_in_welsh(national_client):
    page = national_client.get("/dashboard/report/text/?wave=2026&service=CL&lang=cy").content.decode()
    assert '<h1 class="h2">Casgliadau ac argymhellion</h1>' in page
    assert "Ar gyfer adroddiad Chadwick Lodge (CL), Autumn 2026." in page


# --- the PDF and the deck -----------------------------------------------------------------


@pytest.mark.usefixtures("round_2026")
def test_the_welsh_pdf_is_tagged_welsh_with_the_same_structure(national_client):
    structure = {}
    for language in ("en", "cy"):
        response = national_client.get(f"/dashboard/report.pdf?wave=2026&service=CL&lang={language}")
        assert response.status_code == 200
        objects = _pdf_objects(response.content)
        structure[language] = {
            tag: len(re.findall(rb"/S /" + tag + rb"\b", objects)) for tag in (b"H1", b"H2", b"H3", b"H4", b"Figure", b"Table")
        }
        if language == "cy":
            assert b"/Lang (cy)" in objects and b"/Lang (en-GB)" not in objects
            assert b"/Title (Cymorth gan gymheiriaid mewn gwasanaethau diogel" in objects
            assert (
                'filename="adroddiad-cymorth-gan-gymheiriaid-chadwick-lodge-cl-autumn-2026.pdf"'
                in response["Content-Disposition"]
            )
        else:
            assert b"/Lang (en-GB)" in objects
    assert structure["cy"] == structure["en"]
    assert structure["cy"][b"H2"] >= 6


def _deck(client, language: str) -> Presentation:
    response = client.get(f"/dashboard/report.pptx?wave=2026&service=CL&lang={language}")
    assert response.status_code == 200
    return Presentation(io.BytesIO(response.content))


@pytest.mark.usefixtures("round_2026")
def test_the_welsh_deck_has_welsh_titles_and_the_same_chart_figures(national_client):
    welsh, english = _deck(national_client, "cy"), _deck(national_client, "en")
    titles = [slide.shapes.title.text_frame.text for slide in welsh.slides]
    assert titles[0] == "Cymorth gan gymheiriaid mewn gwasanaethau diogel"
    for title in ("Pwy atebodd", "Cyfyngiadau", "Casgliadau", "Argymhellion"):
        assert title in titles
    assert any(title.startswith("Sut gwnaethon ni ofyn") for title in titles)
    assert any(title.startswith("Canfyddiad 1 · ") for title in titles)
    assert welsh.core_properties.language == "cy-GB" and english.core_properties.language == "en-GB"
    # Every run of text is marked Welsh, the template's defaults included.
    slide_xml = welsh.slides[1].shapes._spTree
    assert {run.get("lang") for run in slide_xml.iter(qn("a:rPr"))} == {"cy-GB"}

    def charts(deck):
        return [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]

    def bars(deck):
        """Each answer's figures, chart after chart: longer Welsh labels may split a chart in two."""
        return [
            tuple(series.values[index] for series in chart.plots[0].series)
            for chart in charts(deck)
            for index in range(len(chart.plots[0].categories))
        ]

    welsh_charts = charts(welsh)
    assert bars(welsh) == bars(english)
    assert len(bars(welsh)) > 10
    assert {series.name for chart in welsh_charts for series in chart.plots[0].series} <= {
        "Cleifion",
        "Staff",
        "Cleifion 2014",
        "Staff 2014",
    }


# --- the words, without a database -----------------------------------------------------------


def test_counts_of_people_take_welshs_four_plural_forms():
    with translation.override("cy"):
        assert [people("patient", n) for n in (1, 2, 3, 8)] == ["1 claf", "2 glaf", "3 o gleifion", "8 o gleifion"]
        assert people("staff", 2) == "2 aelod o staff"
    assert [people("patient", n) for n in (1, 2)] == ["1 patient", "2 patients"]


def test_the_method_and_summaries_are_whole_welsh_sentences():
    facts = {
        "scope": "Every service, every round",
        "min_cell": 5,
        "max_noise": 2,
        "released_through": date(2026, 11, 30),
        "about": False,
        "waves": [{"id": 1, "name": "2026 round", "opens": date(2026, 10, 1), "closes": date(2026, 11, 30)}],
        "groups": {
            "patient": {"n": 43, "suppressed": False, "services": 3, "rate": 38.9},
            "staff": {"n": None, "suppressed": True, "services": None, "rate": None},
        },
        "channels": {"patient": {"total": 43, "channels": [("tablet", 40), ("paper", 3)]}},
    }
    with translation.override("cy"):
        method = method_paragraphs(facts)
        who = who_paragraphs(facts)
    assert method[0] == "Cafodd yr atebion eu casglu mewn un rownd: 2026 round, 1 Hydref 2026 i 30 Tachwedd 2026."
    assert method[1] == (
        "Atebodd 43 o gleifion o 3 o wasanaethau: 40 ar dabled y ward a 3 ar bapur. "
        "Atebodd llai na 5 aelod o staff: rhy ychydig i'w dangos."
    )
    assert method[2].startswith("Atebodd 38.9% o'r cleifion yn y gwasanaethau hynny.")
    assert who[0].startswith("Atebodd 43 o gleifion a llai na 5 aelod o staff.")
    question = {
        "kind": "one",
        "options": [
            {
                "label": "Ydw",
                "patient": {"pct": 60.9},
                "staff": {"pct": 71.3},
                "report_2014": {"patient": 65.0},
                "significant": True,
            },
            {"label": "Nac ydw", "patient": {"pct": 20.0}, "staff": {"pct": 10.0}},
        ],
    }
    with translation.override("cy"):
        summary = finding_summary(question, {"patient": {"n": 110}, "staff": {"n": 115}}, min_cell=5)
    assert summary == (
        "Yr ateb a gafodd ei ddewis amlaf: gan gleifion, “Ydw” (61%; 65% yn 2014); gan staff, “Ydw” (71%). "
        "Dewisodd staff “Ydw” yn amlach na chleifion (gwahaniaeth arwyddocaol)."
    )


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_sentence_of_the_method_is_translated(language):
    """No English left in a Welsh method (the wave's name is data, as the lead named it)."""
    facts = {
        "scope": "Every service, every round",
        "min_cell": 5,
        "max_noise": 2,
        "released_through": date(2026, 11, 30),
        "about": False,
        "waves": [
            {"id": 1, "name": "R1", "opens": date(2025, 10, 1), "closes": date(2025, 11, 30)},
            {"id": 2, "name": "R2", "opens": date(2026, 10, 1), "closes": date(2026, 11, 30)},
        ],
        "groups": {
            "patient": {"n": 43, "suppressed": False, "services": None, "rate": None},
            "staff": {"n": 12, "suppressed": False, "services": 1, "rate": None},
        },
        "channels": {
            "patient": {"channels": [("tablet", None), ("web", None), ("paper", None)]},
            "staff": {"channels": [("web", 12)]},
        },
    }
    with translation.override(language):
        text = " ".join(method_paragraphs(facts))
    english_words = {"answered", "round", "rounds", "patients", "staff", "through", "pooled", "percentages"}
    found = english_words & set(re.findall(r"[a-z]+", text.lower()))
    if language == "en":
        assert found >= {"answered", "patients", "pooled"}
    else:
        assert found <= {"staff", "rownd"}, found
