"""The traps a new user met in the easy-read flow (tried on a 768x1024 tablet and
with the keyboard alone), one test each, and the staff form's contrast,
examples and progress. Each failed on the first version of the flow."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from surveys.models import Response

from .test_collection_browser import PHONE, SPEECH_STUB, TABLET, current, stored_answers, wait_for_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHORT_TABLET = {"width": 768, "height": 950}  # 1024 less a real browser's bars


def start(page, url):
    page.goto(url)
    current(page, "[data-action=start]").click()


def go_to(page, code, limit=40):
    """Press Next until the screen of question `code` shows."""
    for _ in range(limit):
        if page.locator(f".screen.current[data-code={code}]").count():
            return
        current(page, "[data-action=next]").click()
    raise AssertionError(f"never reached {code}")


def to_check(page, limit=40):
    for _ in range(limit):
        if page.locator(".screen.current[data-screen=check]").count():
            return
        current(page, "[data-action=next]").click()
    raise AssertionError("never reached the check step")


def test_change_on_the_check_page_comes_back_to_it(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    start(page, live_server.url + ward_tablet.path)
    current(page, ".choice").filter(has_text="Yes").click()
    to_check(page)
    current(page, "[data-action=change]").first.click()
    assert page.locator(".screen.current[data-code=useful]").count() == 1
    assert current(page, "[data-action=next]").inner_text() == "Back to check your answers"
    current(page, ".choice").filter(has_text="Sometimes").click()
    current(page, "[data-action=next]").click()  # one press, not 19
    assert page.locator(".screen.current[data-screen=check]").count() == 1
    assert "Sometimes" in current(page, ".check-list").inner_text()
    # A skipped question can be answered from the short list, and back again.
    current(page, "[data-role=skipped-list] [data-action=change]").first.click()
    current(page, ".choice").first.click()
    current(page, "[data-action=next]").click()
    assert page.locator(".screen.current[data-screen=check]").count() == 1


def test_skip_asks_before_removing_an_answer_and_keeps_it_by_default(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    start(page, live_server.url + ward_tablet.path)
    current(page, ".choice").filter(has_text="No").click()
    current(page, "textarea").fill("Nobody asked us before")
    current(page, "[data-action=skip]").click()
    dialog = page.get_by_role("alertdialog")
    assert "Do you want to keep your answer?" in dialog.inner_text()
    # Focus starts on keeping: a switch user pressing Enter loses nothing.
    assert page.evaluate("document.activeElement.dataset.action") == "skip-keep"
    page.keyboard.press("Enter")
    current(page, "[data-action=back]").click()
    assert current(page, "input:checked").evaluate("e => e.value") == "no"
    assert current(page, "textarea").input_value() == "Nobody asked us before"
    # Removing is a choice the person makes, on purpose.
    current(page, "[data-action=skip]").click()
    page.get_by_role("button", name="Remove my answer").click()
    current(page, "[data-action=back]").click()
    assert current(page, "input:checked").count() == 0
    # Skip on an empty screen just moves on.
    current(page, "[data-action=skip]").click()
    assert page.get_by_role("alertdialog").count() == 0


def test_no_to_user_led_is_not_followed_by_how_patients_are_in_charge(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    start(page, live_server.url + ward_tablet.path)
    go_to(page, "user_led")
    options = current(page, ".choice-label").all_inner_texts()
    assert "I am not sure" in options
    current(page, ".choice").filter(has_text="No").first.click()
    current(page, "[data-action=next]").click()
    assert page.locator(".screen.current[data-code=user_led_forms]").count() == 0
    assert page.locator(".screen.current[data-code=restrictions]").count() == 1
    # Yes opens the question, with a box beside each way that is ticked.
    current(page, "[data-action=back]").click()
    current(page, ".choice").filter(has_text="Yes").click()
    current(page, "[data-action=next]").click()
    assert page.locator(".screen.current[data-code=user_led_forms]").count() == 1
    box = current(page, "[data-follow-up-of=groups]")
    assert box.is_hidden()
    current(page, ".choice").filter(has_text="Patients run groups").click()
    assert box.is_visible()
    box.locator("textarea").fill("We run the community meeting")
    # The answers that led here change: the question and its box are no longer sent.
    current(page, "[data-action=back]").click()
    current(page, ".choice").filter(has_text="No").first.click()
    to_check(page)
    assert "community meeting" not in current(page).inner_text()
    current(page, "button[type=submit]").click()
    assert wait_for_rows(1) == 1
    _, choices, texts = stored_answers()
    assert choices == {"user_led": {"no"}} and texts == {}


def test_none_of_these_goes_alone(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    start(page, live_server.url + ward_tablet.path)
    go_to(page, "fears")
    current(page, ".choice").first.click()
    current(page, ".choice").nth(1).click()
    current(page, ".choice").filter(has_text="Nothing worries me").click()
    assert current(page, "input:checked").evaluate_all("els => els.map(e => e.value)") == ["none"]
    current(page, ".choice").first.click()
    assert current(page, "input:checked").evaluate_all("els => els.map(e => e.value)") == ["trust"]


@pytest.mark.parametrize("viewport", [SHORT_TABLET, PHONE], ids=["tablet-950", "phone"])
def test_the_forward_button_is_always_on_screen(open_page, live_server, ward_tablet, viewport):
    page = open_page(viewport=viewport)
    page.goto(live_server.url + ward_tablet.path)
    below = []
    for _ in range(60):
        name = page.evaluate("document.querySelector('.screen.current').dataset.screen")
        forward = {"welcome": "[data-action=start]", "check": "button[type=submit]", "thanks": "[data-action=restart]"}.get(
            name, "[data-action=next]"
        )
        button = current(page, forward)
        box = button.bounding_box()
        if box["y"] < 0 or box["y"] + box["height"] > viewport["height"]:
            below.append(page.evaluate("document.querySelector('.screen.current').dataset.code || ''") or name)
        if name == "thanks":
            break
        # The tallest state: every box of the screen open.
        if name in ("question", "about") and current(page, "input[type=checkbox]").count():
            current(page, ".choice").evaluate_all("els => els.forEach(e => e.querySelector('input').click())")
        button.click()
    assert below == []


def test_tab_and_space_alone_choose_every_option(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    page.goto(live_server.url + ward_tablet.path)
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.dataset.action") != "start":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    stops = []
    for _ in range(20):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.value || document.activeElement.dataset.action || ''"))
        if stops[-1] == "next":
            break
    # One "read this screen" control, each option a stop of its own, then a box and the buttons.
    assert stops[:5] == ["read-screen", "yes", "sometimes", "no", ""], stops
    assert stops[-3:] == ["back", "skip", "next"]
    assert len(stops) == 8
    for value in ("sometimes", "no", "yes"):
        while page.evaluate("document.activeElement.value") != value:
            page.keyboard.press("Tab")
        page.keyboard.press("Space")
        assert current(page, "input:checked").evaluate("e => e.value") == value
    # Enter chooses too, and does not send the form half-way through.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert current(page, "input:checked").evaluate("e => e.value") == "no"
    assert page.locator(".screen.current[data-code=useful]").count() == 1


def test_read_this_screen_reads_question_hint_and_options_in_order(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET, init_script=SPEECH_STUB)
    start(page, live_server.url + ward_tablet.path)
    current(page, "[data-action=read-screen]").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[0] == current(page, "legend").inner_text()
    assert spoken[-4:] == ["Yes", "Sometimes", "No", current(page, ".text-question label").inner_text()]
    # The per-item speakers are still there to tap, but not in the Tab order.
    assert current(page, "button.speak").count() >= 4
    assert current(page, "button.speak").evaluate_all("els => els.every(e => e.tabIndex === -1)")


def test_the_end_says_what_happens_next_where_to_get_support_and_waits(open_page, live_server, ward_tablet):
    ward_tablet.service.support = "Talk to the ward's peer support worker.\nCall the advocacy line on 0800 000 000."
    ward_tablet.service.save()
    page = open_page(viewport=TABLET)
    page.clock.install()
    start(page, live_server.url + ward_tablet.path)
    current(page, ".choice").first.click()
    to_check(page)
    current(page, "button[type=submit]").click()
    thanks = current(page).inner_text()
    assert "What happens next" in thanks and "results come back to your ward" in thanks
    assert "Call the advocacy line on 0800 000 000." in thanks
    assert "45 seconds" in thanks
    page.clock.run_for(30_000)  # a slow reader is still reading
    assert page.locator(".screen.current[data-screen=thanks]").count() == 1
    page.clock.run_for(20_000)
    assert page.locator(".screen.current[data-screen=welcome]").count() == 1
    assert wait_for_rows(1) == 1


def test_finish_now_ends_the_thank_you_at_once(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    start(page, live_server.url + ward_tablet.path)
    current(page, ".choice").first.click()
    to_check(page)
    current(page, "button[type=submit]").click()
    assert "Talk to your advocate." in current(page).inner_text()  # the general advice
    current(page, "[data-action=restart]").click()
    assert page.locator(".screen.current[data-screen=welcome]").count() == 1


def test_the_welcome_is_about_mental_health_and_everyone_can_say_who_helped(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    page.goto(live_server.url + ward_tablet.path)
    welcome = current(page).inner_text()
    assert "mental health" in welcome and "hard times" not in welcome
    current(page, "[data-action=start]").click()
    go_to(page, "age_band")
    assert current(page, ".choice-label").first.inner_text() == "Under 16"
    go_to(page, "comments")
    assert "invaluable tool" in current(page, ".quote").inner_text()  # the report's quote for it
    go_to(page, "helped_by")
    current(page, ".choice").filter(has_text="A member of staff").click()
    to_check(page)
    current(page, "button[type=submit]").click()
    assert wait_for_rows(1) == 1
    assert stored_answers()[1] == {"helped_by": {"staff"}}


def test_no_javascript_shows_each_box_with_its_option_and_says_when_a_question_applies(open_page, live_server, patient_link):
    page = open_page(viewport=PHONE, java_script_enabled=False)
    page.goto(live_server.url + patient_link.path)
    box = page.locator("fieldset[data-code=current_forms] [data-follow-up-of=practical]")
    assert box.is_hidden()
    page.locator("fieldset[data-code=current_forms] .choice").nth(1).click()
    assert box.is_visible()  # by CSS alone
    box.locator("textarea").fill("Making a brew for new people")
    assert "Answer this if you chose “Yes” before." in page.locator("section[data-code=user_led_forms]").inner_text()
    page.get_by_role("button", name="Finish and send my answers").click()
    page.wait_for_url("**/thanks/")
    thanks = page.locator("main").inner_text()
    assert "What happens next" in thanks and "116 123" in thanks
    _, choices, texts = stored_answers()
    assert choices == {"current_forms": {"practical"}}
    assert texts == {"current_forms_practical_detail": "Making a brew for new people"}


def _contrast(page, selector):
    """The lowest contrast of the selector's border against the page, per WCAG's formula."""
    return page.locator(selector).evaluate_all(
        """els => Math.min(...els.map(e => {
            const lum = c => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map(v => {
                v = v / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            const a = lum(getComputedStyle(e).borderTopColor), b = lum('rgb(255, 255, 255)');
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }))"""
    )


def test_staff_form_has_visible_controls_examples_beside_options_and_progress(open_page, live_server, staff_link, screenshot):
    page = open_page(viewport={"width": 1366, "height": 900})
    page.goto(live_server.url + staff_link.path)
    # WCAG 1.4.11: an unticked box or circle at 3:1 or more (it was 1.3:1).
    assert _contrast(page, "input.form-check-input[type=checkbox]:not(:checked)") >= 3
    assert _contrast(page, "input.form-check-input[type=radio]:not(:checked)") >= 3
    html = page.content().lower()
    assert "circle" not in html
    # Appendix V's examples sit with the option they explain.
    emotional = page.locator("fieldset[data-code=ideal_forms] .choice-block[data-option=emotional]")
    assert "just talking" in emotional.inner_text()
    # Every quote of the staff file is shown.
    assert page.locator(".quote").count() == 4
    # Parts with progress.
    assert page.locator("legend .part-number").first.inner_text() == "Part 1 of 6:"
    page.locator("#part-barriers").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert page.locator("[data-role=progress-now]").inner_text().startswith("Part 5 of 6")
    # Branching: how user-led support happens only after "Yes"; a box per ticked option.
    assert page.locator(".survey-question[data-code=user_led_forms]").is_hidden()
    page.get_by_role("group", name="User-led peer support happens").get_by_label("Yes").check()
    assert page.locator(".survey-question[data-code=user_led_forms]").is_visible()
    page.get_by_label("Groups/ meetings are run by patients").check()
    page.get_by_label("What types of groups?").fill("Ward community meeting, chaired by a patient")
    page.get_by_role("group", name="Do you think that peer support offers benefits").get_by_label(
        "There are no different benefits"
    ).check()
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    screenshot(page, "staff-v2")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/thanks/")
    assert "What happens next" in page.locator("main").inner_text()
    _, choices, texts = stored_answers()
    assert choices == {"user_led": {"yes"}, "user_led_forms": {"groups"}, "benefits": {"none"}}
    assert texts == {"user_led_forms_groups_detail": "Ward community meeting, chaired by a patient"}
    assert Response.objects.get().questionnaire.version == 2


def test_are_you_still_there_keeps_the_keyboard_until_answered(open_page, live_server, ward_tablet):
    ward_tablet.idle_seconds = 2
    ward_tablet.save()
    page = open_page(viewport=TABLET)
    start(page, live_server.url + ward_tablet.path)
    current(page, ".choice").first.click()
    page.get_by_role("button", name="Yes, I am still here").wait_for(timeout=8000)
    for key in ("Tab", "Tab", "Shift+Tab", "Tab"):
        page.keyboard.press(key)
        assert page.evaluate("document.activeElement.dataset.action") == "still-here", key
    page.keyboard.press("Enter")
    assert current(page, "input:checked").count() == 1


def test_a_tap_beside_the_skip_question_keeps_the_focus_in_it(open_page, live_server, ward_tablet):
    page = open_page(viewport=TABLET)
    start(page, live_server.url + ward_tablet.path)
    current(page, ".choice").first.click()
    current(page, "[data-action=skip]").click()
    page.mouse.click(5, 5)  # the dimmed page behind
    assert page.evaluate("document.activeElement.dataset.action") == "skip-keep"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "skip-clear"
