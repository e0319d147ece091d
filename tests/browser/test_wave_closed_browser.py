"""A ward tablet whose survey round closes while answers wait in its outbox: the
round's grace period passes with the tablet offline, and when it is back online
the server refuses them (410). The tablet deletes them, tells staff how many, and
keeps nothing anyone wrote."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Response, Wave
from surveys.services import link_create, wave_upsert
from tests.browser.test_collection_browser import TABLET, finish_quickly, wait_for_rows, wait_until, wait_until_kept_offline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTBOX = "peersurvey.outbox.v1"
CACHE = "peersurvey-offline-v2"


def test_answers_queued_offline_after_the_round_closed_are_deleted_and_counted(
    open_page, live_server, chadwick, settings, screenshot
):
    settings.PEERSURVEY_WAVE_GRACE_DAYS = 14
    today = timezone.localdate()
    wave, _ = wave_upsert(
        code="2026-autumn", name="Autumn 2026", opens=today - timedelta(days=30), closes=today + timedelta(days=10)
    )
    tablet = link_create(service=chadwick, group="patient", kiosk=True, label="Tablet, ward 1")
    assert tablet.wave == wave  # the wave open today

    page = open_page(viewport=TABLET)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + tablet.path)
    wait_until_kept_offline(page)

    page.context.set_offline(True)
    finish_quickly(page, "Yes")
    page.locator("[data-action=restart]").click()
    finish_quickly(page, "No")
    assert page.locator("[data-role=queue-text]").inner_text() == "2 waiting to send"
    assert page.evaluate("window.PeerSurveyOutbox.count()") == 2
    assert Response.objects.count() == 0

    # While the tablet is away the round ends: its close and 14 days' grace are past.
    Wave.objects.filter(pk=wave.pk).update(closes=today - timedelta(days=15))

    page.context.set_offline(False)
    reply = page.reload()
    assert reply is not None and reply.status == 410
    assert page.get_by_role("heading", name="This survey has closed").is_visible()
    wait_until(page, f"JSON.parse(localStorage.getItem('{OUTBOX}') || '[]').length === 0")
    box = page.locator("[data-role=queue]")
    box.wait_for(state="visible")
    assert box.inner_text().strip() == (
        "2 answers could not be sent because the survey round had closed, so they were deleted from this tablet"
    )
    screenshot(page, "closed-with-deleted-answers")

    # Nothing was stored, and nothing anyone chose is left on the tablet: only the count.
    assert wait_for_rows(1, timeout=2) == 0
    stored = page.evaluate("Object.keys(localStorage).map(k => [k, localStorage.getItem(k)])")
    assert dict(stored).get("peersurvey.outbox.closed") == "2"
    assert all(value in ("[]", "2") for _, value in stored), stored
    # The offline copy of the page goes too: there is no round left to answer into.
    wait_until(page, f"caches.open('{CACHE}').then(c => c.match('{tablet.path}')).then(hit => !hit)")

    # Another reload says the same and sends nothing more.
    page.reload()
    assert box.inner_text().strip().startswith("2 answers could not be sent")
    assert Response.objects.count() == 0
    assert errors == []
