"""The two HTML forms, through the test client: what was chosen is what is stored."""

import re

import pytest

from surveys.models import ChoiceAnswer, Response, TextAnswer
from surveys.services import link_revoke


def stored(response):
    choices = {}
    for question, option in ChoiceAnswer.objects.filter(response=response).values_list("option__question__code", "option__code"):
        choices.setdefault(question, []).append(option)
    texts = dict(TextAnswer.objects.filter(response=response).values_list("question__code", "text"))
    return {code: sorted(values) for code, values in choices.items()}, texts


def client_id_of(page):
    return re.search(r'name="client_id" value="([0-9a-f-]{36})"', page.content.decode()).group(1)


def test_patient_page_is_easy_read_with_every_question(client, ward_tablet):
    page = client.get(ward_tablet.path)
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert "Tell us what you think about peer support" in html
    # One count from the first question to the last: no restart at "About you".
    assert "Question 1 of 21" in html and "Question 21 of 21" in html
    assert "About you: question" not in html
    # Easy-read wording, pictures beside options, every question a fieldset with a legend.
    assert "Can peer support help people in a secure hospital?" in html
    assert "mental health problems" in html and "hard times" not in html
    assert html.count('<fieldset class="question"') == 20
    assert "/static/icons/emotional.svg" in html
    assert 'name="benefits" value="reduces_workload"' not in html
    assert "Finish" in html


def test_patient_completes_with_skips_and_exactly_that_is_stored(client, ward_tablet):
    page = client.get(ward_tablet.path)
    reply = client.post(
        ward_tablet.path,
        {
            "client_id": client_id_of(page),
            "useful": "sometimes",
            "useful_why": "it depends on the ward",
            "fears": ["trust", "confidentiality"],
            "gender": "non_binary",
            "time_in_secure": "10y_plus",
            "comments": "",
            "barriers_other": "   ",
        },
    )
    assert reply.status_code == 302
    assert reply["Location"] == f"/c/{ward_tablet.token}/thanks/"
    response = Response.objects.get()
    assert str(response.client_id) == client_id_of(page)
    assert (response.channel, response.service.code) == ("tablet", "CL")
    assert stored(response) == (
        {
            "useful": ["sometimes"],
            "fears": ["confidentiality", "trust"],
            "gender": ["non_binary"],
            "time_in_secure": ["10y_plus"],
        },
        {"useful_why": "it depends on the ward"},
    )
    thanks = client.get(reply["Location"])
    assert "Thank you" in thanks.content.decode()
    assert "Start again for the next person" in thanks.content.decode()


def test_pressing_finish_twice_stores_once(client, patient_link):
    client_id = client_id_of(client.get(patient_link.path))
    for _ in range(2):
        reply = client.post(patient_link.path, {"client_id": client_id, "useful": "yes"})
        assert reply.status_code == 302
    assert Response.objects.count() == 1


def test_all_skipped_stores_nothing_and_says_why(client, patient_link):
    reply = client.post(patient_link.path, {"client_id": client_id_of(client.get(patient_link.path))})
    assert reply.status_code == 200
    assert "No answers were given" in reply.content.decode()
    assert Response.objects.count() == 0


def test_tampered_values_are_refused_and_the_rest_is_kept_on_the_page(client, patient_link):
    reply = client.post(patient_link.path, {"useful": "yes", "fears": ["trust", "ghosts"], "useful_why": "kept"})
    html = reply.content.decode()
    assert reply.status_code == 200
    assert "ghosts" in html and "Look for the red words" in html
    assert 'value="yes" checked' in html and ">kept</textarea>" in html
    assert Response.objects.count() == 0


def test_staff_form_is_one_page_with_sections_and_stores_the_answers(client, staff_link):
    page = client.get(staff_link.path)
    html = page.content.decode()
    for heading in ("About you", "Do you think that peer support can be useful in secure services?"):
        assert heading in html
    assert html.count("<form") == 1 and "Send my answers" in html
    reply = client.post(
        staff_link.path,
        {
            "client_id": client_id_of(page),
            "job_title": "Occupational Therapist",
            "useful": "yes",
            "benefits": ["reduces_workload", "choice"],
            "restrictions": "yes",
            "restrictions_detail": "no touching rule",
            "age_band": "25_29",
        },
    )
    assert reply.status_code == 302
    response = Response.objects.get()
    assert response.channel == "web"
    assert stored(response) == (
        {"useful": ["yes"], "benefits": ["choice", "reduces_workload"], "restrictions": ["yes"], "age_band": ["25_29"]},
        {"job_title": "Occupational Therapist", "restrictions_detail": "no touching rule"},
    )
    assert "You can close this page" in client.get(reply["Location"]).content.decode()


def test_staff_form_shows_errors_by_the_field(client, staff_link):
    reply = client.post(staff_link.path, {"useful": "yes", "comments": "x" * 2001})
    assert reply.status_code == 200
    assert "at most 2000" in reply.content.decode() or "at most 2000 characters" in reply.content.decode()
    assert Response.objects.count() == 0


def test_changed_answers_under_the_same_client_id_keep_the_first(client, staff_link):
    client_id = client_id_of(client.get(staff_link.path))
    client.post(staff_link.path, {"client_id": client_id, "useful": "yes"})
    reply = client.post(staff_link.path, {"client_id": client_id, "useful": "no"})
    assert reply.status_code == 409
    assert "sent before" in reply.content.decode()
    assert stored(Response.objects.get())[0] == {"useful": ["yes"]}


@pytest.mark.parametrize("path", ["/c/unknown-token/", "/c/unknown-token/thanks/"])
def test_unknown_links_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_revoked_link_is_404_but_its_answers_stay(client, staff_link):
    client.post(staff_link.path, {"useful": "yes"})
    link_revoke(token=staff_link.token)
    assert client.get(staff_link.path).status_code == 404
    assert client.post(staff_link.path, {"useful": "no"}).status_code == 404
    assert Response.objects.count() == 1


def test_form_and_api_refuse_the_same_input_with_the_same_message(client, api, staff_link):
    form_reply = client.post(staff_link.path, {"useful": "perhaps"})
    api_reply = api.submit(staff_link, {"client_id": "0b7f3c3e-8a52-4c1e-9a67-7f6a2a3f1c11", "answers": {"useful": "perhaps"}})
    message = api_reply.json()["errors"]["useful"][0]
    assert "perhaps" in message
    assert message.replace("'", "&#x27;") in form_reply.content.decode()
