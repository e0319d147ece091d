"""The dashboard as leads meet it: logging in, every chart drawn, filters, the
2014 series, access by role, live refresh, and no axe violations on any page."""

import io
import uuid
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from demo.generate import OUTLIER
from surveys.models import CollectionLink, Release, Wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
GB = {"locale": "en-GB", "timezone_id": "Europe/London"}
PASSWORD = "peer-support-demo"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
QUESTION_CHARTS = 15  # the 14 of the report, and who helped patients answer (version 2)


@pytest.fixture
def demo(db):
    call_command("demo", stdout=io.StringIO())


def assert_no_axe_violations(page):
    result = Axe().run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def watch_errors(page):
    """Collect uncaught exceptions and console errors, to assert none at the end."""
    errors = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
    return errors


def log_in(page, live_server, username, next_path="/dashboard/", check_axe=False):
    page.goto(live_server.url + next_path)
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_role("heading", name="Log in to the dashboard")).to_be_visible()
    if check_axe:
        assert_no_axe_violations(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}*")


def wait_for_charts(page):
    """Every .chart holds a drawn Plotly SVG."""
    page.wait_for_function(
        "() => { const charts = [...document.querySelectorAll('.chart')];"
        " return charts.length > 0 && charts.every(c => c.querySelector('svg.main-svg')); }",
        timeout=30_000,
    )


def patient_n(page):
    return page.locator("[data-stat=patient-n]").inner_text().strip()


def visible_traces(page, chart_id):
    return page.evaluate(
        "id => document.getElementById(id).data.filter(t => t.visible !== false && t.type === 'bar').length",
        chart_id,
    )


def apply_filter(page, label, option):
    details = page.locator("details.filters")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    page.locator("#filters").get_by_label(label, exact=True).select_option(label=option)
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    wait_for_charts(page)


def test_partnership_lead_logs_in_filters_and_compares_with_2014(browser, live_server, demo, screenshot, request):
    context = browser.new_context(viewport=DESKTOP, **GB)
    page = context.new_page()
    errors = watch_errors(page)

    log_in(page, live_server, "lead", check_axe=True)
    wait_for_charts(page)
    charts = page.locator(".chart")
    assert page.locator(".chart[id^='q-']").count() == QUESTION_CHARTS
    assert (
        page.locator(".chart svg.main-svg").evaluate_all("svgs => new Set(svgs.map(s => s.closest('.chart').id)).size")
        == charts.count()
    )
    # Every wave together: the 2014 round and the two live rounds since.
    national = page.request.get(live_server.url + "/dashboard/data.json").json()["groups"]["patient"]["n"]
    assert int(patient_n(page)) == national > 213
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-dashboard-top.png")
    screenshot(page, "dashboard")
    assert_no_axe_violations(page)

    # The 2014 report's series: hidden until asked for, then drawn beside today's bars.
    before = visible_traces(page, "q-useful")
    page.locator("#toggle-2014").check()
    page.wait_for_function(
        "n => document.getElementById('q-useful').data.filter(t => t.visible !== false && t.type === 'bar').length > n",
        arg=before,
    )
    assert visible_traces(page, "q-useful") == before + 2
    legend = page.locator("#q-useful .legend .traces").all_inner_texts()
    assert any("2014" in text for text in page.locator("#q-useful .legend text").all_text_contents()), legend
    screenshot(page, "dashboard-2014")
    page.locator("#toggle-2014").uncheck()
    page.wait_for_function(
        "n => document.getElementById('q-useful').data.filter(t => t.visible !== false && t.type === 'bar').length == n",
        arg=before,
    )

    # Filters: low secure, then low secure women.
    apply_filter(page, "Security level", "Low secure")
    assert "security=low" in page.url
    low = patient_n(page)
    assert low not in (str(national), ""), low
    apply_filter(page, "Gender", "Female")
    assert "security=low" in page.url and "gender=" in page.url
    low_women = patient_n(page)
    assert low_women not in (low, ""), low_women
    assert page.locator(".chart[id^='q-']").count() == QUESTION_CHARTS
    screenshot(page, "filtered")
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Quotes", exact=True).click()
    page.wait_for_url("**/dashboard/quotes/")
    expect(page.get_by_role("heading", name="Quotes", exact=True)).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Review quotes").click()
    page.wait_for_url("**/dashboard/quotes/review/")
    expect(page.get_by_role("heading", name="Review quotes")).to_be_visible()
    screenshot(page, "review")
    assert_no_axe_violations(page)

    page.goto(live_server.url + "/dashboard/report/")
    # The report's charts are drawn on the server (SVG images with their words as alt text).
    charts = page.locator("figure.report-figure img")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 15
    assert all(charts.nth(i).get_attribute("alt") for i in range(charts.count()))
    assert page.evaluate("Array.from(document.images).every(img => img.complete && img.naturalWidth > 0)")
    screenshot(page, "report")
    assert_no_axe_violations(page)

    assert errors == []
    context.close()


def test_service_lead_sees_only_their_service(browser, live_server, demo, screenshot):
    context = browser.new_context(viewport=DESKTOP, **GB)
    page = context.new_page()
    errors = watch_errors(page)

    log_in(page, live_server, "cc-lead")
    wait_for_charts(page)
    codes = page.evaluate("JSON.parse(document.getElementById('by-service-data').textContent).data[0].x")
    assert codes == ["CC"]
    assert "You can see your services (CC)" in page.locator("main").inner_text()
    # Their first view: their service in the current wave, beside the nation, with the
    # change since the last wave and since 2014 at a glance.
    assert "service=CC" in page.url and "compare=national" in page.url and "wave=" in page.url
    legend = page.locator("#q-useful .legend text").all_text_contents()
    assert "Patients, national picture" in legend, legend
    expect(page.locator("#compare-note")).to_contain_text("Beside the national picture")
    headers = page.locator("#glance thead").inner_text()
    assert "Beside the nation" in headers and "Since Round of" in headers and "Since 2014" in headers, headers
    assert page.locator("#glance tbody tr").count() >= 3
    assert page.get_by_role("link", name="Services compared").count() == 0
    screenshot(page, "dashboard")
    assert_no_axe_violations(page)

    reply = page.goto(live_server.url + "/dashboard/?service=SAN")
    assert reply.status == 403
    expect(page.get_by_role("heading", name="You cannot see this")).to_be_visible()
    screenshot(page, "forbidden")
    assert_no_axe_violations(page)
    # The 403 page is what the browser was meant to see: that console error is expected.
    assert [e for e in errors if "403" not in e] == []
    context.close()


def test_dashboard_refreshes_itself_when_a_batch_of_answers_is_released(browser, live_server, demo, settings, playwright):
    settings.PEERSURVEY_REFRESH_SECONDS = 5
    context = browser.new_context(viewport=DESKTOP, **GB)
    page = context.new_page()
    errors = watch_errors(page)
    log_in(page, live_server, "lead")
    wait_for_charts(page)
    assert page.locator("#summary").get_attribute("data-refresh") == "5"
    national = int(patient_n(page))
    page.evaluate("window.__sameDocument = true")

    # A ward tablet of a service with no patient answers waiting for their batch in this round.
    waiting = Release.objects.filter(among=0, released_on__isnull=True).values("service_id")
    link = (
        CollectionLink.objects.filter(questionnaire__code="patient", kiosk=True, revoked_on__isnull=True)
        .exclude(service_id__in=waiting)
        .first()
    )
    api = playwright.request.new_context(base_url=live_server.url)

    def answer() -> None:
        reply = api.post(
            f"/api/v1/links/{link.token}/responses",
            data={"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}},
        )
        assert reply.status == 201, reply.text()

    # One new answer waits for its batch: the next refresh shows the same figures.
    answer()
    updated = page.locator("[data-stat=updated]")
    before = updated.get_attribute("datetime")
    expect(updated).not_to_have_attribute("datetime", before, timeout=20_000)
    assert patient_n(page) == str(national)
    # The fifth answer releases all five together, and the open page shows them.
    for _ in range(4):
        answer()
    api.dispose()
    expect(page.locator("[data-stat=patient-n]")).to_have_text(str(national + 5), timeout=20_000)
    assert page.evaluate("window.__sameDocument") is True
    assert not page.locator("#summary").evaluate("el => el.classList.contains('stale')")
    assert errors == []
    context.close()


def test_response_count_charts_show_their_axis_labels_whole(browser, live_server, demo):
    context = browser.new_context(viewport=DESKTOP, **GB)
    page = context.new_page()
    log_in(page, live_server, "lead")
    wait_for_charts(page)
    cut = page.evaluate(
        """ids => ids.flatMap(id => {
            const chart = document.getElementById(id);
            const box = chart.querySelector('svg.main-svg').getBoundingClientRect();
            return [...chart.querySelectorAll('.xtick text, .ytick text, .g-xtitle text, .g-ytitle text')]
              .filter(t => { const r = t.getBoundingClientRect();
                             return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5; })
              .map(t => `${id}: ${t.textContent}`);
        })""",
        ["by-service", "by-month"],
    )
    context.close()
    assert cut == []


def test_partnership_lead_finds_the_services_furthest_from_the_nation_and_a_trend(browser, live_server, demo, screenshot):
    context = browser.new_context(viewport=DESKTOP, **GB)
    page = context.new_page()
    errors = watch_errors(page)
    log_in(page, live_server, "lead")
    # Last year's round, closed and released in full.
    last_year = Wave.objects.exclude(code="2014").order_by("opens").first()
    page.goto(f"{live_server.url}/dashboard/?wave={last_year.code}")
    wait_for_charts(page)
    page.locator("#q-useful").locator("xpath=ancestor::figure").get_by_role(
        "link", name="Each service against the nation"
    ).click()
    page.wait_for_url("**/dashboard/services/?question=useful**")
    page.locator("#services-choice").get_by_label("Group").select_option("patient")
    wait_for_charts(page)
    # The demo's live rounds have one service whose patients answer far below the rest.
    outlier = page.locator("#ranked tbody tr").filter(has_text=f"{OUTLIER} – ")
    expect(outlier).to_contain_text("(below)")
    ranked = page.locator("#ranked tbody th").all_inner_texts()
    assert any(code.startswith(f"{OUTLIER} – ") for code in ranked[:3]), ranked
    assert f"wave={last_year.code}" in page.url
    traces = page.evaluate("document.getElementById('funnel').data.map(t => t.name)")
    assert traces[0].startswith("National ") and "95% limits" in traces and "99.8% limits" in traces, traces
    screenshot(page, "services-compared")
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Trends").click()
    page.locator("#trend-choice").get_by_label("By").select_option("wave")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    wait_for_charts(page)
    periods = page.evaluate("document.getElementById('trend').data[0].x")
    assert periods[0] == "2014" and len(periods) == 3, periods
    expect(page.locator("table").first).to_contain_text("2014")
    screenshot(page, "trends")
    assert_no_axe_violations(page)
    assert errors == []
    context.close()
