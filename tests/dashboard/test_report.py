"""The report: the 2014 report's structure for any selection, as a page, a PDF
and a PowerPoint deck, with the conclusions a lead writes; nothing in it that
data.json would not release."""

import io
import re
import zlib
from datetime import date

import pytest
from pptx import Presentation

from audit.models import AuditAction, AuditEvent
from dashboard.models import ReportText
from surveys.services import denominator_set, wave_upsert
from tests.factories import respond, service

THIS_YEAR = date(2026, 10, 5)


@pytest.fixture
def round_2026(chadwick, morpeth, settings):
    """One round: CL with 10 patients (6 find peer support useful) and 5 staff, M with
    10 and 5, SAN with 4 patients (too few to release)."""
    settings.PEERSURVEY_PERTURB = False
    this, _ = wave_upsert(code="2026", name="Autumn 2026", opens=date(2026, 9, 1), closes=date(2026, 12, 31))
    san = service("SAN", security="medium")
    plan = {chadwick: (6, 4, 5), morpeth: (9, 1, 5), san: (3, 1, 0)}
    for place, (yes, no, staff) in plan.items():
        for useful, count in (("yes", yes), ("no", no)):
            for _ in range(count):
                respond(place, "patient", 2, {"useful": useful, "gender": "female"}, THIS_YEAR)
        for _ in range(staff):
            respond(place, "staff", 2, {"useful": "yes"}, THIS_YEAR)
    denominator_set(wave=this, service=chadwick, patients=20, staff=12)
    denominator_set(wave=this, service=morpeth, patients=30, staff=10)
    return this


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects, its compressed streams (object streams included) opened."""
    opened = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            opened.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"\n".join(opened)


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_the_report_follows_the_2014_structure_with_method_written_from_the_data(national_client, round_2026):
    page = national_client.get("/dashboard/report/?wave=2026&service=CL")
    assert page.status_code == 200
    text = _text(page.content)
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page.content.decode())
    assert [h for h in headings if h[0].isdigit()] == [
        "1. Introduction",
        "2. How we asked",
        "3. Who answered",
        "4. What people said",
        "5. Conclusions",
        "6. Recommendations",
    ]
    # The method is the round's: its dates, who answered how, and the response rate.
    assert "Autumn 2026, 1 September 2026 to 31 December 2026" in text
    assert "10 patients from 1 service answered: all through a web link" in text
    assert "50.0% of the patients in those services" in text
    # A finding per question with its summary, chart (as an image with its words) and 2014 figure.
    assert "4.1 Do you think that peer support can be useful in secure services?" in text
    assert "by patients, “Yes” (60%; 65% in 2014)" in text
    assert re.search(
        r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Do you think that peer support can be useful', page.content.decode()
    )


def test_a_group_too_small_to_show_is_not_counted_anywhere_in_the_report(national_client, round_2026):
    text = _text(national_client.get("/dashboard/report/?wave=2026&service=SAN").content)
    assert "fewer than 5 patients" in text.lower()
    assert "Too few people answered to show this question." in text
    # SAN's 3 "yes" and 1 "no" appear nowhere, as counts or shares.
    assert "75%" not in text and "(3)" not in text and "(1)" not in text


def test_the_report_shows_only_what_data_json_releases(national_client, round_2026):
    """Every count in the report's tables is data.json's count for that answer."""
    data = national_client.get("/dashboard/data.json?wave=2026&service=M&compare=2014").json()
    released = {
        (option["label"], group, option[group]["count"])
        for question in data["questions"]
        for option in question["options"]
        for group in ("patient", "staff")
        if option[group]
    }
    html = national_client.get("/dashboard/report/?wave=2026&service=M").content.decode()
    for label, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', html, flags=re.S):
        for group, count in zip(("patient", "staff"), re.findall(r"<td>(.*?)</td>", cells, flags=re.S)[:2], strict=True):
            shown = re.search(r"\((\d+)\)", count)
            if shown:
                assert (label, group, int(shown.group(1))) in released


def test_the_pdf_is_tagged_with_its_title_and_vector_charts(national_client, round_2026):
    response = national_client.get("/dashboard/report.pdf?wave=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="peer-support-report-every-service-autumn-2026.pdf"' in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    objects = _pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects and b"/MarkInfo" in objects  # tagged
    assert b"/Lang (en-GB)" in objects
    assert b"/Alt (Do you think that peer support can be useful" in objects  # the charts' words
    # Charts are drawn, not pasted as pictures: no raster image in the file.
    assert b"/Image" not in objects
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_PDF, status=200).count() == 1


def test_the_deck_has_a_native_chart_per_question(national_client, round_2026):
    response = national_client.get("/dashboard/report.pptx?wave=2026&service=CL")
    assert response.status_code == 200
    deck = Presentation(io.BytesIO(response.content))
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    titles = [chart.chart_title.text_frame.text for chart in charts if chart.has_title]
    assert "Do you think that peer support can be useful in secure services?" in titles
    useful = next(chart for chart in charts if chart.has_title and chart.chart_title.text_frame.text.startswith("Do you think"))
    patients = next(series for series in useful.plots[0].series if series.name == "Patients")
    shares = dict(zip(useful.plots[0].categories, patients.values, strict=True))
    assert (shares["Yes"], shares["No"]) == (60.0, 40.0)


def test_bad_filters_and_other_services_are_refused(client, service_lead, round_2026):
    client.force_login(service_lead)
    assert client.get("/dashboard/report.pdf?wave=nope").status_code == 400
    assert client.get("/dashboard/report.pptx?from=2026-13-01").status_code == 400
    assert client.get("/dashboard/report.pdf?service=M").status_code == 403
    assert client.get("/dashboard/report/?service=M").status_code == 403


# --- conclusions and recommendations -------------------------------------------------


def test_a_service_lead_writes_their_services_conclusions_and_they_appear_in_the_report(client, service_lead, round_2026):
    client.force_login(service_lead)
    form = client.get("/dashboard/report/text/?wave=2026&service=CL")
    assert form.status_code == 200
    saved = client.post(
        "/dashboard/report/text/",
        {
            "wave": "2026",
            "service": "CL",
            "conclusions": "Patients value support from each other.\n\nStaff agree.",
            "recommendations": "Start a buddying scheme\n- Train peer supporters\n\n",
        },
    )
    assert saved.status_code == 302
    assert saved["Location"] == "/dashboard/report/?service=CL&wave=2026"
    text = _text(client.get(saved["Location"]).content)
    assert "Patients value support from each other." in text and "Staff agree." in text
    html = client.get(saved["Location"]).content.decode()
    assert re.findall(r"<li>([^<]+)</li>", html.split('id="recommendations"')[1]) == [
        "Start a buddying scheme",
        "Train peer supporters",
    ]
    # Kept per wave: the report for every date has none of it.
    assert "Patients value" not in _text(client.get("/dashboard/report/?service=CL").content)
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_TEXT, status=302).count() == 1


def test_the_national_conclusions_are_the_partnerships(client, service_lead, national_client, round_2026):
    client.force_login(service_lead)
    refused = client.post("/dashboard/report/text/", {"wave": "2026", "conclusions": "Mine"})
    assert refused.status_code == 403
    other = client.post("/dashboard/report/text/", {"wave": "2026", "service": "M", "conclusions": "Mine"})
    assert other.status_code == 403
    assert not ReportText.objects.exists()


def test_bad_input_to_the_conclusions_stores_nothing(national_client, round_2026):
    for data in (
        {"wave": "1999", "conclusions": "x"},
        {"service": "NOPE", "conclusions": "x"},
        {"wave": "2026", "conclusions": "x" * 20001},
    ):
        response = national_client.post("/dashboard/report/text/", data)
        assert response.status_code == 400, data
    assert national_client.get("/dashboard/report/text/?wave=%00").status_code == 400
    assert national_client.put("/dashboard/report/text/").status_code == 405
    assert not ReportText.objects.exists()


def test_a_report_of_several_services_has_no_conclusions_to_write(national_client, round_2026):
    page = national_client.get("/dashboard/report/?service=CL&service=M")
    assert page.status_code == 200
    assert "/dashboard/report/text/" not in page.content.decode()


def test_within_an_about_you_slice_the_method_says_nothing_of_how_people_answered(national_client, round_2026):
    whole = _text(national_client.get("/dashboard/report/").content)
    assert "all through a web link" in whole
    sliced = _text(national_client.get("/dashboard/report/?gender=female").content)
    method = sliced.split("2. How we asked")[1].split("2.1 Limitations")[0]
    assert "web link" not in method and "tablet" not in method
    # Nor from how many services (withheld within a slice), and not "pooled" either.
    assert "service" not in method.split("answered")[0] and "pooled)" not in method


# --- quotes chosen for the report ----------------------------------------------------


@pytest.fixture
def chosen(round_2026, chadwick, national_lead):
    """Ten more CL patients in the round, five explaining their "Yes"; two quotes
    chosen for the report: one under "useful", one final comment."""
    from surveys.models import TextAnswer  # noqa: PLC0415 - the fixture's own setup
    from surveys.quotes import quote_review  # noqa: PLC0415

    for index in range(5):
        respond(
            chadwick,
            "patient",
            2,
            {"useful": "yes", "useful_why": f"we share experiences {index}", "comments": f"final word {index}"},
            THIS_YEAR,
        )
    for _ in range(5):  # enough who said No that "Yes" points at nobody (rule 7)
        respond(chadwick, "patient", 2, {"useful": "no"}, THIS_YEAR)
    for text in ("we share experiences 0", "final word 0"):
        review = quote_review(
            answer=TextAnswer.objects.get(text=text), approve=True, text=text, attribution="CL8", reviewer=national_lead
        )
        review.for_report = True
        review.save()
    return chadwick


def test_quotes_chosen_for_the_report_appear_under_their_question_with_the_writers_answer(national_client, chosen):
    html = national_client.get("/dashboard/report/?wave=2026&service=CL").content.decode()
    finding = html.split('id="finding-useful"')[1].split("</article>")[0]
    assert "“we share experiences 0”" in finding and "who answered “Yes”" in finding
    other = html.split('id="finding-other"')[1].split("</article>")[0]
    assert "“final word 0”" in other
    # Not chosen, not shown.
    assert "we share experiences 1" not in html and "final word 1" not in html


def test_no_quotes_in_a_report_of_an_about_you_slice_or_of_other_services(national_client, chosen):
    sliced = national_client.get("/dashboard/report/?gender=female").content.decode()
    assert "we share experiences 0" not in sliced and "final word 0" not in sliced
    medium = national_client.get("/dashboard/report/?security=medium").content.decode()
    assert "we share experiences 0" not in medium
    assert "we share experiences 0" in national_client.get("/dashboard/report/").content.decode()
