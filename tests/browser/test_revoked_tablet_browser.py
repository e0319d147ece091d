"""A ward tablet's outbox is bounded: answers queued for a link that is then
withdrawn (`revoke_link`) are deleted as soon as the server says so, and no
answer waits on a tablet longer than PEERSURVEY_OUTBOX_MAX_DAYS. Either way
staff see how many went and why, and nothing anyone wrote stays behind."""

import json
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from surveys.models import Response
from surveys.services import link_revoke
from tests.browser.test_collection_browser import TABLET, finish_quickly, wait_for_rows, wait_until, wait_until_kept_offline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTBOX = "peersurvey.outbox.v1"
CACHE = "peersurvey-offline-v2"
EMPTY_OUTBOX = f"JSON.parse(localStorage.getItem('{OUTBOX}') || '[]').length === 0"


def test_answers_queued_for_a_withdrawn_link_are_deleted_and_counted(open_page, live_server, ward_tablet, screenshot):
    page = open_page(viewport=TABLET)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + ward_tablet.path)
    wait_until_kept_offline(page)

    page.context.set_offline(True)
    finish_quickly(page, "Yes")
    page.locator("[data-action=restart]").click()
    finish_quickly(page, "No")
    page.locator("[data-action=restart]").click()
    assert page.locator("[data-role=queue-text]").inner_text() == "2 waiting to send"

    # While the tablet is away its link is withdrawn (manage.py revoke_link).
    link_revoke(token=ward_tablet.token)

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, EMPTY_OUTBOX)
    notice = page.locator("[data-role=withdrawn]")
    notice.wait_for(state="visible")
    assert notice.get_by_role("heading").inner_text() == "This tablet's survey link was withdrawn"
    assert notice.locator("[data-role=withdrawn-text]").inner_text() == (
        "2 answers on this tablet could not be sent because this tablet's link was withdrawn. "
        "They have been deleted. Ask your survey lead for a new link."
    )
    # In place of the questionnaire: no one can answer into a withdrawn link.
    assert not page.locator("#survey").is_visible()
    assert not page.get_by_role("button", name="Start").is_visible()
    page.mouse.move(0, 0)
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    screenshot(page, "withdrawn-notice")

    # Nothing was stored, and nothing anyone chose is left on the tablet.
    assert wait_for_rows(1, timeout=2) == 0
    stored = dict(page.evaluate("Object.keys(localStorage).map(k => [k, localStorage.getItem(k)])"))
    assert stored[OUTBOX] == "[]"
    assert all("answers" not in value and "useful" not in value for value in stored.values()), stored
    # The offline copy of the page goes too: offline, the tablet cannot reopen it.
    wait_until(page, f"caches.open('{CACHE}').then(c => c.match('{ward_tablet.path}')).then(hit => !hit)")
    assert Response.objects.count() == 0
    assert errors == []


def test_an_answer_queued_too_long_ago_is_deleted_and_counted_and_a_fresh_one_is_sent(
    open_page, live_server, ward_tablet, settings, screenshot
):
    settings.PEERSURVEY_OUTBOX_MAX_DAYS = 30
    today = timezone.localdate()
    api = f"/api/v1/links/{ward_tablet.token}/responses"
    old = {
        "api": api,
        "client_id": "0b0f3a52-2f1c-4d8e-9a57-0c7d5cf1a001",
        "answers": {"useful": "no"},
        "tries": 40,
        "queued": f"{today - timedelta(days=31):%Y-%m-%d}",
    }
    fresh = {
        "api": api,
        "client_id": "0b0f3a52-2f1c-4d8e-9a57-0c7d5cf1a002",
        "answers": {"useful": "yes"},
        "tries": 0,
        "queued": f"{today - timedelta(days=30):%Y-%m-%d}",
    }
    page = open_page(viewport=TABLET)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The two answers are on the tablet before its page loads.
    page.add_init_script(
        f"if (!sessionStorage.getItem('seeded')) {{ sessionStorage.setItem('seeded', '1');"
        f" localStorage.setItem('{OUTBOX}', {json.dumps(json.dumps([old, fresh]))}); }}"
    )
    page.goto(live_server.url + ward_tablet.path)

    assert wait_for_rows(1) == 1
    wait_until(page, EMPTY_OUTBOX)
    assert str(Response.objects.get().client_id) == fresh["client_id"]
    box = page.locator("[data-role=queue]")
    box.wait_for(state="visible")
    assert box.inner_text().strip() == "1 answer waited more than 30 days to be sent, so it was deleted from this tablet"
    assert page.get_by_role("button", name="Start").is_visible()
    screenshot(page, "expired-deleted")

    # Another load says the same and sends nothing more; nothing anyone chose is kept.
    page.reload()
    box.wait_for(state="visible")
    assert box.inner_text().strip().startswith("1 answer waited more than 30 days")
    stored = dict(page.evaluate("Object.keys(localStorage).map(k => [k, localStorage.getItem(k)])"))
    assert stored[OUTBOX] == "[]"
    assert all("useful" not in value for value in stored.values()), stored
    assert wait_for_rows(2, timeout=2) == 1
    assert errors == []


def test_a_tablet_restarted_online_after_its_link_was_withdrawn_deletes_what_it_held(open_page, live_server, ward_tablet):
    api = f"/api/v1/links/{ward_tablet.token}/responses"
    queued = [
        {"api": api, "client_id": f"0b0f3a52-2f1c-4d8e-9a57-0c7d5cf1a00{n}", "answers": {"useful": "yes"}, "tries": 3}
        for n in (1, 2, 3)
    ]
    link_revoke(token=ward_tablet.token)
    page = open_page(viewport=TABLET)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(
        f"if (!sessionStorage.getItem('seeded')) {{ sessionStorage.setItem('seeded', '1');"
        f" localStorage.setItem('{OUTBOX}', {json.dumps(json.dumps(queued))}); }}"
    )
    # No offline copy is left to open (it went with the link): the server's page says why.
    reply = page.goto(live_server.url + ward_tablet.path)
    assert reply is not None and reply.status == 404
    assert page.get_by_role("heading", name="This tablet's survey link was withdrawn").is_visible()
    wait_until(page, EMPTY_OUTBOX)
    box = page.locator("[data-role=queue]")
    box.wait_for(state="visible")
    assert box.inner_text().strip() == (
        "3 answers could not be sent because their link was withdrawn, so they were deleted from this tablet"
    )
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    stored = dict(page.evaluate("Object.keys(localStorage).map(k => [k, localStorage.getItem(k)])"))
    assert all("useful" not in value for value in stored.values()), stored
    assert Response.objects.count() == 0
    assert errors == []
