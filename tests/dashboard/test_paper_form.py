"""The paper form on the dashboard: a lead types in a paper questionnaire for one of
their services. (Paper in bulk, by CSV: tests/surveys/test_paper_import.py.)"""

import uuid
from datetime import date

import pytest
from django.utils import timezone

from surveys.models import Response
from tests.factories import chosen, texts

# Every test here has a second service, Morpeth (M), that the service lead (of CL) does not lead.
pytestmark = pytest.mark.usefixtures("morpeth")


def test_paper_form_stores_a_paper_questionnaire_and_starts_again_empty(service_client):
    page = service_client.get("/dashboard/paper/CL/patient/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Date on the paper form" in html and f'value="{timezone.localdate().isoformat()}"' in html
    assert "<fieldset" in html and 'for="id_useful_why"' in html

    reply = service_client.post(
        "/dashboard/paper/CL/patient/",
        {
            "paper_date": "2014-06-30",
            "useful": "sometimes",
            "fears": ["trust", "boundaries"],
            "useful_why": "Someone who has been there",
            "client_id": page.context["form"]["client_id"].value(),
        },
        follow=True,
    )

    assert reply.redirect_chain == [("/dashboard/paper/CL/patient/", 302)]
    html = reply.content.decode()
    # Saved, and said so without the running number (CL1): a number, or a count, would
    # tell which answers in the figures are this paper's once its batch is released.
    assert saved_message("patient survey") in html
    assert "CL1" not in html
    assert "Someone who has been there" not in html and "checked" not in html
    response = Response.objects.get()
    assert (response.service.code, response.questionnaire.code, response.channel, response.submitted_on, response.link) == (
        "CL",
        "patient",
        "paper",
        date(2014, 6, 30),
        None,
    )
    assert chosen(response) == {"useful": ["sometimes"], "fears": ["trust", "boundaries"]}
    assert texts(response) == {"useful_why": "Someone who has been there"}


def test_paper_form_stores_a_double_click_once(service_client):
    form = {"paper_date": "2014-06-30", "useful": "yes", "client_id": str(uuid.uuid4())}
    service_client.post("/dashboard/paper/CL/staff/", form)
    reply = service_client.post("/dashboard/paper/CL/staff/", form, follow=True)
    assert saved_message("staff survey") in reply.content.decode()
    assert Response.objects.count() == 1


def saved_message(survey: str) -> str:
    return f"Saved a paper {survey} for CL. Its answers join the figures with the next batch of 5 or more from this service."


@pytest.mark.parametrize(
    "form,message",
    [
        ({"paper_date": "2014-06-30"}, "No answers were given"),
        ({"paper_date": "2999-01-01", "useful": "yes"}, "cannot be in the future"),
        ({"paper_date": "", "useful": "yes"}, "This field is required"),
        ({"paper_date": "2014-06-30", "useful": "perhaps"}, "Select a valid choice"),
    ],
)
def test_paper_form_refuses_bad_input_and_stores_nothing(service_client, form, message):
    reply = service_client.post("/dashboard/paper/CL/patient/", form)
    assert reply.status_code == 200 and message in reply.content.decode()
    assert Response.objects.count() == 0


def test_paper_chooser_offers_only_the_leads_services(service_client):
    page = service_client.get("/dashboard/paper/")
    assert page.status_code == 200
    assert 'value="CL"' in page.content.decode() and 'value="M"' not in page.content.decode()
    assert 'href="/dashboard/paper/" aria-current="page">Paper entry' in page.content.decode()
    reply = service_client.get("/dashboard/paper/", {"service": "CL", "questionnaire": "staff"})
    assert (reply.status_code, reply["Location"]) == (302, "/dashboard/paper/CL/staff/")
    assert service_client.get("/dashboard/paper/", {"service": "M", "questionnaire": "staff"}).status_code == 403


def test_a_service_lead_may_not_enter_paper_for_another_service(service_client):
    assert service_client.get("/dashboard/paper/M/patient/").status_code == 403
    assert service_client.post("/dashboard/paper/M/patient/", {"paper_date": "2014-06-30", "useful": "yes"}).status_code == 403
    assert service_client.get("/dashboard/paper/CL/carers/").status_code == 404
    assert Response.objects.count() == 0


def test_a_partnership_lead_may_enter_paper_for_any_service(national_client, chadwick):
    reply = national_client.post("/dashboard/paper/M/staff/", {"paper_date": "2014-06-30", "useful": "no"})
    assert reply.status_code == 302
    assert Response.objects.get().service.code == "M"
    assert national_client.get("/dashboard/paper/NOPE/staff/").status_code == 404


def test_paper_entry_needs_a_login(client, chadwick):
    for url in ("/dashboard/paper/", "/dashboard/paper/CL/patient/"):
        reply = client.get(url)
        assert (reply.status_code, reply["Location"]) == (302, f"/accounts/login/?next={url}")
    reply = client.post("/dashboard/paper/CL/patient/", {"paper_date": "2014-06-30", "useful": "yes"})
    assert reply.status_code == 302 and reply["Location"].startswith("/accounts/login/")
    assert Response.objects.count() == 0


def test_a_paper_printed_before_version_2_is_keyed_in_as_version_1(service_client):
    page = service_client.get("/dashboard/paper/?service=CL&questionnaire=staff&version=1")
    assert page.status_code == 302 and page["Location"].endswith("/dashboard/paper/CL/staff/?version=1")
    form = service_client.get(page["Location"]).content.decode()
    assert "version 1" in form and 'name="current_forms_detail"' in form and "current_forms_emotional_detail" not in form
    saved = service_client.post(
        page["Location"], {"paper_date": "2026-11-02", "useful": "yes", "current_forms_detail": "Tea and a chat"}
    )
    assert saved.status_code == 302 and saved["Location"].endswith("?version=1")
    assert Response.objects.get().questionnaire.version == 1
    # The newest by default; an unknown or malformed version is no form at all.
    assert "version 2" in service_client.get("/dashboard/paper/CL/staff/").content.decode()
    assert service_client.get("/dashboard/paper/CL/staff/?version=9").status_code == 404
    assert service_client.get("/dashboard/paper/CL/staff/?version=x%00").status_code == 404
    assert service_client.get("/dashboard/paper/?service=CL&questionnaire=staff&version=7").status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/dashboard/data.json", "/dashboard/charts.json", "/dashboard/export/aggregate.csv", "/dashboard/report/", "/dashboard/"],
)
@pytest.mark.parametrize("query", ["to=9999-12-31", "from=9999-12-01", "from=0001-01-01"])
def test_a_date_no_survey_can_have_is_a_400_not_a_500(national_client, path, query):
    reply = national_client.get(f"{path}?{query}")
    assert reply.status_code == 400


def test_a_paper_dated_year_1_is_refused(service_client):
    page = service_client.post("/dashboard/paper/CL/staff/", {"paper_date": "0001-01-01", "useful": "yes"})
    assert page.status_code == 200 and "before 2014, when this survey began" in page.content.decode()
    assert not Response.objects.exists()
