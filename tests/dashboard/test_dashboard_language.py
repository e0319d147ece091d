"""The dashboard and the ward's results page in Welsh: every page answers `?lang=cy` in
Welsh (its `<html lang>`, the language switch, its own words), while data.json, the JSON
figures and the CSV exports stay the same, byte for byte, whatever the language."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation

from dashboard.services import action_save, lead_upsert
from surveys.models import TextAnswer
from surveys.services import link_create, wave_upsert
from tests.factories import PASSWORD, answer, service


@pytest.fixture
def this_wave(db):
    today = timezone.localdate()
    return wave_upsert(code="2026", name="Autumn 2026", opens=today - timedelta(days=30), closes=today + timedelta(days=30))[0]


@pytest.fixture
def guardian(chadwick):
    """A partnership lead who reviews quotes and is a named safeguarding reviewer: every page is theirs."""
    return lead_upsert(
        username="guardian", role="partnership_lead", password=PASSWORD, can_review_quotes=True, safeguarding_reviewer=True
    )[0]


@pytest.fixture
def figures(chadwick, this_wave, guardian):
    """Ten CL patients and five CL staff in the wave (released: whole batches of 5), five
    patients at Morpeth, and one action of CL's."""
    day = this_wave.opens + timedelta(days=2)
    for index in range(10):
        answer(chadwick, "patient", {"useful": "yes" if index % 3 else "no", "comments": f"comment {index}"}, on=day)
    for _ in range(5):
        answer(chadwick, "staff", {"useful": "sometimes", "job_title": "Staff nurse"}, on=day)
    for _ in range(5):
        answer(service("M", security="medium"), "patient", {"useful": "no"}, on=day)
    action = action_save(
        user=guardian, wave=this_wave, service=chadwick, you_said="More time outside", we_did="Garden every day", status="done"
    )
    return action


@pytest.fixture
def guardian_client(client, guardian):
    client.force_login(guardian)
    return client


def text(reply) -> str:
    return html.unescape(reply.content.decode())


# Each page: a Welsh sentence of its own, and English words of it that must be gone.
PAGES = {
    "/dashboard/": ("Canfyddiadau", ["Findings", "Who answered", "Apply filters", "Show as a table", "Responses by service"]),
    "/dashboard/?wave=2026&service=CL&compare=national": (
        "Wrth ymyl y darlun cenedlaethol",
        ["At a glance", "Beside the national picture", "Hatched bars", "response rate"],
    ),
    "/dashboard/trends/": (
        "Newid dros amser, a phwy sy'n dweud beth",
        ["Change over time", "Show as a table", "Month of release"],
    ),
    "/dashboard/trends/?question=useful&by=time_in_service": ("Amser yn y gwasanaeth hwn", ["Time in this service", "Split by"]),
    "/dashboard/services/": ("Y gwasanaethau pellaf o'r ffigur cenedlaethol", ["Services furthest", "Beyond the limits"]),
    "/dashboard/quotes/": ("Atebion testun rhydd y mae arweinydd wedi'u hadolygu", ["Free-text answers that a lead", "Themes"]),
    "/dashboard/quotes/review/": ("Testun i'w ddangos (tynnwch enwau)", ["Text to show", "Do not show", "Safeguarding concern"]),
    "/dashboard/safeguarding/": ("Mae'r arolwg yn ddienw.", ["The survey is anonymous", "No open concerns"]),
    "/dashboard/actions/": ("Ychwanegu cam gweithredu", ["Add an action", "How far it has got", "We did this"]),
    "/dashboard/paper/": ("Agor y ffurflen bapur", ["Open the paper form", "Key in questionnaires"]),
    "/dashboard/paper/CL/patient/": ("Cadw'r holiadur papur", ["Save paper questionnaire", "Date on the paper form"]),
}
# The dashboard's own menu, on every page.
MENU_WELSH, MENU_ENGLISH = "Dywedoch chi, gwnaethon ni", "You said, we did"


@pytest.mark.parametrize("path", PAGES)
def test_each_dashboard_page_in_welsh(guardian_client, figures, path):
    welsh, english = PAGES[path]
    reply = guardian_client.get(path + ("&" if "?" in path else "?") + "lang=cy")
    assert reply.status_code == 200
    page = text(reply)
    assert '<html lang="cy"' in page
    assert 'class="language-switch"' in page and 'hreflang="en"' in page and ">English</a>" in page
    assert welsh in page and MENU_WELSH in page
    for words in [*english, MENU_ENGLISH]:
        assert words not in page, words


def test_an_action_and_its_message_in_welsh(guardian_client, figures):
    page = text(guardian_client.get(f"/dashboard/actions/{figures.pk}/?lang=cy"))
    assert "Golygu cam gweithredu" in page and "Dileu'r cam gweithredu hwn" in page and "Delete this action" not in page
    reply = guardian_client.post(
        "/dashboard/actions/",
        {"wave": "2026", "service": "CL", "you_said": "Mwy o amser tu allan", "we_did": "Gardd bob dydd", "status": "doing"},
        follow=True,
    )
    page = text(reply)
    assert "Wedi ychwanegu cam gweithredu ar gyfer Chadwick Lodge, Autumn 2026." in page
    assert "Rydyn ni'n gwneud hyn" in page and "We are doing this" not in page


def test_a_form_error_in_welsh(guardian_client, figures):
    page = text(guardian_client.get("/dashboard/?lang=cy&wave=2026&from=2026-01-01"))
    assert "Dewiswch gylch neu ddyddiadau, nid y ddau." in page and "Choose a wave or dates" not in page


def test_a_safeguarding_concern_in_welsh_with_its_date(guardian_client, figures):
    concern = TextAnswer.objects.get(text="comment 1")
    guardian_client.post(f"/dashboard/quotes/{concern.pk}/concern/", {"note": "", "to": "review", "back": "page=1"})
    page = text(guardian_client.get("/dashboard/safeguarding/?lang=cy"))
    with translation.override("cy"):
        today = formats.date_format(timezone.localdate(), "j F Y")
    assert f"Nodwyd ar {today} gan guardian" in page
    assert "claf" in page and "Flagged on" not in page and "a patient" not in page


# --- the contracts stay in English -------------------------------------------------------------

CONTRACTS = [
    "/dashboard/data.json",
    "/dashboard/data.json?wave=2026&compare=national",
    "/dashboard/trends.json?question=useful",
    "/dashboard/trends.json?question=useful&by=time_in_service",
    "/dashboard/services.json?question=useful",
    "/dashboard/export/aggregate.csv",
    "/dashboard/export/responses.csv",
    # Errors are part of the contract too.
    "/dashboard/data.json?wave=2026&from=2026-01-01",
    "/dashboard/trends.json?question=useful&option=nope",
]


@pytest.mark.parametrize("path", CONTRACTS)
def test_json_and_csv_are_the_same_in_either_language(guardian_client, figures, path):
    english = guardian_client.get(path)
    by_switch = guardian_client.get(path + ("&" if "?" in path else "?") + "lang=cy")
    guardian_client.cookies["language"] = "cy"
    by_cookie = guardian_client.get(path, HTTP_ACCEPT_LANGUAGE="cy")
    assert english.status_code == by_switch.status_code == by_cookie.status_code
    bodies = [body(reply) for reply in (english, by_switch, by_cookie)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]  # something was compared


def body(reply) -> bytes:
    return b"".join(reply.streaming_content) if reply.streaming else reply.content


def test_the_pages_charts_follow_the_language_while_data_json_does_not(guardian_client, figures):
    guardian_client.cookies["language"] = "cy"
    charts = guardian_client.get("/dashboard/charts.json").json()
    names = {trace["name"] for item in charts["figures"] for trace in item["figure"]["data"] if "name" in trace}
    assert "Cleifion" in names and "Patients" not in names
    data = guardian_client.get("/dashboard/data.json").json()
    assert data["questions"][0]["title"] == guardian_client.get("/dashboard/data.json?lang=en").json()["questions"][0]["title"]


# --- the ward's results page --------------------------------------------------------------------


def test_the_ward_results_page_in_welsh(client, chadwick, figures):
    link = link_create(service=chadwick, group="patient", kiosk=True)
    reply = client.get(f"/c/{link.token}/results/?lang=cy")
    assert reply.status_code == 200
    page = text(reply)
    assert '<html lang="cy"' in page
    assert 'class="language-switch"' in page and 'hreflang="en"' in page
    for words in (
        "Arolwg cymorth gan gymheiriaid: y canlyniadau",
        "o bob 10",
        "claf yma wedi dweud bod cymorth gan gymheiriaid yn gallu bod yn ddefnyddiol.",
        "Beth wnaethon ni",
        "Rydyn ni wedi gwneud hyn",
        "Dywedoch chi:",
        "Yn ôl i'r arolwg",
        "Argraffu poster",
    ):
        assert words in page, words
    for words in ("in 10", "patients here said", "What we did", "We did this", "Back to the survey", "Print a poster"):
        assert words not in page, words
    # The choice is remembered: the next visit, without ?lang=, is in Welsh too.
    assert '<html lang="cy"' in text(client.get(f"/c/{link.token}/results/"))


def test_the_missing_results_page_in_welsh(client, db):
    reply = client.get("/c/no-such-token/results/?lang=cy")
    assert reply.status_code == 404
    page = text(reply)
    assert "Allwn ni ddim dod o hyd i'r canlyniadau hyn" in page and "Gofynnwch i aelod o staff am un newydd." in page
    assert "We could not find these results" not in page and 'class="language-switch"' in page


def test_the_language_switch_is_not_printed_on_the_poster(settings):
    sheet = (settings.BASE_DIR / "static" / "css" / "ward-results.css").read_text(encoding="utf-8")
    print_rules = sheet.split("@media print", 1)[1]
    assert re.search(r"\.language-switch[^{]*\{\s*display:\s*none", print_rules)
