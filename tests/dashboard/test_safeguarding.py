"""Safeguarding: a reviewer flags a text that discloses harm; it vanishes from every page
and output, the flagger's included, and only the named safeguarding reviewers see it,
with its service and question but nothing about its writer, and record what was done."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from audit.models import AuditEvent
from dashboard.access import access_for
from dashboard.data import patient_quotes_data, report_quotes_data
from dashboard.models import Lead
from dashboard.services import lead_upsert
from surveys.models import Response, SafeguardingConcern, TextAnswer
from surveys.quotes import quote_review
from tests.factories import PASSWORD, answer, lead, service

DAY = date(2026, 3, 3)
ANONYMOUS = "The survey is anonymous"


@pytest.fixture
def texts(chadwick):
    """Five CL patients, each with a final comment (released: a batch of 5)."""
    for index in range(5):
        answer(chadwick, "patient", {"useful": "yes", "comments": f"comment {index}"}, on=DAY)
    return chadwick


@pytest.fixture
def guardian(chadwick):
    """The named safeguarding reviewer: a partnership lead."""
    return lead_upsert(username="guardian", role="partnership_lead", password=PASSWORD, safeguarding_reviewer=True)[0]


def text_id(text: str) -> int:
    return TextAnswer.objects.get(text=text).pk


def flag(client, text, note="", **extra):
    return client.post(f"/dashboard/quotes/{text_id(text)}/concern/", {"note": note, **extra})


def approve(text: str, **choices):
    review = quote_review(answer=TextAnswer.objects.get(text=text), approve=True, text=text, attribution="CL7")
    for name, value in choices.items():
        setattr(review, name, value)
    review.save()


def test_a_flagged_text_vanishes_from_every_page_and_output(national_client, texts, national_lead):
    reply = flag(national_client, "comment 0", note="says someone hurts them", to="review", back="page=1")
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/quotes/review/?page=1"
    concern = SafeguardingConcern.objects.get()
    assert concern.answer.text == "comment 0" and concern.raised_by == national_lead and concern.note == "says someone hurts them"
    queue = national_client.get("/dashboard/quotes/review/").content.decode()
    assert "comment 0" not in queue and "comment 1" in queue
    # Approved and chosen before it was flagged: gone from the list, the report and the ward.
    approve("comment 1", for_report=True, for_patients=True)
    approve("comment 2", for_report=True, for_patients=True)
    access = access_for(national_lead)
    assert sorted(quote["text"] for quote in report_quotes_data(access, None, None)["comments"]) == ["comment 1", "comment 2"]
    reply = flag(national_client, "comment 1", back="service=CL")
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/quotes/?service=CL"
    page = national_client.get("/dashboard/quotes/").content.decode()
    assert "comment 1" not in page and "comment 2" in page
    assert [quote["text"] for quote in report_quotes_data(access, None, None)["comments"]] == ["comment 2"]
    assert [quote["text"] for quote in patient_quotes_data("CL", None)] == ["comment 2"]
    # Nothing more can be done with a flagged text outside the safeguarding page.
    review = national_client.post(
        f"/dashboard/quotes/review/{text_id('comment 0')}/", {"decision": "approve", "text": "x", "attribution": "CL1"}
    )
    assert review.status_code == 404
    chosen = {"choice": "report", "chosen": "0"}
    assert national_client.post(f"/dashboard/quotes/{text_id('comment 1')}/choose/", chosen).status_code == 404
    # Flagging twice (a double click) stores one concern.
    assert flag(national_client, "comment 1").status_code == 302
    assert SafeguardingConcern.objects.count() == 2
    # The flagger is no safeguarding reviewer: the concern's page is not theirs.
    assert national_client.get("/dashboard/safeguarding/").status_code == 403
    events = AuditEvent.objects.filter(action="safeguarding")
    assert sorted(events.values_list("status", flat=True)) == [302, 302, 302, 403]
    assert all("says someone" not in str(event.selection) for event in events)


def test_only_named_safeguarding_reviewers_see_the_page(
    client, admin_client, texts, guardian, national_lead, service_lead, outsider
):
    flag_as(national_lead, "comment 3", note="mentions a knife")
    assert admin_client.get("/dashboard/safeguarding/").status_code == 403  # a superuser is not named
    for user in (national_lead, service_lead, outsider):
        client.force_login(user)
        assert client.get("/dashboard/safeguarding/").status_code == 403
        assert "/dashboard/safeguarding/" not in client.get("/dashboard/quotes/").content.decode()
    client.logout()
    assert client.get("/dashboard/safeguarding/")["Location"].startswith("/accounts/login/")
    client.force_login(guardian)
    assert 'href="/dashboard/safeguarding/"' in client.get("/dashboard/quotes/").content.decode()
    page = client.get("/dashboard/safeguarding/").content.decode()
    for shown in ("comment 3", "mentions a knife", "Chadwick Lodge", "CL", "Any final comments or thoughts?", "national_lead"):
        assert shown in page, shown
    assert ANONYMOUS in page and "safeguarding lead" in page
    # Nothing about the writer: no date of answer, running number, device or response id.
    response = Response.objects.get(texts__text="comment 3")
    for hidden in (str(response.pk), response.pk.hex, str(response.client_id), "2026-03-03", "3 March 2026", "comment 1"):
        assert hidden not in page, hidden
    assert not re.search(rf"\bCL{response.number}\b", page)


def flag_as(user, text, note=""):
    client = Client()
    client.force_login(user)
    assert flag(client, text, note=note).status_code == 302


def test_a_superuser_named_as_reviewer_sees_it_and_a_service_reviewer_sees_their_services(client, texts, national_lead):
    other = service("M")
    answer(other, "patient", {"comments": "from Morpeth"}, on=DAY)
    flag_as(national_lead, "comment 0")
    flag_as(national_lead, "from Morpeth")
    local = lead_upsert(
        username="cl_guardian", role="service_lead", service_codes=["CL"], password=PASSWORD, safeguarding_reviewer=True
    )
    client.force_login(local[0])
    page = client.get("/dashboard/safeguarding/").content.decode()
    assert "comment 0" in page and "from Morpeth" not in page
    morpeth = SafeguardingConcern.objects.get(answer__text="from Morpeth")
    assert client.post(f"/dashboard/safeguarding/{morpeth.pk}/", {"action": "x", "close": "on"}).status_code == 404
    boss = lead("boss", "partnership_lead")
    boss.is_superuser = True
    boss.save()
    Lead.objects.filter(user=boss).update(safeguarding_reviewer=True)
    client.force_login(boss)
    page = client.get("/dashboard/safeguarding/").content.decode()
    assert "comment 0" in page and "from Morpeth" in page


def test_reviewers_record_what_was_done(client, texts, guardian, national_lead):
    flag_as(national_lead, "comment 2")
    concern = SafeguardingConcern.objects.get()
    client.force_login(guardian)
    url = f"/dashboard/safeguarding/{concern.pk}/"
    # Closing needs what was done; too long a record is refused; neither stores anything.
    assert client.post(url, {"action": "", "close": "on"}).status_code == 400
    assert client.post(url, {"action": "x" * 5001}).status_code == 400
    assert client.get(url).status_code == 405
    assert client.post("/dashboard/safeguarding/999999/", {"action": "x"}).status_code == 404
    concern.refresh_from_db()
    assert concern.action == "" and concern.closed_on is None
    assert client.post(url, {"action": "Passed to CL's safeguarding lead"}).status_code == 302
    concern.refresh_from_db()
    assert concern.action == "Passed to CL's safeguarding lead" and concern.closed_on is None
    reply = client.post(url, {"action": "Passed to CL's safeguarding lead; ward meeting held", "close": "on"})
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/safeguarding/"
    concern.refresh_from_db()
    assert concern.closed_by == guardian and concern.closed_on is not None
    page = client.get("/dashboard/safeguarding/").content.decode()
    assert "ward meeting held" in page and "Closed on" in page
    # Others may not record anything.
    client.force_login(national_lead)
    assert client.post(url, {"action": "overwritten"}).status_code == 403
    concern.refresh_from_db()
    assert "overwritten" not in concern.action
    statuses = sorted(AuditEvent.objects.filter(action="safeguarding").values_list("status", flat=True))
    assert statuses == [200, 302, 302, 302, 400, 400, 403, 404, 405]


def test_flagging_needs_review_rights_a_visible_text_and_a_post(client, texts, service_lead, service_reviewer):
    other = service("M")
    answer(other, "patient", {"comments": "from Morpeth"}, on=DAY)
    client.force_login(service_lead)
    assert flag(client, "comment 0").status_code == 403
    client.force_login(service_reviewer)
    assert flag(client, "from Morpeth").status_code == 404
    assert client.post("/dashboard/quotes/999999/concern/", {"note": ""}).status_code == 404
    assert client.get(f"/dashboard/quotes/{text_id('comment 0')}/concern/").status_code == 405
    assert flag(client, "comment 0", note="x" * 2001).status_code == 400
    assert not SafeguardingConcern.objects.exists()
    assert flag(client, "comment 0").status_code == 302
    assert SafeguardingConcern.objects.get().raised_by == service_reviewer


def test_add_user_names_a_safeguarding_reviewer(db, monkeypatch):
    monkeypatch.setenv("PEERSURVEY_PASSWORD", PASSWORD)
    call_command("add_user", "sam", "--role", "partnership_lead", "--safeguarding", stdout=io.StringIO())
    assert Lead.objects.get(user__username="sam").safeguarding_reviewer
    call_command("add_user", "sam", "--role", "partnership_lead", stdout=io.StringIO())
    assert Lead.objects.get(user__username="sam").safeguarding_reviewer  # unchanged unless asked
    call_command("add_user", "sam", "--role", "partnership_lead", "--no-safeguarding", stdout=io.StringIO())
    assert not Lead.objects.get(user__username="sam").safeguarding_reviewer


def test_the_admin_does_not_show_a_flagged_texts_review_even_to_a_superuser(client, texts, national_client):
    approve("comment 0")
    approve("comment 1")
    flag(national_client, "comment 0", to="review")
    admin = lead("root", "partnership_lead")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    listing = client.get("/admin/surveys/quotereview/").content.decode()
    assert "1 quote review" in listing  # comment 1's; comment 0's is hidden
