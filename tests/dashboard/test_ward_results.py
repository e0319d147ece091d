"""The ward's results page, GET /c/<token>/results/: no login, the link's service only,
and less than that service's own lead sees: a few patients' headline answers as
"N in 10" (never a count, never under min_cell), quotes chosen for patients, and
the service's "you said, we did" actions."""

import html
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from dashboard import data as dashboard_data_module
from dashboard.data import HEADLINES, in_ten_words, ward_results_data
from dashboard.services import action_save
from surveys.releases import releases_close
from surveys.services import link_create, link_revoke, wave_upsert
from tests.factories import respond

NOT_ENOUGH = "Not enough people have answered yet to show this. Results come when at least 5 people have answered."


def answers(place, plan, on):
    """plan: [(count, {question: option})]: that many patients answer so."""
    for count, chosen in plan:
        for _ in range(count):
            respond(place, "patient", 2, chosen, on)


def results_path(link):
    return f"/c/{link.token}/results/"


def page_text(body: str) -> str:
    """What a reader sees, spaces normalised."""
    return " ".join(html.unescape(strip_tags(body)).split())


def visible_numbers(body: str, *allowed: str) -> list[str]:
    """The numbers a reader sees, other than "N in 10", the threshold and dates."""
    text = html.unescape(strip_tags(body))
    for words in allowed:
        text = text.replace(words, "")
    text = re.sub(r"\b\d+ in 10\b", "", text)
    text = text.replace("at least 5 people", "")
    text = re.sub(r"Printed on \d{1,2} \w+ \d{4}", "", text)
    return re.findall(r"\d+", text)


def counts_in(value, path="results"):
    """Every count-like thing in ward_results_data's output: keys a figure's count would
    have, or an integer other than the threshold."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("n", "count", "pct", "ci", "base", "answered"):
                found.append(f"{path}.{key}")
            found += counts_in(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += counts_in(item, f"{path}[{index}]")
    elif isinstance(value, int | float) and not isinstance(value, bool) and path != "results.min_cell":
        found.append(f"{path}={value}")
    return found


@pytest.fixture
def this_wave(db):
    today = timezone.localdate()
    wave, _ = wave_upsert(code="2026", name="Autumn 2026", opens=today - timedelta(days=60), closes=today + timedelta(days=30))
    return wave


@pytest.fixture
def last_wave(db):
    today = timezone.localdate()
    wave, _ = wave_upsert(code="2025", name="Autumn 2025", opens=today - timedelta(days=420), closes=today - timedelta(days=330))
    return wave


def in_wave(wave):
    return wave.opens + timedelta(days=3)


# --- who may open it ------------------------------------------------------------------


@pytest.mark.parametrize("token", ["no-such-token", "a" * 65, "bad%00token", "..", "%E2%98%83"])
def test_an_unknown_token_is_an_easy_read_404(client, db, token):
    reply = client.get(f"/c/{token}/results/")
    assert reply.status_code == 404
    body = reply.content.decode()
    assert "We could not find these results" in body and "Ask a member of staff for a new one." in body
    assert "easy-read" in body


def test_a_revoked_link_has_no_results(client, ward_tablet):
    link_revoke(token=ward_tablet.token)
    assert client.get(results_path(ward_tablet)).status_code == 404


def test_no_login_is_needed_and_nothing_is_posted(client, ward_tablet):
    reply = client.get(results_path(ward_tablet))
    assert reply.status_code == 200
    assert client.head(results_path(ward_tablet)).status_code == 200
    assert client.post(results_path(ward_tablet)).status_code == 405
    assert "no-store" in reply["Cache-Control"]


def test_a_closed_rounds_link_still_shows_its_results(client, chadwick, last_wave, exact_figures):
    answers(chadwick, [(5, {"useful": "yes"}), (5, {"useful": "no"})], in_wave(last_wave))
    link = link_create(service=chadwick, group="patient", kiosk=True, wave=None)
    link.wave = last_wave  # made while the round was open
    link.save()
    reply = client.get(results_path(link))
    assert reply.status_code == 200
    assert "5 in 10" in reply.content.decode()


# --- what it shows ---------------------------------------------------------------------


def test_the_page_shows_the_services_patients_in_tens_with_pictures(client, chadwick, this_wave, exact_figures):
    plan = [
        (7, {"useful": "yes", "user_led": "yes", "restrictions": "no", "more_user_led": "yes"}),
        (3, {"useful": "no", "user_led": "no", "restrictions": "yes", "more_user_led": "yes"}),
    ]
    answers(chadwick, plan, in_wave(this_wave))
    link = link_create(service=chadwick, group="patient", kiosk=True)
    reply = client.get(results_path(link))
    body = reply.content.decode()
    assert "<h1>Chadwick Lodge</h1>" in body
    assert "From the survey: Autumn 2026." in body
    assert "What people here said" in body and "What you said" in body and "What we did" in body
    text = page_text(body)
    assert "7 in 10 patients here said peer support can be useful." in text
    assert "3 in 10 patients here said there are rules about what patients can talk about" in text
    assert "10 in 10 patients here said patients could be more in charge" in text
    # Ten people per figure, seven of them filled in for 7 in 10.
    first = body.split('class="figure"')[1]
    assert first.count("person-on") == 7 and first.count("person-off") == 3
    # Pictures, all from this site's own files.
    assert "/static/icons/shared_experience.svg" in body
    assert not re.search(r'src="(https?:)?//', body)
    assert NOT_ENOUGH not in body


def test_figures_never_show_counts_or_group_sizes(client, chadwick, morpeth, this_wave):
    answers(
        chadwick, [(9, {"useful": "yes", "user_led": "yes"}), (6, {"useful": "sometimes", "user_led": "no"})], in_wave(this_wave)
    )
    answers(chadwick, [(5, {"useful": "no"})], in_wave(this_wave))  # a second batch
    link = link_create(service=chadwick, group="patient", kiosk=True)
    body = client.get(results_path(link)).content.decode()
    assert "in 10" in body
    assert visible_numbers(body, "Autumn 2026") == []
    assert counts_in(ward_results_data(link)) == []


def test_the_figures_are_the_service_leads_own_and_less(client, service_client, chadwick, morpeth, this_wave):
    """Perturbation on, as in production: the page's "N in 10" is the service lead's
    released percentage for the service and wave, rounded to tenths."""
    answers(
        chadwick,
        [
            (8, {"useful": "yes", "user_led": "no", "restrictions": "yes", "more_user_led": "yes"}),
            (4, {"useful": "no", "user_led": "yes", "restrictions": "no", "more_user_led": "no"}),
            (3, {"useful": "sometimes"}),
        ],
        in_wave(this_wave),
    )
    answers(morpeth, [(10, {"useful": "no"})], in_wave(this_wave))
    lead_view = service_client.get("/dashboard/data.json?service=CL&wave=2026").json()
    expected = []
    for question, option, _ in HEADLINES:
        row = next(o for q in lead_view["questions"] if q["code"] == question for o in q["options"] if o["code"] == option)
        expected.append(in_ten_words(row["patient"]["pct"]))
    link = link_create(service=chadwick, group="patient")
    figures = ward_results_data(link)["figures"]
    assert [figure["in_ten"] for figure in figures] == expected
    body = page_text(client.get(results_path(link)).content.decode())
    for words, figure in zip(expected, figures, strict=True):
        assert f"{words} {figure['sentence']}" in body


def test_only_the_links_service(client, chadwick, morpeth, this_wave, exact_figures):
    answers(chadwick, [(10, {"useful": "yes"})], in_wave(this_wave))
    answers(morpeth, [(10, {"useful": "no"})], in_wave(this_wave))
    cl = link_create(service=chadwick, group="patient", kiosk=True)
    m = link_create(service=morpeth, group="patient", kiosk=True)
    cl_body, m_body = (page_text(client.get(results_path(link)).content.decode()) for link in (cl, m))
    assert "10 in 10 patients here said peer support can be useful." in cl_body and "Morpeth" not in cl_body
    assert "0 in 10 patients here said peer support can be useful." in m_body and "Chadwick" not in m_body


def test_staff_answers_are_not_on_the_patients_page(client, chadwick, this_wave, exact_figures):
    answers(chadwick, [(5, {"useful": "yes"})], in_wave(this_wave))
    for _ in range(10):
        respond(chadwick, "staff", 2, {"useful": "no"}, in_wave(this_wave))
    link = link_create(service=chadwick, group="staff")
    body = page_text(client.get(results_path(link)).content.decode())
    assert "10 in 10 patients here said peer support can be useful." in body


# --- disclosure ---------------------------------------------------------------------------


def test_a_service_with_4_patients_shows_no_figure(client, chadwick, this_wave):
    answers(chadwick, [(4, {"useful": "yes", "user_led": "yes"})], in_wave(this_wave))
    link = link_create(service=chadwick, group="patient", kiosk=True)
    body = client.get(results_path(link)).content.decode()
    assert NOT_ENOUGH in body
    assert "in 10" not in body and "person-on" not in body
    assert visible_numbers(body, "Autumn 2026") == []
    results = ward_results_data(link)
    assert results["shown"] is False and results["figures"] == []


def test_a_pooled_only_service_shows_nothing(client, chadwick, morpeth, last_wave):
    """4 patients at CL and 3 at M in a round that has closed: pooled nationally (7),
    counted in no service, so CL's page shows nothing of them."""
    answers(chadwick, [(4, {"useful": "yes"})], in_wave(last_wave))
    answers(morpeth, [(3, {"useful": "no"})], in_wave(last_wave))
    assert releases_close(wave_ids={last_wave.pk})["pooled"] == 7
    link = link_create(service=chadwick, group="patient", wave=None)
    body = client.get(results_path(link)).content.decode()
    assert NOT_ENOUGH in body and "in 10" not in body
    assert ward_results_data(link)["figures"] == []


def test_a_figure_not_released_says_so_without_a_number(client, ward_tablet, monkeypatch):
    """A group shown, but one answer withheld (too few asked it): that figure says so."""
    released = {
        "groups": {"patient": {"n": 40, "suppressed": False}, "staff": {"n": None, "suppressed": True}},
        "questions": [
            {
                "code": "useful",
                "answered": {"patient": 40},
                "options": [{"code": "yes", "patient": {"count": 20, "pct": 50.0, "ci": (1, 2)}}],
            },
            {
                "code": "user_led",
                "answered": {"patient": 30},
                "options": [{"code": "yes", "patient": {"count": None, "pct": None, "ci": None}}],
            },
            # Nobody answered it: left out rather than "0 in 10".
            {
                "code": "restrictions",
                "answered": {"patient": 0},
                "options": [{"code": "yes", "patient": {"count": 0, "pct": 0.0}}],
            },
        ],
    }
    monkeypatch.setattr(dashboard_data_module, "dashboard_data", lambda selection, access: released)
    body = page_text(client.get(results_path(ward_tablet)).content.decode())
    assert "5 in 10 patients here said peer support can be useful." in body
    assert "We asked if patients decide for themselves how they help each other." in body
    assert body.count(NOT_ENOUGH) == 1
    assert "rules" not in body
    assert visible_numbers(body) == []


def test_the_page_asks_as_the_services_own_lead(ward_tablet, monkeypatch):
    seen = []

    def spy(selection, access):
        seen.append((selection, access))
        return {"groups": {"patient": {"n": None, "suppressed": True}}, "questions": []}

    monkeypatch.setattr(dashboard_data_module, "dashboard_data", spy)
    ward_results_data(ward_tablet)
    [(selection, access)] = seen
    assert selection.services == ("CL",) and not selection.about and not selection.compare
    assert not selection.security and not selection.specialism
    assert access.role == "service_lead" and not access.every_service and access.own_codes == {"CL"}


# --- which wave -----------------------------------------------------------------------------


def test_the_links_wave_until_it_has_figures_then_the_latest_that_has(client, chadwick, this_wave, last_wave, exact_figures):
    answers(chadwick, [(10, {"useful": "yes"})], in_wave(last_wave))
    answers(chadwick, [(3, {"useful": "no"})], in_wave(this_wave))  # this round: too few yet
    link = link_create(service=chadwick, group="staff")  # (a patient link would be where more answers come)
    assert link.wave == this_wave
    body = client.get(results_path(link)).content.decode()
    assert "From the survey: Autumn 2025." in body and "10 in 10" in body
    answers(chadwick, [(2, {"useful": "no"})], in_wave(this_wave))  # now 5: released
    body = client.get(results_path(link)).content.decode()
    assert "From the survey: Autumn 2026." in body and "0 in 10" in body


def test_without_waves_all_dates(client, chadwick, exact_figures):
    answers(chadwick, [(5, {"useful": "yes"})], date(2026, 3, 2))
    link = link_create(service=chadwick, group="patient", wave=None)
    body = client.get(results_path(link)).content.decode()
    assert "From all the surveys here so far." in body and "10 in 10" in body


# --- what we did, and what you said ---------------------------------------------------------


def test_the_services_actions_for_the_wave_with_status_words_and_pictures(
    client, chadwick, morpeth, this_wave, last_wave, national_lead
):
    answers(chadwick, [(5, {"useful": "yes"})], in_wave(this_wave))
    for you_said, status in (("More time outside", "planned"), ("Games in the evening", "done"), ("Quiet room", "doing")):
        action_save(
            user=national_lead, wave=this_wave, service=chadwick, you_said=you_said, we_did=f"Did {you_said}", status=status
        )
    action_save(user=national_lead, wave=last_wave, service=chadwick, you_said="An old wish", we_did="Old", status="done")
    action_save(
        user=national_lead, wave=this_wave, service=morpeth, you_said="Morpeth wish", we_did="Morpeth deed", status="done"
    )
    link = link_create(service=chadwick, group="patient", kiosk=True)
    body = client.get(results_path(link)).content.decode()
    for text in ("More time outside", "Did Games in the evening", "We did this", "We are doing this", "We will do this"):
        assert text in body
    assert "An old wish" not in body and "Morpeth" not in body
    # Done first, then doing, then planned; each with its picture.
    assert body.index("Games in the evening") < body.index("Quiet room") < body.index("More time outside")
    assert "/static/icons/yes.svg" in body and "/static/icons/sometimes.svg" in body


def test_no_actions_yet_says_so(client, ward_tablet):
    body = client.get(results_path(ward_tablet)).content.decode()
    assert "Staff have not written down what they will do yet." in body
    assert "There are no comments to show yet." in body


def test_quotes_for_patients_are_shown_as_text(client, ward_tablet, monkeypatch):
    asked = []

    def quotes(service_code, wave_id, limit=6):
        asked.append((service_code, wave_id, limit))
        return [{"text": "We look out for each other <b>here</b>", "credit": "CL152"}]

    monkeypatch.setattr(dashboard_data_module, "patient_quotes_data", quotes, raising=False)
    body = client.get(results_path(ward_tablet)).content.decode()
    assert "We look out for each other &lt;b&gt;here&lt;/b&gt;" in body and "CL152" in body
    assert asked == [("CL", ward_tablet.wave_id, 6)]


# --- the page itself ---------------------------------------------------------------------


def test_no_inline_script_or_style_and_a_strict_policy(client, ward_tablet):
    reply = client.get(results_path(ward_tablet))
    body = reply.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)", body) == []
    assert " style=" not in body and "<style" not in body
    assert "/static/js/ward-results.js" in body and "/static/css/ward-results.css" in body
    assert "'unsafe-inline'" not in reply["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_staff_can_print_a_poster_and_the_tablet_returns_to_the_survey(client, ward_tablet):
    body = client.get(results_path(ward_tablet)).content.decode()
    assert 'data-action="print"' in body and "Print a poster" in body
    assert "Printed on" in body
    assert f'href="{ward_tablet.path}"' in body and "Back to the survey" in body
    assert f'data-survey="{ward_tablet.path}"' in body and 'data-kiosk="true"' in body
    assert f'data-idle="{ward_tablet.idle_seconds}"' in body
    assert 'data-sw="/sw.js"' in body


def test_nothing_personal_even_for_a_logged_in_lead(client, ward_tablet, national_lead):
    client.force_login(national_lead)
    body = client.get(results_path(ward_tablet)).content.decode()
    assert "national_lead" not in body and "Log out" not in body and "csrfmiddlewaretoken" not in body


def test_the_service_worker_keeps_results_pages_offline(client, db):
    script = client.get("/sw.js").content.decode()
    # Network first, the cached copy offline, dropped on 404 and 410: as the form page.
    assert r"var PAGE = /^\/c\/[^/]+\/(results\/)?$/;" in script


# --- the way there ------------------------------------------------------------------------


def test_the_welcome_screen_and_the_thank_you_screens_link_to_it(client, ward_tablet, patient_link, staff_link):
    welcome = client.get(ward_tablet.path).content.decode()
    assert f'href="/c/{ward_tablet.token}/results/"' in welcome
    assert "See what people here said, and what changed" in welcome
    # The kiosk's own thank-you screen (in the page) says so too.
    thanks_screen = welcome.split('data-screen="thanks"')[1]
    assert f'href="/c/{ward_tablet.token}/results/"' in thanks_screen and "The results come back here" in thanks_screen
    for link in (patient_link, staff_link):
        thanks = client.get(f"{link.path}thanks/").content.decode()
        assert f'href="/c/{link.token}/results/"' in thanks
