"""Idempotency under concurrency (docs/contract.md, "JSON submission API"): a tablet that
replays its outbox while the first send is still in flight must store nothing
twice, and a client_id reused with other answers must keep the first.

Each request runs in its own thread with its own database connection; the
threads start together at a `threading.Barrier`. Runs on SQLite (where the
IMMEDIATE transaction mode of settings serialises writers) and on PostgreSQL.

The "forced" variants hold both requests after the existence check in
`response_submit` until both have made it, so the race the IntegrityError
branch is there for certainly happens, rather than only possibly.
"""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.db import connections
from django.test import Client

import surveys.services
from surveys.models import ChoiceAnswer, Response

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5
TIMEOUT = 30


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.PEERSURVEY_LINK_RATE_LIMIT = 10**9


def post(token: str, body: dict):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    return client.post(f"/api/v1/links/{token}/responses", json.dumps(body), content_type="application/json")


def outcome(reply) -> tuple[int, dict | bytes]:
    try:
        return reply.status_code, reply.json()
    except ValueError:
        return reply.status_code, reply.content[:500]


def at_once(token: str, bodies: list[dict]) -> list[tuple[int, dict | bytes]]:
    """Send every body in its own thread, all released together; the replies in order."""
    barrier = threading.Barrier(len(bodies))
    results: list = [None] * len(bodies)
    errors: list = []

    def send(index: int, body: dict) -> None:
        try:
            barrier.wait(TIMEOUT)
            results[index] = outcome(post(token, body))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=send, args=(index, body)) for index, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not errors, errors
    return results


@pytest.fixture
def force_race(monkeypatch):
    """Hold each request after its duplicate check until the other has made its own."""
    held = threading.Barrier(2)
    original = surveys.services.loaded_questionnaire

    def wait_for_the_other(questionnaire_id):
        held.wait(TIMEOUT)
        return original(questionnaire_id)

    monkeypatch.setattr(surveys.services, "loaded_questionnaire", wait_for_the_other)

    def release():
        monkeypatch.setattr(surveys.services, "loaded_questionnaire", original)

    return release


def body(client_id, answers):
    return {"client_id": str(client_id), "answers": answers}


def stored_useful(response_id) -> list[str]:
    return list(
        ChoiceAnswer.objects.filter(response_id=response_id, option__question__code="useful").values_list(
            "option__code", flat=True
        )
    )


def check_same_submission_three_times(token, client_id, release=None):
    payload = body(client_id, {"useful": "yes", "ideal_forms": ["emotional"], "comments": "sent twice at once"})
    together = at_once(token, [payload, payload])
    if release:
        release()
    after = outcome(post(token, payload))
    replies = together + [after]
    assert sorted(status for status, _ in replies) == [200, 200, 201], replies
    assert len({reply["id"] for _, reply in replies}) == 1, replies
    assert sorted(reply["duplicate"] for _, reply in replies) == [False, True, True]
    assert Response.objects.filter(client_id=client_id).count() == 1


def check_same_client_id_other_answers(token, client_id, release=None):
    first = body(client_id, {"useful": "yes"})
    second = body(client_id, {"useful": "no"})
    replies = at_once(token, [first, second])
    if release:
        release()
    assert sorted(status for status, _ in replies) == [201, 409], replies
    winner = first if replies[0][0] == 201 else second
    loser = second if winner is first else first
    response = Response.objects.get(client_id=client_id)
    created = next(reply for status, reply in replies if status == 201)
    assert str(response.id) == created["id"]
    assert stored_useful(response.id) == [winner["answers"]["useful"]]
    conflict = next(reply for status, reply in replies if status == 409)
    assert "client_id" in conflict["errors"]
    # The loser sent again later: still 409; the original still unchanged.
    assert post(token, loser).status_code == 409
    assert post(token, winner).status_code == 200
    assert Response.objects.filter(client_id=client_id).count() == 1
    assert stored_useful(response.id) == [winner["answers"]["useful"]]


def test_the_same_submission_twice_at_once_and_once_after_is_stored_once(ward_tablet):
    for _ in range(ROUNDS):
        check_same_submission_three_times(ward_tablet.token, uuid.uuid4())
    assert Response.objects.count() == ROUNDS


def test_the_same_client_id_with_other_answers_at_once_keeps_the_first(ward_tablet):
    for _ in range(ROUNDS):
        check_same_client_id_other_answers(ward_tablet.token, uuid.uuid4())
    assert Response.objects.count() == ROUNDS


def test_forced_race_same_submission(ward_tablet, force_race):
    check_same_submission_three_times(ward_tablet.token, uuid.uuid4(), release=force_race)


def test_forced_race_same_client_id_other_answers(ward_tablet, force_race):
    check_same_client_id_other_answers(ward_tablet.token, uuid.uuid4(), release=force_race)
