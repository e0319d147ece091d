"""POST /api/v1/links/<token>/responses, exactly as docs/contract.md says."""

import json
import uuid
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.models import ChoiceAnswer, Response, TextAnswer
from surveys.services import link_create, link_revoke

ANSWERS = {"useful": "yes", "ideal_forms": ["emotional", "practical"], "useful_why": "we understand each other"}


def body(client_id=None, answers=ANSWERS):
    return {"client_id": str(client_id or uuid.uuid4()), "answers": answers}


def test_201_stores_the_response_for_the_links_service(api, ward_tablet):
    client_id = uuid.uuid4()
    reply = api.submit(ward_tablet, body(client_id))
    assert reply.status_code == 201
    assert reply.json()["duplicate"] is False
    response = Response.objects.get(id=reply.json()["id"])
    assert (response.service.code, response.questionnaire.code, response.questionnaire.version) == ("CL", "patient", 2)
    assert response.channel == "tablet"
    assert response.client_id == client_id
    assert response.number == 1
    chosen = sorted(ChoiceAnswer.objects.filter(response=response).values_list("option__question__code", "option__code"))
    assert chosen == [("ideal_forms", "emotional"), ("ideal_forms", "practical"), ("useful", "yes")]
    assert list(TextAnswer.objects.filter(response=response).values_list("question__code", "text")) == [
        ("useful_why", "we understand each other")
    ]


def test_200_duplicate_for_the_same_client_id_and_answers(api, ward_tablet):
    payload = body()
    first = api.submit(ward_tablet, payload)
    # Same answers, keys in another order: still the same submission.
    payload["answers"] = dict(reversed(list(payload["answers"].items())))
    again = api.submit(ward_tablet, payload)
    assert again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "duplicate": True}
    assert Response.objects.count() == 1


def test_409_for_the_same_client_id_with_other_answers_keeps_the_original(api, ward_tablet):
    client_id = uuid.uuid4()
    first = api.submit(ward_tablet, body(client_id))
    reply = api.submit(ward_tablet, body(client_id, {"useful": "no"}))
    assert reply.status_code == 409
    assert "client_id" in reply.json()["errors"]
    response = Response.objects.get()
    assert str(response.id) == first.json()["id"]
    assert ChoiceAnswer.objects.get(response=response, option__question__code="useful").option.code == "yes"


def test_same_client_id_on_another_link_is_another_response(api, ward_tablet, patient_link):
    client_id = uuid.uuid4()
    assert api.submit(ward_tablet, body(client_id)).status_code == 201
    assert api.submit(patient_link, body(client_id)).status_code == 201
    assert sorted(Response.objects.values_list("channel", "number")) == [("tablet", 1), ("web", 2)]


def test_400_names_every_bad_field_and_stores_nothing(api, staff_link):
    reply = api.submit(staff_link, body(answers={"useful": "perhaps", "time_in_service": "lt_1y", "fears": "trust"}))
    assert reply.status_code == 400
    assert set(reply.json()["errors"]) == {"useful", "time_in_service", "fears"}
    assert Response.objects.count() == 0


def test_400_for_a_submission_with_no_answers(api, ward_tablet):
    reply = api.submit(ward_tablet, body(answers={"useful": None, "comments": ""}))
    assert reply.status_code == 400
    assert reply.json()["errors"] == {"answers": ["No answers were given. Answer at least one question, or skip the survey."]}
    assert Response.objects.count() == 0


def test_400_for_over_long_text(api, staff_link):
    reply = api.submit(staff_link, body(answers={"comments": "x" * 2001}))
    assert reply.status_code == 400
    assert "at most 2000" in reply.json()["errors"]["comments"][0]


def test_400_for_a_body_that_is_not_json(api, ward_tablet):
    for raw in (b"{not json", b"\xff\xfe\x00", b""):
        reply = api.submit(ward_tablet, raw)
        assert reply.status_code == 400, raw
        assert reply.json()["errors"]["body"]
    assert api.submit(ward_tablet, "useful=yes", content_type="application/x-www-form-urlencoded").status_code == 400
    assert Response.objects.count() == 0


def test_404_for_unknown_and_revoked_tokens(api, ward_tablet):
    reply = api.submit("no-such-token", body())
    assert reply.status_code == 404
    assert list(reply.json()["errors"]) == ["token"]
    link_revoke(token=ward_tablet.token)
    reply = api.submit(ward_tablet, body())
    assert reply.status_code == 404
    # Said apart from an unknown token: a tablet deletes what it queued for a withdrawn link.
    assert reply.json() == {"errors": {"link": ["This survey link has been withdrawn; it takes no more answers."]}}
    assert Response.objects.count() == 0


def test_only_post_is_allowed(api, ward_tablet):
    assert api.client.get(f"/api/v1/links/{ward_tablet.token}/responses").status_code == 405


def test_running_numbers_count_up_within_each_service(api, ward_tablet, morpeth):
    morpeth_link = link_create(service=morpeth, group="staff")
    for _ in range(3):
        api.submit(ward_tablet, body())
    api.submit(morpeth_link, body(answers={"useful": "yes"}))
    numbers = sorted(Response.objects.values_list("service__code", "number"))
    assert numbers == [("CL", 1), ("CL", 2), ("CL", 3), ("M", 1)]


@pytest.mark.parametrize(
    "target, error",
    [
        # The connection breaks after the response row is written, inside the transaction.
        ("surveys.services._store_answers", OperationalError("server closed the connection unexpectedly")),
        # The database is already away when the request arrives.
        ("surveys.api.active_link", OperationalError("connection refused")),
        ("surveys.api.rate_limit_take", InterfaceError("connection already closed")),
    ],
)
def test_503_with_retry_after_while_the_database_is_away_and_nothing_stored(api, ward_tablet, target, error):
    payload = body()
    with mock.patch(target, side_effect=error):
        reply = api.submit(ward_tablet, payload)
    assert reply.status_code == 503
    assert int(reply["Retry-After"]) > 0
    assert reply.json() == {"errors": {"service": ["The service is busy; please try again shortly."]}}
    assert Response.objects.count() == 0
    assert ChoiceAnswer.objects.count() == 0 and TextAnswer.objects.count() == 0
    # The tablet sends the same submission again once the database is back: stored once.
    assert api.submit(ward_tablet, payload).status_code == 201
    assert api.submit(ward_tablet, payload).status_code == 200
    assert Response.objects.count() == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
question_codes = st.sampled_from(["useful", "ideal_forms", "comments", "benefits", "gender", "nope", "", "useful_why"])
hostile_answers = st.one_of(
    json_values,
    st.dictionaries(question_codes, json_values, max_size=5),
    st.dictionaries(question_codes, st.lists(st.text(max_size=20), max_size=6), min_size=1, max_size=3),
    st.fixed_dictionaries({"comments": st.text(min_size=2001, max_size=2100)}),
    st.fixed_dictionaries({"useful": st.sampled_from(["YES", "yes ", " no", "Sometimes", "maybe"])}),
)
hostile_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"client_id": st.one_of(st.uuids().map(str), json_values), "answers": hostile_answers}),
    st.fixed_dictionaries({"answers": hostile_answers}),
    st.fixed_dictionaries({"client_id": st.uuids().map(str)}),
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=hostile_bodies)
def test_malformed_payloads_never_500_and_store_nothing(api, staff_link, payload):
    reply = api.submit(staff_link, json.dumps(payload))
    if reply.status_code == 201:
        # A rare generated body can be valid; it must then really be valid.
        assert set(payload["answers"]) <= {"useful", "ideal_forms", "comments", "benefits", "gender", "useful_why"}
        Response.objects.all().delete()
        return
    assert reply.status_code == 400, (reply.status_code, payload)
    assert reply.json()["errors"]
    assert Response.objects.count() == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_raw_bytes_never_500(api, staff_link, raw):
    reply = api.submit(staff_link, raw)
    assert reply.status_code in (400, 201)
    if reply.status_code == 400:
        assert Response.objects.count() == 0
    else:
        Response.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_api_needs_no_csrf_cookie_or_session(api, ward_tablet):
    reply = api.submit(ward_tablet, body())
    assert reply.status_code == 201
    assert "Set-Cookie" not in reply.headers and not reply.cookies
