"""Exports and quotes: streamed CSV with defused cells, quotes hidden until reviewed;
leads and quote reviews read only in the admin; the add_user command."""

import csv
import io
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dashboard.models import Lead
from surveys.csv_format import defuse
from surveys.models import QuoteReview, TextAnswer
from surveys.quotes import quote_review
from surveys.services import responses_purge
from tests.factories import PASSWORD, answer, lead, service


@pytest.fixture
def chadwick_answers(chadwick):
    cl = chadwick
    for index in range(6):
        answer(
            cl,
            "patient",
            {
                "useful": "yes" if index % 2 else "no",
                "useful_why": '=HYPERLINK("http://evil.example")' if index == 0 else f"because {index}",
                "fears": ["trust"],
            },
        )
        answer(cl, "staff", {"useful": "sometimes", "job_title": "Staff nurse", "comments": f"staff view {index}"})
    return cl


def read_csv(reply):
    assert reply["Content-Type"].startswith("text/csv")
    assert "attachment" in reply["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(reply.streaming_content).decode())))


def test_defuse_neutralises_formulas():
    assert defuse("=SUM(A1:A9)") == "'=SUM(A1:A9)"
    assert defuse("@cmd") == "'@cmd" and defuse("+1") == "'+1" and defuse("\tx") == "'\tx"
    assert defuse("ok") == "ok" and defuse(0) == "0"


def test_aggregate_csv_has_the_numbers_of_data_json(national_client, chadwick_answers):
    data = national_client.get("/dashboard/data.json").json()
    rows = read_csv(national_client.get("/dashboard/export/aggregate.csv"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["question", "question_title", "option", "option_label", "patient_n", "patient_count"]
    by_key = {(row[0], row[2]): dict(zip(header, row, strict=True)) for row in body}
    for question in data["questions"]:
        for option in question["options"]:
            row = by_key[(question["code"], option["code"])]
            for group in ("patient", "staff"):
                cell = option[group]
                if cell is None:
                    assert row[f"{group}_count"] == "not asked"
                elif cell["count"] is None:  # a suppressed group, or an about-you category withheld
                    assert row[f"{group}_count"] == "suppressed"
                else:
                    assert row[f"{group}_count"] == str(cell["count"])
                    assert row[f"{group}_pct"] == str(cell["pct"])


def test_response_csv_one_row_per_released_response_anonymised(national_client, service_lead, chadwick_answers):
    evil = TextAnswer.objects.get(text__startswith="=HYPERLINK")
    QuoteReview.objects.create(answer=evil, status="approved", text=evil.text, attribution="CL1", reviewed_on="2026-11-02")
    morpeth = service("M", security="medium")
    for index in range(10):
        about = {"gender": "female" if index % 2 else "male", "time_in_service": "lt_1y", "age_band": AGE_BANDS[index]}
        answer(morpeth, "patient", {"useful": "yes", **about}, on=date(2026, 10, 20))
    reply = national_client.get("/dashboard/export/responses.csv")
    raw = b"".join(reply.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(raw)))
    assert reply["Content-Type"].startswith("text/csv") and "attachment" in reply["Content-Disposition"]
    header, body = rows[0], rows[1:]
    # No running number, channel, day or free text: the month of release, then the about-you answers.
    assert header[:10] == [
        "service",
        "questionnaire",
        "version",
        "month",
        "wave",
        "gender",
        "time_in_service",
        "time_in_secure",
        "age_band",
        "ethnicity",
    ]
    assert "useful.yes" in header and "benefits.reduces_workload" in header
    assert not {"number", "channel", "submitted_on", "useful_why", "comments", "job_title"} & set(header)
    assert "HYPERLINK" not in raw and "because" not in raw and "Staff nurse" not in raw  # no free text, approved or not
    records = [dict(zip(header, row, strict=True)) for row in body]
    # Released responses only: CL's 6 patients and 6 staff are a batch of 5 each (one of each
    # waits); Morpeth's 10 patients are two batches.
    assert sorted(Counter((r["service"], r["questionnaire"], r["month"]) for r in records).items()) == [
        (("CL", "patient", "2026-11"), 5),
        (("CL", "staff", "2026-11"), 5),
        (("M", "patient", "2026-10"), 10),
    ]
    cl_patients = [r for r in records if r["service"] == "CL" and r["questionnaire"] == "patient"]
    # The first five patients answered no, yes, no, yes, no; every one fears trust.
    assert (
        sorted((r["useful.no"], r["useful.yes"], r["fears.trust"]) for r in cl_patients)
        == [("0", "1", "1")] * 2 + [("1", "0", "1")] * 3
    )
    assert all(r["benefits.reduces_workload"] == "" for r in cl_patients)  # not asked of patients
    assert all(r["useful.sometimes"] == "1" for r in records if r["questionnaire"] == "staff")
    # k-anonymous: Morpeth's 5 women and 5 men keep gender and time in service; each age
    # band is one person's, so age band is left blank.
    m_about = Counter((r["gender"], r["time_in_service"], r["age_band"], r["ethnicity"]) for r in records if r["service"] == "M")
    assert m_about == {("female", "lt_1y", "", ""): 5, ("male", "lt_1y", "", ""): 5}
    # Partnership leads only, and never filtered by an about-you answer.
    assert national_client.get("/dashboard/export/responses.csv?gender=male").status_code == 400
    national_client.force_login(service_lead)
    assert national_client.get("/dashboard/export/responses.csv").status_code == 403


AGE_BANDS = ["16_24", "25_29", "30_34", "35_39", "40_44", "45_49", "50_54", "55_59", "60_64", "65_plus"]


def test_quotes_stay_hidden_until_approved(national_client, chadwick_answers):
    assert "because 1" not in national_client.get("/dashboard/quotes/").content.decode()
    queue = national_client.get("/dashboard/quotes/review/").content.decode()
    assert "because 1" in queue and "Staff nurse" in queue
    target = TextAnswer.objects.get(text="because 1")
    reply = national_client.post(
        f"/dashboard/quotes/review/{target.pk}/",
        {
            "decision": "approve",
            "text": "because [name removed] helped",
            "attribution": "CL2",
        },
    )
    assert reply.status_code == 302
    page = national_client.get("/dashboard/quotes/").content.decode()
    assert "because [name removed] helped" in page and "(CL2)" in page
    assert "because 1" not in page
    staff = TextAnswer.objects.filter(text="staff view 0").first()
    national_client.post(
        f"/dashboard/quotes/review/{staff.pk}/", {"decision": "reject", "text": "", "attribution": "Staff nurse 2"}
    )
    assert "staff view 0" not in national_client.get("/dashboard/quotes/").content.decode()
    assert QuoteReview.objects.get(answer=staff).status == "rejected"
    assert (
        national_client.post(
            f"/dashboard/quotes/review/{staff.pk}/", {"decision": "approve", "text": " ", "attribution": "x"}
        ).status_code
        == 400
    )


def test_review_needs_review_rights_and_stays_within_the_leads_services(client, chadwick_answers, service_reviewer):
    other = service("M")
    answer(other, "patient", {"comments": "from Morpeth"})
    national_without_reviews = lead("viewer", "partnership_lead", review=False)
    client.force_login(national_without_reviews)
    assert client.get("/dashboard/quotes/review/").status_code == 403
    client.force_login(service_reviewer)
    assert "from Morpeth" not in client.get("/dashboard/quotes/review/").content.decode()
    morpeth = TextAnswer.objects.get(text="from Morpeth")
    assert (
        client.post(
            f"/dashboard/quotes/review/{morpeth.pk}/", {"decision": "approve", "text": "x", "attribution": "M1"}
        ).status_code
        == 404
    )
    assert client.get("/dashboard/quotes/?service=M").status_code == 403


def test_suppressed_selections_show_no_quotes(national_client):
    tiny = service("TU")
    for index in range(3):
        answer(tiny, "patient", {"comments": f"tiny {index}"}, on=date(2026, 10, 1))
    for text in TextAnswer.objects.all():
        QuoteReview.objects.create(answer=text, status="approved", text=text.text, attribution="TU", reviewed_on="2026-11-02")
    # Approved, but waiting for a batch of 5: a quote appears with its batch, never alone.
    page = national_client.get("/dashboard/quotes/?service=TU").content.decode()
    assert "tiny" not in page
    for index in range(3, 5):
        answer(tiny, "patient", {"comments": f"tiny {index}"}, on=date(2026, 11, 2))
    for text in TextAnswer.objects.filter(review__isnull=True):
        QuoteReview.objects.create(answer=text, status="approved", text=text.text, attribution="TU", reviewed_on="2026-11-02")
    page = national_client.get("/dashboard/quotes/?service=TU").content.decode()
    assert all(f"tiny {index}" in page for index in range(5)) and "fewer than 5 responses" not in page
    # A purge leaves 2 of the batch: fewer than 5 respondents, so no quotes, and the page says why.
    assert responses_purge(before=date(2026, 11, 1)) == 3
    page = national_client.get("/dashboard/quotes/?service=TU").content.decode()
    assert "tiny" not in page and "fewer than 5 responses" in page
    assert "tiny" not in national_client.get("/dashboard/quotes/").content.decode()


def test_add_user_command(db, monkeypatch):
    service("CL")
    monkeypatch.setenv("PEERSURVEY_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command("add_user", "alice", "--role", "service_lead", "--service", "CL", stdout=out)
    assert "Created service lead alice (CL)" in out.getvalue()
    alice = Lead.objects.get(user__username="alice")
    assert alice.role == "service_lead" and [s.code for s in alice.services.all()] == ["CL"]
    call_command("add_user", "alice", "--role", "partnership_lead", "--review-quotes", stdout=io.StringIO())
    alice.refresh_from_db()
    assert alice.role == "partnership_lead" and alice.services.count() == 0 and alice.can_review_quotes
    for args, message in (
        (["bob", "--role", "service_lead"], "needs at least one --service"),
        (["bob", "--role", "service_lead", "--service", "ZZ"], "No service has code 'ZZ'"),
        (["bob", "--role", "partnership_lead", "--service", "CL"], "sees every service"),
        (["bob", "--role", "boss"], "invalid choice: 'boss'"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("add_user", *args, stdout=io.StringIO())
    monkeypatch.setenv("PEERSURVEY_PASSWORD", "password")
    with pytest.raises(CommandError, match="too short|too common"):
        call_command("add_user", "carol", "--role", "partnership_lead", stdout=io.StringIO())
    assert not Lead.objects.filter(user__username__in=["bob", "carol"]).exists()


def test_leads_are_managed_in_the_admin_and_reviews_are_not_edited_there(admin_client, chadwick_answers, national_lead):
    review = quote_review(answer=TextAnswer.objects.first(), approve=True, text="fine", attribution="CL1")
    for url in ("/admin/dashboard/lead/", "/admin/surveys/quotereview/"):
        assert admin_client.get(url).status_code == 200
    assert admin_client.get("/admin/dashboard/lead/add/").status_code == 200  # tests/accounts/test_admin_leads.py
    assert admin_client.post(f"/admin/surveys/quotereview/{review.pk}/change/", {"status": "rejected"}).status_code == 403
    assert QuoteReview.objects.get().status == "approved"
