"""Every page in English and in Welsh, as Chromium shows it: the right `<html lang>`, a
visible language switch, and no axe violations. The patient's tablet flow is walked
screen by screen in Welsh."""

import io
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone

from surveys.models import CollectionLink, Service, Wave
from surveys.services import link_create, wave_upsert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 768, "height": 1024}
HTML_LANG = {"en": "en-GB", "cy": "cy"}
PASSWORD = "peer-support-demo"
DASHBOARD_PAGES = [
    "/dashboard/",
    "/dashboard/trends/",
    "/dashboard/services/",
    "/dashboard/quotes/",
    "/dashboard/quotes/review/",
    "/dashboard/safeguarding/",
    "/dashboard/actions/?service=CC",
    "/dashboard/report/?wave=2026",
    "/dashboard/report/text/?wave=2026",
    "/dashboard/paper/",
]


@pytest.fixture
def demo(db):
    call_command("demo", stdout=io.StringIO())


def with_language(path: str, language: str) -> str:
    return path + ("&" if "?" in path else "?") + f"lang={language}"


def check(page, language: str, where: str, switch: bool = True) -> None:
    assert page.evaluate("document.documentElement.lang") == HTML_LANG[language], where
    if switch:
        assert page.locator(".language-switch").first.is_visible(), f"{where}: no visible language switch"
    page.mouse.move(0, 0)
    page.wait_for_timeout(200)
    result = Axe().run(page)
    assert result.violations_count == 0, f"{where} ({language}): {result.generate_report()}"


def link(service_code: str, group: str, kiosk: bool = False) -> CollectionLink:
    return link_create(service=Service.objects.get(code=service_code), group=group, kiosk=kiosk)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_public_and_dashboard_page_passes_axe_in_both_languages(browser, live_server, demo, language, screenshot):
    staff = link("CC", "staff")
    patient = link("CC", "patient")
    today = timezone.localdate()
    # A round that closed long ago (made open, then closed: a link is never made for a closed round).
    closed_wave, _ = wave_upsert(code="1999", name="Closed", opens=today - timedelta(days=400), closes=today + timedelta(days=1))
    closed = link_create(service=Service.objects.get(code="CC"), group="patient", wave=closed_wave)
    Wave.objects.filter(pk=closed_wave.pk).update(closes=today - timedelta(days=300))

    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    public = {
        "home": "/",
        "login": "/accounts/login/",
        "staff form": staff.path,
        "patient form (one page)": patient.path,
        "thanks": f"{staff.path}thanks/",
        "ward results": f"{patient.path}results/",
        "closed round": closed.path,
        "not found": "/c/no-such-link/",
    }
    for name, path in public.items():
        page.goto(live_server.url + with_language(path, language))
        check(page, language, name)
    screenshot(page, f"not-found-{language}")

    page.goto(live_server.url + with_language("/accounts/login/", language))
    page.locator("#id_username").fill("lead")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")
    for path in DASHBOARD_PAGES:
        page.goto(live_server.url + path)  # the cookie remembers the language
        if path == "/dashboard/":
            page.wait_for_function("() => [...document.querySelectorAll('.chart')].every(c => c.querySelector('svg'))")
        check(page, language, path)
    screenshot(page, f"paper-{language}")
    context.close()


def test_a_welsh_patient_walks_every_tablet_screen(open_page, live_server, ward_tablet, screenshot):
    page = open_page(viewport=TABLET, locale="cy-GB")  # the tablet's browser asks for Welsh
    page.goto(live_server.url + ward_tablet.path)
    step = 0
    while True:
        name = page.evaluate("document.querySelector('.screen.current').dataset.screen")
        check(page, "cy", f"step {step} ({name})", switch=name == "welcome")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"step {step} scrolls sideways"
        if step < 3 or name in ("check", "thanks"):
            screenshot(page, f"{step:02d}-{name}")
        if name == "welcome":
            page.locator(".screen.current [data-action=start]").click()
        elif name == "check":
            page.locator(".screen.current button[type=submit]").click()
        elif name == "thanks":
            break
        else:
            if step == 1:
                page.locator(".screen.current .choice").first.click()
            page.locator(".screen.current [data-action=next]").click()
        step += 1
    assert step == 1 + 19 + 1
