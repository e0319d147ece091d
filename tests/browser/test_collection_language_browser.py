"""The ward tablet's language, as Chromium shows it: offline copies in the tablet's
language, the switch on the thank-you screen, and a restart that keeps the language.

Offline is played by answering the page's address from "the cache" with page.route:
the service worker keeps one copy per address, so `/c/<token>/` is whichever copy was
kept last, and `?lang=cy` the Welsh one.
"""

import urllib.request

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}


def served(live_server, path: str) -> str:
    with urllib.request.urlopen(live_server.url + path) as reply:
        return reply.read().decode()


def offline(page, path: str, copies: dict[str, str]) -> list[str]:
    """Answer `path` from a cache holding `copies` ({"": page without ?lang=, "cy": ...});
    an address with no copy fails, as it would offline. Returns the addresses asked for."""
    asked = []

    def answer(route, request):
        asked.append(request.url)
        language = request.url.partition("lang=")[2][:2]
        body = copies.get(language)
        if body is None:
            route.abort()
        else:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route(f"**{path}", answer)
    page.route(f"**{path}?*", answer)
    return asked


def language_cookie(page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "language"), None)


def test_offline_the_tablet_shows_its_own_language(open_page, live_server, ward_tablet):
    english, welsh = served(live_server, f"{ward_tablet.path}?lang=en"), served(live_server, f"{ward_tablet.path}?lang=cy")
    page = open_page(viewport=TABLET, service_workers="block")
    page.context.add_cookies([{"name": "language", "value": "cy", "url": live_server.url}])

    # The copy kept last is English, the tablet is Welsh: its Welsh copy is loaded instead.
    offline(page, ward_tablet.path, {"": english, "en": english, "cy": welsh})
    page.goto(live_server.url + ward_tablet.path)
    page.wait_for_url("**?lang=cy")
    assert page.evaluate("document.documentElement.lang") == "cy"

    # Someone presses "English" offline: that copy wins, and the tablet remembers it.
    page.locator(".screen.current .language-switch a[hreflang=en]").click()
    page.wait_for_url("**?lang=en")
    page.wait_for_function("() => document.cookie.includes('language=en')")
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    assert page.locator(".screen.current [data-action=start]").text_content() == "Start"

    # No copy in the tablet's language: the page stays as it is, and does not try again and again.
    page.unroute_all()
    asked = offline(page, ward_tablet.path, {"": welsh})
    page.goto(live_server.url + ward_tablet.path)
    page.wait_for_timeout(500)
    assert page.url.endswith(ward_tablet.path) and page.evaluate("document.documentElement.lang") == "cy"
    assert len(asked) == 2  # the page, then one look for the English copy
    assert language_cookie(page) == "en"


def test_the_thank_you_screen_changes_language_and_the_next_person_keeps_it(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET, service_workers="block")
    page.goto(f"{live_server.url}{ward_tablet.path}?lang=cy")
    page.locator("[data-action=start]").click()
    page.locator(".screen.current .choice").first.click()
    while not page.locator(".screen.current[data-screen=check]").count():
        page.locator(".screen.current [data-action=next]").click()
    page.locator(".screen.current [type=submit]").click()
    assert page.locator("#kiosk-thanks-title").text_content() == "Diolch"

    page.locator(".screen.current .language-switch a[hreflang=en]").click()
    page.wait_for_url("**?lang=en")
    page.wait_for_function("() => document.querySelector('.screen.current').dataset.screen === 'thanks'")
    assert page.locator("#kiosk-thanks-title").text_content() == "Thank you"
    assert not page.url.endswith("#thanks")

    page.locator(".screen.current [data-action=restart]").click()
    assert page.locator(".screen.current [data-action=start]").text_content() == "Start"
    assert page.evaluate("document.documentElement.lang") == "en-GB" and language_cookie(page) == "en"
