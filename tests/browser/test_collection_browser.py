"""The forms as people meet them: tapped on a ward tablet (online and offline,
walked away from, read aloud), driven by keyboard alone, clicked on a desktop,
and with JavaScript switched off."""

import time
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import OperationalError

from surveys.models import ChoiceAnswer, Response, TextAnswer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
# Without the page's own sound files (docs/audio.md; tests/browser/test_audio_offline_browser.py
# plays them): these tests hear the device's voice.
NO_SOUND_FILES = """
document.addEventListener("readystatechange", function () {
  if (document.readyState === "interactive") {
    document.querySelectorAll("[data-audio]").forEach(function (element) { element.removeAttribute("data-audio"); });
  }
});
"""
SPEECH_STUB = (
    NO_SOUND_FILES
    + """
window.__spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", {value: {
  speak: function (u) { window.__spoken.push(u.text); }, cancel: function () {}
}});
"""
)


def stored_answers(response=None):
    response = response or Response.objects.get()
    choices = {}
    for question, option in ChoiceAnswer.objects.filter(response=response).values_list("option__question__code", "option__code"):
        choices.setdefault(question, set()).add(option)
    texts = dict(TextAnswer.objects.filter(response=response).values_list("question__code", "text"))
    return response, choices, texts


def wait_for_rows(count, timeout=15):
    """Poll until the live server has stored `count` responses (it writes from its own thread)."""
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        try:
            seen = Response.objects.count()
        except OperationalError:  # in-memory SQLite: the server thread holds the table
            seen = 0
        if seen >= count:
            break
        time.sleep(0.2)
    return seen


def current(page, selector=""):
    return page.locator(f".screen.current {selector}".strip())


def tap_option(page, label):
    current(page, ".choice").filter(has_text=label).first.tap()


def finish_quickly(page, option_label="Yes"):
    """Start, answer the first question, skip to the check step, Finish."""
    current(page, "[data-action=start]").click()
    current(page, ".choice").filter(has_text=option_label).first.click()
    while page.locator(".screen.current[data-screen=check]").count() == 0:
        current(page, "[data-action=next]").click()
    current(page, "button[type=submit]").click()
    page.locator(".screen.current[data-screen=thanks]").wait_for()


def test_patient_completes_the_easy_read_survey_by_tapping_on_a_tablet(open_page, live_server, ward_tablet, screenshot):
    page = open_page(viewport=TABLET, has_touch=True, is_mobile=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + ward_tablet.path)
    assert page.get_by_role("heading", name="Tell us what you think about peer support").is_visible()
    current(page, "[data-action=start]").tap()

    # 21 screens, two of them only for those whose answers lead there.
    assert current(page, ".progress-text").inner_text() == "Question 1 of 19"
    tap_option(page, "Yes")
    current(page, "textarea").fill("We know what it is like")
    # Big tap targets: every choice at least 48px high, text at least 20px.
    heights = current(page, ".choice").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 48
    assert current(page, ".choice-label").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 20
    current(page, "[data-action=next]").tap()

    assert current(page, ".progress-text").inner_text() == "Question 2 of 19"
    for index in (0, 2):
        current(page, ".choice").nth(index).tap()
    current(page, "[data-action=next]").tap()

    # Question 3: choose something, then Skip: asked first, and told to remove it.
    current(page, ".choice").first.tap()
    current(page, "[data-action=skip]").tap()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove my answer").tap()
    assert current(page, ".progress-text").inner_text() == "Question 4 of 19"
    current(page, "[data-action=back]").tap()
    current(page, "[data-action=back]").tap()
    assert current(page, "input:checked").count() == 2
    current(page, "[data-action=next]").tap()
    current(page, "[data-action=next]").tap()

    while page.locator(".screen.current[data-code=time_in_service]").count() == 0:
        current(page, "[data-action=skip]").tap()
    assert current(page, ".section-title").inner_text() == "About you"
    tap_option(page, "1 to 4 years")
    current(page, "[data-action=next]").tap()
    tap_option(page, "10 years or more")
    current(page, "[data-action=next]").tap()
    while page.locator(".screen.current[data-screen=check]").count() == 0:
        current(page, "[data-action=next]").tap()

    check = current(page, ".check-list").inner_text()
    assert "We know what it is like" in check
    assert "How old are you?" in current(page, "[data-role=skipped-list]").inner_text()
    current(page, "button[type=submit]").tap()
    assert current(page).get_by_role("heading", name="Thank you").is_visible()
    assert wait_for_rows(1) == 1

    response, choices, texts = stored_answers()
    assert response.channel == "tablet"
    assert choices == {
        "useful": {"yes"},
        "ideal_forms": {"emotional", "speaking_out"},
        "time_in_service": {"1_4y"},
        "time_in_secure": {"10y_plus"},
    }
    assert texts == {"useful_why": "We know what it is like"}
    # Ready for the next person: back at welcome, nothing chosen, nothing written.
    current(page, "[data-action=restart]").tap()
    assert page.locator(".screen.current[data-screen=welcome]").count() == 1
    assert page.locator("input:checked").count() == 0
    assert page.locator("textarea").evaluate_all("els => els.every(e => e.value === '')")
    assert errors == []


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(200)


# The page itself and every script and stylesheet on it are kept: counting entries raced
# the service worker, which keeps them in parallel with the sound files (CI run of stop 21).
KEPT_OFFLINE = """caches.open('peersurvey-offline-v2').then(c => Promise.all(
    [location.pathname + location.search].concat(
        Array.from(document.querySelectorAll('script[src], link[rel=stylesheet]'),
                   e => e.getAttribute('src') || e.getAttribute('href'))
    ).map(u => c.match(u)))).then(hits => hits.every(Boolean))"""


def wait_until_kept_offline(page) -> None:
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(page, KEPT_OFFLINE)


def test_offline_tablet_queues_answers_and_sends_them_when_the_network_returns(open_page, live_server, ward_tablet, screenshot):
    page = open_page(viewport=TABLET)
    context = page.context
    sent = []
    page.on("request", lambda request: sent.append(request.post_data_json) if request.method == "POST" else None)
    page.goto(live_server.url + ward_tablet.path)
    # Polled from here: wait_for_function's own polling evals its predicate, which the
    # page's CSP forbids, so it only passed when the first check already held.
    wait_until_kept_offline(page)

    context.set_offline(True)
    finish_quickly(page, "Yes")
    page.locator("[data-action=restart]").click()
    finish_quickly(page, "No")
    screenshot(page, "offline-thanks")
    assert page.locator("[data-role=queue-text]").inner_text() == "2 waiting to send"
    assert Response.objects.count() == 0

    page.reload()  # still offline: the service worker serves the page and its files
    assert page.get_by_role("heading", name="Tell us what you think about peer support").is_visible()
    assert page.locator("[data-role=queue-text]").inner_text() == "2 waiting to send"
    screenshot(page, "offline-reloaded")
    # (No count of stored rows here: once a service worker controls the page, Chromium's
    # offline emulation now and then lets the outbox's retry on load through, which a
    # tablet without a network cannot do. Once stored, a retry is a replay, checked below.)

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert wait_for_rows(2) == 2
    page.locator("[data-role=queue]").wait_for(state="hidden")
    assert page.evaluate("window.PeerSurveyOutbox.count()") == 0
    assert sorted(stored_answers(r)[1]["useful"].pop() for r in Response.objects.all()) == ["no", "yes"]

    # Replays of what the tablet sent store nothing more.
    bodies = [body for body in sent if body and "client_id" in body]
    assert len({body["client_id"] for body in bodies}) == 2
    for body in bodies:
        reply = page.request.post(live_server.url + f"/api/v1/links/{ward_tablet.token}/responses", data=body)
        assert reply.status == 200 and reply.json()["duplicate"] is True
    assert Response.objects.count() == 2


def test_walking_away_wipes_the_answers_and_back_shows_nothing(open_page, live_server, ward_tablet, screenshot):
    ward_tablet.idle_seconds = 3
    ward_tablet.save()
    page = open_page(viewport=TABLET)
    page.goto(live_server.url + ward_tablet.path)
    current(page, "[data-action=start]").click()
    current(page, ".choice").filter(has_text="Sometimes").click()
    current(page, "textarea").fill("my private reason")
    current(page, "[data-action=next]").click()
    current(page, ".choice").first.click()

    page.get_by_role("alertdialog").wait_for(timeout=8000)
    assert "Are you still there?" in page.get_by_role("alertdialog").inner_text()
    screenshot(page, "still-there")
    page.locator(".screen.current[data-screen=welcome]").wait_for(timeout=8000)
    assert page.locator("input:checked").count() == 0
    assert page.locator("textarea").evaluate_all("els => els.every(e => e.value === '')")

    page.go_back()
    assert page.url.endswith(ward_tablet.path)
    assert page.locator("input:checked").count() == 0
    assert "my private reason" not in page.content()
    assert page.evaluate("window.localStorage.length") == 0  # nothing unfinished touched storage
    assert Response.objects.count() == 0


def test_still_here_keeps_the_answers(open_page, live_server, ward_tablet):
    ward_tablet.idle_seconds = 3
    ward_tablet.save()
    page = open_page(viewport=TABLET)
    page.goto(live_server.url + ward_tablet.path)
    current(page, "[data-action=start]").click()
    current(page, ".choice").first.click()
    page.get_by_role("button", name="Yes, I am still here").click(timeout=8000)
    assert current(page, "input:checked").count() == 1


def test_read_aloud_speaks_the_question_with_the_devices_voice(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET, init_script=SPEECH_STUB)
    page.goto(live_server.url + ward_tablet.path)
    current(page, "[data-action=start]").click()
    question = current(page, "legend").inner_text()
    current(page, ".speak-row button.speak").first.click()
    current(page, ".choice-row").filter(has_text="Sometimes").locator("button.speak").click()
    assert page.evaluate("window.__spoken") == [question, "Sometimes"]
    assert current(page, "input:checked").count() == 0  # listening chooses nothing

    page = open_page(
        viewport=TABLET, init_script=NO_SOUND_FILES + "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"
    )
    page.goto(live_server.url + ward_tablet.path)
    assert page.locator("button.speak").count() == 0


def test_keyboard_alone_completes_the_patient_form(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    page.goto(live_server.url + ward_tablet.path)
    page.keyboard.press("Tab")
    for _ in range(10):
        if page.evaluate("document.activeElement.dataset.action") == "start":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # Question 1: Tab to the first choice, Space chooses it; then on to Next.
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.type") != "radio":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    focus_ring = page.evaluate("getComputedStyle(document.activeElement.closest('.choice')).outlineStyle")
    assert focus_ring != "none"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.action") == "next":
            break
    page.keyboard.press("Enter")
    # The rest: Tab to Next (or Finish) and press it.
    for _ in range(800):
        if page.locator(".screen.current[data-screen=thanks]").count():
            break
        page.keyboard.press("Tab")
        target = page.evaluate("[document.activeElement.dataset.action, document.activeElement.type]")
        if target[0] == "next" or target[1] == "submit":
            page.keyboard.press("Enter")
    assert page.locator(".screen.current[data-screen=thanks]").count() == 1
    assert wait_for_rows(1) == 1
    assert stored_answers()[1] == {"useful": {"yes"}}


@pytest.mark.parametrize("viewport", [TABLET, TABLET_LANDSCAPE, PHONE], ids=["tablet", "landscape", "phone"])
def test_every_patient_step_passes_axe_and_fits_the_screen(open_page, live_server, ward_tablet, screenshot, viewport):
    page = open_page(viewport=viewport)
    page.goto(live_server.url + ward_tablet.path)
    step = 0
    while True:
        name = page.evaluate("document.querySelector('.screen.current').dataset.screen")
        # The mouse rests where the last tap was, perhaps over a button of the new
        # screen; axe then measured its hover colours half-way through their
        # transition. A finger leaves no hover: move the pointer away and let it settle.
        page.mouse.move(0, 0)
        page.wait_for_timeout(300)
        result = Axe().run(page)
        assert result.violations_count == 0, f"step {step} ({name}): {result.generate_report()}"
        # Reflow (WCAG 1.4.10): nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"step {step} scrolls sideways"
        screenshot(page, f"{step:02d}-{name}")
        if name == "welcome":
            current(page, "[data-action=start]").click()
        elif name == "check":
            current(page, "button[type=submit]").click()
        elif name == "thanks":
            break
        else:
            if step == 1:
                current(page, ".choice").first.click()
            current(page, "[data-action=next]").click()
        step += 1
    assert step == 1 + 19 + 1  # thanks comes after the welcome, the 19 questions that apply and the check


def test_patient_form_works_as_one_long_page_without_javascript(open_page, live_server, patient_link, screenshot):
    page = open_page(viewport=PHONE, java_script_enabled=False)
    page.goto(live_server.url + patient_link.path)
    assert page.locator("[data-action=start]").is_hidden()
    page.locator("fieldset[data-code=useful] .choice").filter(has_text="Sometimes").click()
    page.locator("fieldset[data-code=fears] .choice").nth(1).click()
    page.fill("#id_comments", "Thank you for asking")
    screenshot(page, "no-js")
    page.get_by_role("button", name="Finish and send my answers").click()
    page.wait_for_url("**/thanks/")
    # (No axe here: it runs as JavaScript, which this browser has switched off.)
    response, choices, texts = stored_answers()
    assert response.channel == "web"
    assert choices == {"useful": {"sometimes"}, "fears": {"confidentiality"}}
    assert texts == {"comments": "Thank you for asking"}


def test_staff_complete_their_one_page_form_on_a_desktop(open_page, live_server, staff_link, screenshot):
    page = open_page(viewport={"width": 1366, "height": 900})
    page.goto(live_server.url + staff_link.path)
    page.get_by_label("Your Job title").fill("Staff nurse")
    page.get_by_role("group", name="Do you think that peer support can be useful in secure services?").get_by_label("Yes").check()
    page.get_by_label("Peer support reduces the workload for staff").check()
    page.get_by_label("Please tell us why").fill("Patients understand each other")
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    screenshot(page, "staff-form")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/thanks/")
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    response, choices, texts = stored_answers()
    assert choices == {"useful": {"yes"}, "benefits": {"reduces_workload"}}
    assert texts == {"job_title": "Staff nurse", "useful_why": "Patients understand each other"}


def test_a_tablet_can_flush_a_queue_of_100_at_once(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    page.goto(live_server.url + ward_tablet.path)
    page.evaluate(
        """([api, ids]) => {
            localStorage.setItem('peersurvey.outbox.v1', JSON.stringify(ids.map(id => (
                {api: api, client_id: id, answers: {useful: 'yes'}, tries: 0}))));
            return window.PeerSurveyOutbox.flush();
        }""",
        [f"/api/v1/links/{ward_tablet.token}/responses", [str(uuid.uuid4()) for _ in range(100)]],
    )
    assert wait_for_rows(100, timeout=60) == 100
    assert page.evaluate("window.PeerSurveyOutbox.count()") == 0
