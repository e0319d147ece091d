"""The fuzzer of scripts/fuzz.py, small enough for every run of the suite:
300 hostile and 50 valid submissions through the JSON API, interleaved."""

import pytest

from surveys.selectors import latest_loaded
from surveys.services import link_create, link_revoke
from tests.fuzzing import HOSTILE, Link, run_fuzz


@pytest.fixture
def links(chadwick, settings):
    # The fuzzer sends far more than a ward would in a minute.
    settings.PEERSURVEY_LINK_RATE_LIMIT = 10**9
    revoked = link_create(service=chadwick, group="staff")
    link_revoke(token=revoked.token)
    staff = link_create(service=chadwick, group="staff")
    patient = link_create(service=chadwick, group="patient", kiosk=True)
    return [
        Link(staff.token, latest_loaded("staff").definition),
        Link(patient.token, latest_loaded("patient").definition),
    ], revoked.token


# Every kind of hostile body runs on every database (a NUL in the token used to be a
# 500 on PostgreSQL; tokens are now checked before any query).
SKIP = ()


@pytest.mark.parametrize("seed", [1, 2])
def test_hostile_submissions_store_nothing_and_valid_ones_are_stored_as_sent(client, links, seed):
    targets, revoked = links
    report = run_fuzz(client, targets, hostile=300, valid=50, seed=seed, revoked_token=revoked, skip_kinds=SKIP)
    assert report.ok, "\n" + report.table()
    assert report.sent == 350
    # Every kind of hostile body came up at least once.
    assert len(report.kinds) == len(HOSTILE) - len(SKIP), sorted(report.kinds)


def test_an_empty_string_skips_a_many_choice_question_as_documented(api, staff_link, settings):
    settings.PEERSURVEY_LINK_RATE_LIMIT = 10**9
    reply = api.submit(
        staff_link, {"client_id": "8b0d3a52-6f1e-4b43-9a53-2b8f7c1d9e10", "answers": {"useful": "yes", "fears": ""}}
    )
    assert reply.status_code == 201
