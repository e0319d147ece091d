"""The ward's results page in Welsh on a phone-sized screen: the language switch is a
large target, nothing runs off the side, the page reads offline in either language once
visited, and the poster prints dated in Welsh without the switch."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_ward_results_browser import assert_no_axe_violations, wait_until, ward  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_the_results_in_welsh_offline_and_printed(open_page, live_server, ward, screenshot, exact_figures):  # noqa: F811
    page = open_page(viewport=PHONE, has_touch=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    results = f"{live_server.url}/c/{ward.token}/results/"
    page.goto(results + "?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator(".figure").first).to_contain_text("7 o bob 10")
    expect(page.get_by_role("button", name="Argraffu poster")).to_be_visible()
    switch = page.get_by_role("link", name="English").bounding_box()
    assert switch["height"] >= 44 and switch["width"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)
    screenshot(page, "welsh")

    # Both languages kept for offline use, each at its own address.
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(
        page,
        "caches.open('peersurvey-offline-v2').then(c => Promise.all(["
        "c.match(location.pathname + '?lang=cy'), c.match(location.pathname + '?lang=en')]))"
        ".then(hits => hits.every(Boolean))",
    )
    page.context.set_offline(True)
    page.goto(results + "?lang=en")
    expect(page.locator(".figure").first).to_contain_text("7 in 10")
    page.goto(results + "?lang=cy")
    expect(page.locator(".figure").first).to_contain_text("7 o bob 10")

    # The poster: no switch, dated in Welsh.
    page.emulate_media(media="print")
    expect(page.locator(".language-switch")).to_be_hidden()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator(".printed-on")).to_contain_text("Argraffwyd ar")
    months = (
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    )
    assert any(month in page.locator(".printed-on").inner_text() for month in months)
    screenshot(page, "welsh-print")
    page.context.set_offline(False)
    assert errors == [], errors
