"""A link's rate limit counts valid submissions only (docs/contract.md, "JSON submission
API"): whoever holds a tablet's link cannot block it with submissions that store nothing;
valid ones are still limited, atomically, with 429 and Retry-After."""

from __future__ import annotations

import json
import threading
import types
import uuid

import pytest
from django.db import connections
from django.test import Client

from surveys import ratelimit
from surveys.models import Response

LIMIT = 5


@pytest.fixture(autouse=True)
def one_window(monkeypatch, settings):
    """Every request of a test in one rate-limit window (a test that crossed a minute
    would find its allowance back), the limit at 5."""
    settings.PEERSURVEY_LINK_RATE_LIMIT = LIMIT
    frozen = (ratelimit.time.time() // ratelimit.WINDOW_SECONDS) * ratelimit.WINDOW_SECONDS + 1
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: frozen))


def valid():
    return {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}}


def invalid_bodies(settings):
    """Fifty submissions the API refuses, of every kind: each stores nothing."""
    kinds = [
        ("{not json", "application/json"),
        (json.dumps(valid()), "text/plain"),
        (json.dumps({"client_id": str(uuid.uuid4()), "answers": {"useful": "perhaps"}}), "application/json"),
        (json.dumps({"client_id": str(uuid.uuid4()), "answers": {"nope": "yes"}}), "application/json"),
        (json.dumps({"client_id": str(uuid.uuid1()), "answers": {"useful": "yes"}}), "application/json"),
        (json.dumps({"client_id": str(uuid.uuid4()), "answers": {}}), "application/json"),
        (json.dumps({"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}, "extra": 1}), "application/json"),
        (json.dumps([1, 2]), "application/json"),
        (json.dumps(valid() | {"answers": {"comments": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}}), "application/json"),
        ("", "application/json"),
    ]
    return [kinds[index % len(kinds)] for index in range(50)]


def test_fifty_invalid_api_submissions_leave_a_valid_one_its_place(api, ward_tablet, settings):
    statuses = {api.submit(ward_tablet, body, content_type=kind).status_code for body, kind in invalid_bodies(settings)}
    assert statuses == {400, 413}
    assert Response.objects.count() == 0
    assert api.submit(ward_tablet, valid()).status_code == 201
    assert Response.objects.count() == 1


def test_fifty_invalid_form_posts_leave_a_valid_one_its_place(client, staff_link):
    for index in range(50):
        reply = client.post(staff_link.path, {"useful": "perhaps" if index % 2 else "", "comments": "x" * (index % 3) * 2001})
        assert reply.status_code == 200, reply.status_code  # the page again, with its errors
    assert Response.objects.count() == 0
    reply = client.post(staff_link.path, {"useful": "yes"})
    assert reply.status_code == 302 and reply["Location"].endswith("/thanks/")
    assert Response.objects.count() == 1


def test_the_api_refuses_the_sixth_valid_submission_with_429_and_retry_after(api, ward_tablet):
    assert [api.submit(ward_tablet, valid()).status_code for _ in range(LIMIT)] == [201] * LIMIT
    reply = api.submit(ward_tablet, valid())
    assert reply.status_code == 429
    assert reply.json() == {"errors": {"link": ["Too many submissions from this link just now; try again shortly."]}}
    assert reply["Retry-After"] == str(ratelimit.WINDOW_SECONDS - 1)
    assert Response.objects.count() == LIMIT
    # Refused while over the limit, an invalid one still hears what is wrong with it.
    assert api.submit(ward_tablet, {"client_id": "x", "answers": {"useful": "yes"}}).status_code == 400


def test_the_form_refuses_the_sixth_valid_submission_with_429_and_retry_after(client, staff_link):
    assert [client.post(staff_link.path, {"useful": "yes"}).status_code for _ in range(LIMIT)] == [302] * LIMIT
    reply = client.post(staff_link.path, {"useful": "yes"})
    assert reply.status_code == 429
    assert reply["Retry-After"] == str(ratelimit.WINDOW_SECONDS - 1)
    assert Response.objects.count() == LIMIT


@pytest.mark.django_db(transaction=True)
def test_valid_submissions_sent_together_at_the_limit_are_counted_once_each(ward_tablet):
    """Twelve valid submissions at once with room for 5: exactly 5 are stored, the rest hear 429."""
    barrier = threading.Barrier(12)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            body = json.dumps(valid())
            barrier.wait(30)
            reply = Client().post(f"/api/v1/links/{ward_tablet.token}/responses", body, content_type="application/json")
            statuses.append(reply.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(statuses) == [201] * LIMIT + [429] * (12 - LIMIT)
    assert Response.objects.count() == LIMIT
