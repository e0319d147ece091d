"""Answers by ear on a ward tablet with no network and no speech voice: the
page's own sound files (docs/audio.md), kept by the service worker, in the
page's language, and its copy in the other language kept too."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys import audio

from .test_collection_browser import TABLET, current, stored_answers, wait_for_rows, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# No speech synthesis at all, as on a tablet without a voice installed. Each sound the page
# plays is recorded, played fast (the test need not listen to every word), and its end or
# failure noted.
NO_VOICE = """
delete window.speechSynthesis;
delete window.SpeechSynthesisUtterance;
window.__played = []; window.__ended = []; window.__failed = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (!this.__watched) {
    this.__watched = true;
    this.addEventListener("ended", () => window.__ended.push(this.currentSrc));
    this.addEventListener("error", () => window.__failed.push(this.currentSrc));
  }
  window.__player = this;
  window.__played.push(this.src);
  this.playbackRate = 16;
  return play.call(this);
};
"""
KEPT = "caches.open('peersurvey-offline-v2').then(c => c.keys()).then(keys => keys.map(k => new URL(k.url)).map(u => u.pathname + u.search))"
PAGE_FILES = "[...document.querySelectorAll('[data-audio]')].flatMap(e => e.dataset.audio.split(' ')).filter(Boolean)"
SCREEN_FILES = (
    "[...document.querySelectorAll('.screen.current [data-audio]')].filter(e => e.getClientRects().length)"
    ".flatMap(e => e.dataset.audio.split(' ')).filter(Boolean).map(u => new URL(u, location.href).href)"
)


def audio_built(language):
    """Skip unless every text the form speaks in `language` has its file, served by this process."""
    if settings.GENERATED_STATIC_DIR not in settings.STATICFILES_DIRS:
        pytest.skip(f"no {settings.GENERATED_STATIC_DIR}: run manage.py build_audio, then the tests")
    try:
        call_command("build_audio", "--check", "--language", language, stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as exc:
        pytest.skip(f"the {language} audio is not built ({exc}): run manage.py build_audio")
    audio.forget()


@pytest.mark.parametrize("language, other", [("cy", "en"), ("en", "cy")])
def test_an_offline_tablet_without_a_voice_reads_the_screen_from_its_kept_files(
    open_page, live_server, ward_tablet, language, other
):
    audio_built(language)
    page = open_page(viewport=TABLET, init_script=NO_VOICE)
    context = page.context
    page.goto(f"{live_server.url}{ward_tablet.path}?lang={language}")
    # Every text has its file: the page's language, or English for a text not translated yet.
    files = page.evaluate(PAGE_FILES)
    assert files and all(f"/static/audio/{language}/" in url or "/static/audio/en/" in url for url in files), files[:5]

    # Online, once: the page keeps itself, its sound files and its copy in the other language.
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(page, f"{KEPT}.then(kept => {PAGE_FILES}.every(url => kept.includes(url)))", timeout=60)
    wait_until(page, f"{KEPT}.then(kept => kept.includes('{ward_tablet.path}?lang={other}'))")
    wait_until(page, f"{KEPT}.then(kept => kept.filter(url => url.startsWith('/static/audio/{other}/')).length > 20)", timeout=60)

    context.set_offline(True)
    answered = []
    page.on("response", lambda reply: answered.append(reply) if "/static/audio/" in reply.url else None)
    page.reload()
    assert page.evaluate("document.documentElement.lang") == ("cy" if language == "cy" else "en-GB")
    current(page, "[data-action=start]").click()
    reader = current(page, "[data-action=read-screen]")
    assert reader.is_visible()  # no speech voice, but the files are there
    assert current(page, "button.speak").count() >= 4
    expected = page.evaluate(SCREEN_FILES)
    assert len(expected) >= 5  # the question, its hint, its quote, its options, its box
    assert all(f"/static/audio/{language}/" in url for url in expected), expected

    reader.click()
    assert reader.get_attribute("aria-pressed") == "true"
    wait_until(page, f"window.__ended.length >= {len(expected)} || window.__failed.length > 0", timeout=60)
    assert page.evaluate("window.__failed") == []
    assert page.evaluate("window.__played") == expected
    assert page.evaluate("window.__ended") == expected
    wait_until(
        page, "document.querySelector('.screen.current [data-action=read-screen]').getAttribute('aria-pressed') === 'false'"
    )
    assert answered and all(reply.from_service_worker for reply in answered)

    # The other language's copy opens offline too, and reads from its own files.
    page.goto(f"{live_server.url}{ward_tablet.path}?lang={other}")
    assert page.evaluate("document.documentElement.lang") == ("cy" if other == "cy" else "en-GB")
    current(page, "[data-action=start]").click()
    current(page, ".speak-row button.speak").first.click()
    wait_until(page, "window.__ended.length === 1 || window.__failed.length > 0", timeout=30)
    assert f"/static/audio/{other}/" in page.evaluate("window.__ended[0]")


def test_a_second_press_and_a_new_screen_stop_the_reading(open_page, live_server, ward_tablet):
    audio_built("en")
    page = open_page(viewport=TABLET, init_script=NO_VOICE.replace("this.playbackRate = 16;", ""))
    page.goto(live_server.url + ward_tablet.path)
    current(page, "[data-action=start]").click()
    reader = current(page, "[data-action=read-screen]")
    reader.click()
    wait_until(page, "window.__played.length === 1")
    assert reader.get_attribute("aria-pressed") == "true"
    reader.click()
    assert reader.get_attribute("aria-pressed") == "false"
    assert page.evaluate("window.__player.paused")
    assert page.evaluate("document.querySelector('audio') === null")  # nothing added to the page

    reader.click()
    wait_until(page, "window.__played.length === 2")
    current(page, "[data-action=next]").click()
    assert page.locator(".screen.current[data-code=useful]").count() == 0
    assert page.evaluate("window.__player.paused")  # stopped with its screen
    assert page.evaluate("window.__played.length") == 2
    assert page.evaluate(
        "[...document.querySelectorAll('[data-action=read-screen]')].every(b => b.getAttribute('aria-pressed') !== 'true')"
    )


def test_a_file_that_cannot_be_played_is_read_by_the_devices_voice(open_page, live_server, patient_link):
    audio_built("en")
    stub = """
    window.__spoken = [];
    window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    Object.defineProperty(window, "speechSynthesis", {value: {
      speak: function (u) { window.__spoken.push(u.text); }, cancel: function () {}
    }});
    """
    page = open_page(viewport=TABLET, init_script=stub)
    page.route("**/static/audio/**", lambda route: route.abort())
    page.goto(live_server.url + patient_link.path)
    current(page, "[data-action=start]").click()
    question = current(page, "legend")
    assert question.get_attribute("data-audio").startswith("/static/audio/en/")
    current(page, ".speak-row button.speak").first.click()
    wait_until(page, "window.__spoken.length > 0")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__spoken") == [question.inner_text()]  # once, though two things report the failure


def test_a_welsh_patient_offline_with_no_voice_hears_every_question_and_finishes(open_page, live_server, ward_tablet):
    """The whole questionnaire in Welsh, offline, with no speech voice: every question
    screen read from its kept files, then the answers wait in the outbox and are sent
    when the network comes back."""
    audio_built("cy")
    page = open_page(viewport=TABLET, init_script=NO_VOICE)
    page.goto(f"{live_server.url}{ward_tablet.path}?lang=cy")
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(page, f"{KEPT}.then(kept => {PAGE_FILES}.every(url => kept.includes(url)))", timeout=60)

    page.context.set_offline(True)
    answered = []
    page.on("response", lambda reply: answered.append(reply) if "/static/audio/" in reply.url else None)
    page.reload()
    current(page, "[data-action=start]").click()
    heard = []
    while page.locator(".screen.current[data-screen=check]").count() == 0:
        heading = page.evaluate(
            "(document.querySelector('.screen.current fieldset.question > legend[data-audio], "
            ".screen.current .text-question > label[data-audio]') || {dataset: {}}).dataset.audio"
        )
        assert heading and "/static/audio/cy/" in heading, page.evaluate("document.querySelector('.screen.current').dataset.code")
        before = page.evaluate("window.__ended.length")
        current(page, "[data-action=read-screen]").click()
        wait_until(page, f"window.__ended.length > {before} || window.__failed.length > 0", timeout=30)
        assert page.evaluate("window.__failed") == []
        assert page.evaluate(f"window.__ended[{before}]") == page.evaluate(f"new URL({heading!r}, location.href).href")
        heard.append(heading)
        if len(heard) == 1:
            current(page, ".choice").first.click()  # "Ydy": peer support can help
        current(page, "[data-action=next]").click()
    assert len(heard) == 19  # every question that applies
    assert answered and all(reply.from_service_worker for reply in answered)

    current(page, "button[type=submit]").click()
    wait_until(page, "document.querySelector('.screen.current').dataset.screen === 'thanks'")
    assert page.evaluate("window.PeerSurveyOutbox.count()") == 1
    page.context.set_offline(False)
    wait_until(page, "window.PeerSurveyOutbox.count() === 0", timeout=30)
    assert wait_for_rows(1) == 1
    assert stored_answers()[1] == {"useful": {"yes"}}  # the same code, whatever the language
