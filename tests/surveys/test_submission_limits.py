"""Submission limits (docs/contract.md, "JSON submission API"): a flooding link gets 429 while
others are served, an honest tablet's queue is not limited, an oversized body gets 413."""

import json
import time
import uuid

from django.core.cache import cache

from surveys.models import Response
from surveys.ratelimit import WINDOW_SECONDS


def submit(api, link):
    return api.submit(link, {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}})


def start_early_in_a_window():
    """The limit counts per whole minute: begin with time to spare in one, so the
    requests below all fall in it (a test that crossed the minute got 201 again)."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < 20:
        time.sleep(left + 0.5)


def test_a_flooding_link_gets_429_while_another_link_is_served(api, ward_tablet, patient_link, settings):
    cache.clear()
    start_early_in_a_window()
    settings.PEERSURVEY_LINK_RATE_LIMIT = 5
    statuses = [submit(api, ward_tablet).status_code for _ in range(8)]
    assert statuses == [201] * 5 + [429] * 3
    reply = submit(api, ward_tablet)
    assert reply.status_code == 429 and 0 < int(reply["Retry-After"]) <= 60
    assert submit(api, patient_link).status_code == 201
    assert Response.objects.count() == 6


def test_an_honest_tablet_flushing_100_queued_answers_is_not_limited(api, ward_tablet):
    cache.clear()
    assert {submit(api, ward_tablet).status_code for _ in range(100)} == {201}
    assert Response.objects.count() == 100


def test_an_oversized_body_gets_413_and_stores_nothing(api, ward_tablet, settings):
    big = json.dumps({"client_id": str(uuid.uuid4()), "answers": {"comments": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}})
    reply = api.submit(ward_tablet, big)
    assert reply.status_code == 413
    assert reply.json()["errors"]["body"]
    assert Response.objects.count() == 0
