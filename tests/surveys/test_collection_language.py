"""The collection pages in Welsh: what a patient or a member of staff answering sees.

Every page asked for with ?lang=cy is Welsh (its `<html lang>`, its words) and has
the language switch; the choice is remembered in a cookie that holds only the
code; a browser that asks for Welsh gets it without one; and the answers stored
are the same codes whatever the language they were given in.
"""

import html
import re
from datetime import timedelta

import pytest
from django.template import loader
from django.utils import timezone, translation

from surveys.models import ChoiceAnswer, Response, TextAnswer, Wave
from surveys.services import link_create, wave_upsert

SWITCH = 'class="language-switch"'


def page_text(reply) -> str:
    return html.unescape(reply.content.decode())


def assert_welsh(reply, welsh: str, english: str) -> None:
    text = page_text(reply)
    assert '<html lang="cy"' in text
    assert SWITCH in text
    assert welsh in text
    assert english not in text


def client_id_of(reply) -> str:
    return re.search(r'name="client_id" value="([0-9a-f-]{36})"', reply.content.decode()).group(1)


@pytest.fixture
def closed_link(chadwick):
    """A ward tablet's link whose round has ended, as time would end it."""
    today = timezone.localdate()
    wave, _ = wave_upsert(code="2026", name="Hydref 2026", opens=today - timedelta(days=60), closes=today - timedelta(days=10))
    link = link_create(service=chadwick, group="patient", kiosk=True, wave=wave)
    Wave.objects.filter(pk=wave.pk).update(closes=today - timedelta(days=45))
    return link


@pytest.mark.parametrize(
    ("page", "welsh", "english"),
    [
        ("patient", "Dechrau", "Check your answers"),
        ("kiosk", "Ydych chi'n dal yna?", "Are you still there?"),
        ("staff", "Anfon fy atebion", "Send my answers"),
        ("kiosk thanks", "Dechrau eto i'r person nesaf", "Start again for the next person"),
        ("staff thanks", "Gallwch chi gau'r dudalen hon", "You can close this page"),
        ("home", "Clywed gan gleifion a staff", "Hearing from patients"),
        ("login", "Mewngofnodi i'r dangosfwrdd", "Log in to the dashboard"),
        ("not found", "Allwn ni ddim dod o hyd i'r dudalen honno", "We could not find that page"),
    ],
)
def test_every_collection_page_is_welsh_with_the_switch(client, ward_tablet, patient_link, staff_link, page, welsh, english):
    path = {
        "patient": patient_link.path,
        "kiosk": ward_tablet.path,
        "staff": staff_link.path,
        "kiosk thanks": f"{ward_tablet.path}thanks/",
        "staff thanks": f"{staff_link.path}thanks/",
        "home": "/",
        "login": "/accounts/login/",
        "not found": "/c/no-such-link/",
    }[page]
    reply = client.get(path, {"lang": "cy"})
    assert reply.status_code == (404 if page == "not found" else 200)
    assert_welsh(reply, welsh, english)


def test_the_patient_page_counts_its_questions_in_welsh_and_offers_the_switch_on_the_first_screen(client, ward_tablet):
    text = page_text(client.get(ward_tablet.path, {"lang": "cy"}))
    assert "Cwestiwn 1 o " in text and "Question 1 of" not in text
    welcome = text[text.index('data-screen="welcome"') : text.index('data-screen="question"')]
    thanks = text[text.index('data-screen="thanks"') :]
    assert SWITCH in welcome and SWITCH in thanks
    # Not on the question screens: changing language loads the page again, which would wipe the answers.
    assert text.count(SWITCH) == 2
    assert 'href="?lang=en"' in welcome


def test_a_closed_round_says_so_in_welsh(client, closed_link):
    reply = client.get(closed_link.path, {"lang": "cy"})
    assert reply.status_code == 410
    assert_welsh(reply, "Mae'r arolwg hwn wedi cau", "This survey has closed")
    assert "Daeth Hydref 2026 i ben ar" in page_text(reply)


def test_a_busy_link_says_so_in_welsh(client, staff_link, settings):
    settings.PEERSURVEY_LINK_RATE_LIMIT = 0
    client.cookies["language"] = "cy"
    reply = client.post(staff_link.path, {"useful": "yes"})
    assert reply.status_code == 429
    assert_welsh(reply, "Arhoswch funud", "Please wait a minute")


def test_lang_sets_a_cookie_that_holds_only_the_code(client, staff_link):
    reply = client.get(staff_link.path, {"lang": "cy"})
    cookie = reply.cookies["language"]
    assert cookie.value == "cy"
    assert cookie["path"] == "/" and cookie["samesite"] == "Lax"
    # Later pages without ?lang= stay Welsh.
    assert '<html lang="cy"' in client.get(f"{staff_link.path}thanks/").content.decode()


def test_a_browser_that_asks_for_welsh_gets_it_without_a_cookie(client, ward_tablet):
    reply = client.get(ward_tablet.path, HTTP_ACCEPT_LANGUAGE="cy")
    assert_welsh(reply, "Dechrau", "Check your answers")
    assert "language" not in reply.cookies


@pytest.mark.parametrize("asked", ["xx", "cy-GB\x00", "CY", ""])
def test_an_unknown_lang_is_ignored(client, staff_link, asked):
    reply = client.get(staff_link.path, {"lang": asked})
    assert reply.status_code == 200
    assert '<html lang="en-GB"' in reply.content.decode() and "Send my answers" in reply.content.decode()
    assert "language" not in reply.cookies


def stored(response):
    choices = sorted(ChoiceAnswer.objects.filter(response=response).values_list("option__question__code", "option__code"))
    texts = dict(TextAnswer.objects.filter(response=response).values_list("question__code", "text"))
    return choices, texts


def test_answers_given_in_welsh_are_stored_as_the_same_codes(client, staff_link):
    answers = {"useful": "sometimes", "benefits": ["choice", "reduces_workload"], "job_title": "Nyrs", "age_band": "25_29"}
    client_ids = {}
    for language in ("cy", "en"):
        page = client.get(staff_link.path, {"lang": language})
        assert f'<html lang="{"cy" if language == "cy" else "en-GB"}"' in page.content.decode()
        client_ids[language] = client_id_of(page)
        assert client.post(staff_link.path, {"client_id": client_ids[language], **answers}).status_code == 302
    welsh, english = (Response.objects.get(client_id=client_ids[language]) for language in ("cy", "en"))
    assert stored(welsh) == stored(english)
    assert stored(welsh) == (
        [("age_band", "25_29"), ("benefits", "choice"), ("benefits", "reduces_workload"), ("useful", "sometimes")],
        {"job_title": "Nyrs"},
    )


def test_a_refused_answer_is_explained_in_welsh_on_the_form_and_in_english_by_the_api(client, api, staff_link):
    client.cookies["language"] = "cy"
    text = page_text(client.post(staff_link.path, {"useful": "yes", "comments": "x" * 2001}))
    assert "Mae'r testun yn rhy hir: 2001 nod, 2000 ar y mwyaf." in text
    assert "Mae angen newid rhai atebion" in text and "too long" not in text
    empty = page_text(client.post(staff_link.path, {}))
    assert "Does dim atebion yma." in empty and "No answers were given" not in empty

    api.client.cookies["language"] = "cy"
    reply = api.submit(staff_link, {"client_id": "0b7f3c3e-8a52-4c1e-9a67-7f6a2a3f1c11", "answers": {"comments": "x" * 2001}})
    assert reply.json()["errors"] == {"comments": ["The text is too long: 2001 characters, at most 2000."]}


def test_the_scripts_texts_come_in_welsh(client, db):
    catalog = client.get("/jsi18n/", {"lang": "cy"}).content.decode()
    for welsh in (
        "Cwestiwn %(number)s o %(total)s",
        "Yn \\u00f4l i wirio eich atebion",
        "Rhan %(number)s o %(total)s: %(title)s",
    ):
        assert welsh in catalog


def test_the_server_error_page_is_welsh_too():
    with translation.override("cy"):
        page = loader.get_template("500.html").render()
    assert '<html lang="cy">' in page and "Aeth rhywbeth o'i le" in html.unescape(page)
