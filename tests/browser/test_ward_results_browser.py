"""The ward's results page on a tablet: reached from the survey's welcome screen (by
touch or keyboard), readable offline once visited, an A4 poster when printed, back
to the survey when left alone, and no axe violations."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from surveys.services import link_create
from tests.factories import respond

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
LINK_TEXT = "See what people here said, and what changed"


def assert_no_axe_violations(page):
    result = Axe().run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll from here: wait_for_function evals its predicate, which the page's CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(200)


@pytest.fixture
def ward(chadwick):
    """Ten of CL's patients have answered (two release batches); then a tablet link."""
    for index in range(10):
        respond(chadwick, "patient", 2, {"useful": "yes" if index < 7 else "no"}, timezone.localdate())
    return link_create(service=chadwick, group="patient", kiosk=True)


def test_from_the_welcome_screen_to_the_results_then_offline_and_printed(open_page, live_server, ward, screenshot, exact_figures):
    page = open_page(viewport=TABLET, has_touch=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + ward.path)
    welcome_link = page.get_by_role("link", name=LINK_TEXT)
    expect(welcome_link).to_be_visible()
    box = welcome_link.bounding_box()
    assert box["y"] + box["height"] <= TABLET["height"], "the link is below the fold of a 768x1024 tablet"
    assert box["height"] >= 48
    assert_no_axe_violations(page)

    # Keyboard: Tab from Start reaches the link (the kiosk keeps Tab within the screen).
    page.locator(".screen.current [data-action=start]").focus()
    for _ in range(8):
        if page.evaluate("document.activeElement && document.activeElement.textContent.includes('See what people here said')"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the results link on the welcome screen")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/c/{ward.token}/results/")

    expect(page.get_by_role("heading", level=1, name="Chadwick Lodge")).to_be_visible()
    expect(page.locator(".figure").first).to_contain_text("7 in 10")
    expect(page.get_by_role("link", name="Back to the survey").first).to_be_visible()
    expect(page.get_by_role("button", name="Print a poster")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "online")

    # Kept for offline use: the page and its stylesheet.
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(
        page,
        "caches.open('peersurvey-offline-v2').then(c => Promise.all([c.match(location.pathname),"
        " c.match('/static/css/ward-results.css')])).then(hits => hits.every(Boolean))",
    )
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Chadwick Lodge")).to_be_visible()
    expect(page.locator(".figure").first).to_contain_text("7 in 10")
    assert page.locator(".pictogram").first.evaluate("e => getComputedStyle(e).display") == "flex"
    screenshot(page, "offline")

    # Printed: an A4 poster in black and white, no buttons, dated.
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print a poster")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the survey").first).to_be_hidden()
    expect(page.locator(".printed-on")).to_be_visible()
    filled = page.locator(".person-on").first.evaluate("e => getComputedStyle(e).fill")
    assert filled in ("rgb(0, 0, 0)", "#000000")
    screenshot(page, "print")
    page.emulate_media(media="screen")

    # Back to the survey, still offline.
    page.get_by_role("link", name="Back to the survey").first.click()
    page.wait_for_url(f"**{ward.path}")
    expect(page.get_by_role("link", name=LINK_TEXT)).to_be_visible()
    page.context.set_offline(False)
    assert errors == [] or all("net::ERR_INTERNET_DISCONNECTED" in error for error in errors), errors


def test_left_alone_the_tablet_goes_back_to_the_survey(open_page, live_server, ward):
    ward.idle_seconds = 2
    ward.save()
    page = open_page(viewport=TABLET)
    page.goto(f"{live_server.url}/c/{ward.token}/results/")
    expect(page.get_by_role("heading", level=1, name="Chadwick Lodge")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{ward.path}", timeout=10000)
    expect(page.get_by_role("link", name=LINK_TEXT)).to_be_visible()
