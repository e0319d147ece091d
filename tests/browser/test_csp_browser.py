"""The patient, staff and dashboard flows with the Content-Security-Policy
enforced: not one violation."""

import io

import pytest
from django.core.management import call_command

from surveys.models import CollectionLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '')));
"""


def violations(page, console):
    return page.evaluate("window.__csp") + [m for m in console if "Content Security Policy" in m]


def test_patient_staff_and_dashboard_flows_break_no_policy(open_page, live_server):
    call_command("demo", stdout=io.StringIO())
    kiosk = CollectionLink.objects.filter(service__code="CC", kiosk=True).first()
    staff = CollectionLink.objects.filter(service__code="CC", questionnaire__code="staff").first()
    page = open_page(viewport={"width": 1366, "height": 900}, init_script=WATCH)
    console = []
    page.on("console", lambda message: console.append(message.text))
    seen = []

    reply = page.goto(live_server.url + kiosk.path)
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    page.wait_for_function("document.documentElement.classList.contains('js')")
    page.locator("[data-action=start]").click()
    page.locator(".screen.current .choice").first.click()
    page.locator(".screen.current button.speak").first.click() if page.locator(".screen.current button.speak").count() else None
    while page.locator(".screen.current[data-screen=check]").count() == 0:
        page.locator(".screen.current [data-action=next]").click()
    page.locator(".screen.current button[type=submit]").click()
    page.locator(".screen.current[data-screen=thanks]").wait_for()
    seen += violations(page, console)

    page.goto(live_server.url + staff.path)
    page.get_by_label("Peer support reduces the workload for staff").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/thanks/")
    seen += violations(page, console)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "lead")
    page.fill("#id_password", "peer-support-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/")
    page.wait_for_function("document.querySelectorAll('.chart svg.main-svg').length >= 20")
    page.locator("#toggle-2014").check()
    page.locator("#q-useful").hover()
    seen += violations(page, console)
    for path in (
        "/dashboard/report/",
        "/dashboard/trends/?by=wave",
        "/dashboard/services/",
        "/dashboard/?compare=2014",
        "/dashboard/quotes/",
        "/dashboard/quotes/review/",
        "/dashboard/paper/",
        "/admin/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        seen += violations(page, console)
    assert seen == []
