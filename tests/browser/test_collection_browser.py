"""The forms as people meet them: tapped on a tablet, clicked on a desktop, and
with JavaScript switched off."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from surveys.models import ChoiceAnswer, Response, TextAnswer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


def stored_answers():
    response = Response.objects.get()
    choices = {}
    for question, option in ChoiceAnswer.objects.filter(response=response).values_list(
        "option__question__code", "option__code"
    ):
        choices.setdefault(question, set()).add(option)
    texts = dict(TextAnswer.objects.filter(response=response).values_list("question__code", "text"))
    return response, choices, texts


def current(page, selector=""):
    return page.locator(f".screen.current {selector}".strip())


def tap_option(page, label):
    current(page, ".choice").filter(has_text=label).first.tap()


def test_patient_completes_the_easy_read_survey_by_tapping_on_a_tablet(browser, live_server, ward_tablet, screenshot):
    context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + ward_tablet.path)
    screenshot(page, "welcome")
    current(page, "[data-action=start]").tap()

    assert current(page, ".progress-text").inner_text() == "Question 1 of 15"
    tap_option(page, "Yes")
    current(page, "textarea").fill("We know what it is like")
    screenshot(page, "question-1")
    # Big tap targets: every choice at least 48px high.
    heights = current(page, ".choice").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 48
    current(page, "[data-action=next]").tap()

    assert current(page, ".progress-text").inner_text() == "Question 2 of 15"
    for index in (0, 2):
        current(page, ".choice").nth(index).tap()
    current(page, "[data-action=next]").tap()

    # Question 3: choose something, then Skip: skipping clears that screen.
    current(page, ".choice").first.tap()
    current(page, "[data-action=skip]").tap()
    assert current(page, ".progress-text").inner_text() == "Question 4 of 15"
    # Back, then forward again: the earlier answer is still there.
    current(page, "[data-action=back]").tap()
    current(page, "[data-action=back]").tap()
    assert current(page, "input:checked").count() == 2
    current(page, "[data-action=next]").tap()
    current(page, "[data-action=next]").tap()

    while current(page, ".progress-text").inner_text() != "About you: question 1 of 5":
        current(page, "[data-action=skip]").tap()
    tap_option(page, "1 to 4 years")
    current(page, "[data-action=next]").tap()
    tap_option(page, "10 years or more")
    current(page, "[data-action=next]").tap()
    screenshot(page, "about-you")
    while page.locator(".screen.current[data-screen=check]").count() == 0:
        current(page, "[data-action=next]").tap()

    check = current(page, ".check-list").inner_text()
    screenshot(page, "check-your-answers")
    assert "We know what it is like" in check and "Skipped" in check
    current(page, "button[type=submit]").tap()
    page.wait_for_url("**/thanks/")
    screenshot(page, "thanks")
    assert "Thank you" in page.content()
    assert errors == []

    response, choices, texts = stored_answers()
    assert response.channel == "tablet"
    assert choices == {
        "useful": {"yes"},
        "ideal_forms": {"emotional", "speaking_out"},
        "time_in_service": {"1_4y"},
        "time_in_secure": {"10y_plus"},
    }
    assert texts == {"useful_why": "We know what it is like"}
    context.close()


def test_patient_form_works_as_one_long_page_without_javascript(browser, live_server, patient_link, screenshot):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + patient_link.path)
    assert page.locator("[data-action=start]").is_hidden()
    page.locator("fieldset[data-code=useful] .choice").filter(has_text="Sometimes").click()
    page.locator("fieldset[data-code=fears] .choice").nth(1).click()
    page.fill("#id_comments", "Thank you for asking")
    screenshot(page, "no-js")
    page.get_by_role("button", name="Finish and send my answers").click()
    page.wait_for_url("**/thanks/")
    response, choices, texts = stored_answers()
    assert response.channel == "web"
    assert choices == {"useful": {"sometimes"}, "fears": {"confidentiality"}}
    assert texts == {"comments": "Thank you for asking"}
    context.close()


def test_staff_complete_their_one_page_form_on_a_desktop(browser, live_server, staff_link, screenshot):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
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
    response, choices, texts = stored_answers()
    assert choices == {"useful": {"yes"}, "benefits": {"reduces_workload"}}
    assert texts == {"job_title": "Staff nurse", "useful_why": "Patients understand each other"}


@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
def test_patient_screens_have_no_axe_violations(browser, live_server, ward_tablet, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(live_server.url + ward_tablet.path)
    page.locator("[data-action=start]").click()
    for _ in range(3):
        result = Axe().run(page)
        assert result.violations_count == 0, result.generate_report()
        current(page, "[data-action=next]").click()
