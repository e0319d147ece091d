"""Answers join the figures in batches of at least min_cell (docs/disclosure.md)."""

import uuid
from datetime import date

import pytest
from django.core.management import call_command

from surveys.models import Period, Release, Response, Tally
from surveys.releases import releases_backfill, releases_close
from surveys.tallies import EVERYONE, tallies_differences
from tests.factories import answer, service

WOMAN = {"useful": "yes", "gender": "female"}
MAN = {"useful": "no", "gender": "male"}


def released(service_=None, *, among=EVERYONE):
    rows = Release.objects.filter(among=among, released_on__isnull=False)
    return rows.filter(service=service_).count() if service_ is not None else rows.count()


def counted_responses(service_):
    return sum(Tally.objects.filter(service=service_, kind="r", among=EVERYONE).values_list("n", flat=True))


def test_four_answers_wait_and_the_fifth_releases_all_five_at_once(chadwick):
    for _ in range(4):
        answer(chadwick, "patient", WOMAN)
    assert released(chadwick) == 0 and counted_responses(chadwick) == 0
    answer(chadwick, "patient", WOMAN, on=date(2026, 11, 20))
    assert released(chadwick) == 5 and counted_responses(chadwick) == 5
    # Dated by the newest answer in the batch, and counted in that month.
    assert set(Release.objects.filter(among=EVERYONE).values_list("released_on", flat=True)) == {date(2026, 11, 20)}
    assert set(Tally.objects.values_list("start", flat=True)) == {date(2026, 11, 1)}
    assert tallies_differences() == []


def test_a_batch_is_per_service_and_questionnaire(chadwick, morpeth):
    for _ in range(3):
        answer(chadwick, "patient", WOMAN)
        answer(morpeth, "patient", WOMAN)
        answer(chadwick, "staff", {"useful": "yes"})
    assert released() == 0


def test_a_slice_is_released_in_batches_of_its_own(chadwick):
    for _ in range(3):
        answer(chadwick, "patient", WOMAN)
    for _ in range(2):
        answer(chadwick, "patient", MAN)
    # Five released for everyone; three women and two men wait in their slices.
    assert released(chadwick) == 5
    assert Release.objects.exclude(among=EVERYONE).filter(released_on__isnull=False).count() == 0
    for _ in range(2):
        answer(chadwick, "patient", WOMAN)
    assert released(chadwick) == 5  # the next batch for everyone waits too
    for _ in range(3):
        answer(chadwick, "patient", WOMAN)
    # Ten released; the women's slice now holds eight released women: released.
    assert released(chadwick) == 10
    women = Release.objects.filter(among__gt=0, released_on__isnull=False, response__choices__option__code="female")
    assert women.values("response").distinct().count() == 8
    assert tallies_differences() == []


def test_closing_a_round_pools_small_services_nationally_once_the_pool_holds_five(chadwick, morpeth):
    third = service("T")
    for _ in range(2):
        answer(chadwick, "patient", WOMAN)
        answer(morpeth, "patient", MAN)
    assert releases_close() == {"pooled": 0, "waiting": 4}
    assert not Release.objects.filter(pooled=True, released_on__isnull=False).exists()
    answer(third, "patient", WOMAN)
    assert releases_close() == {"pooled": 5, "waiting": 0}
    assert set(Tally.objects.filter(kind="r", among=EVERYONE).values_list("period", flat=True)) == {Period.POOLED}
    assert tallies_differences() == []


def test_close_round_command_says_what_it_did(chadwick, capsys):
    for _ in range(5):
        answer(chadwick, "staff", {"useful": "yes"})
    answer(chadwick, "patient", WOMAN)
    call_command("close_round")
    out = capsys.readouterr().out
    assert "Pooled 0 answers" in out and "1 still wait" in out


def test_responses_stored_before_releases_existed_are_released_in_the_order_they_came(chadwick):
    for _ in range(7):
        answer(chadwick, "patient", WOMAN)
    Release.objects.all().delete()
    Tally.objects.all().delete()
    assert releases_backfill() == 7
    assert released(chadwick) == 5 and counted_responses(chadwick) == 5
    assert releases_backfill() == 0  # nothing queued twice
    assert tallies_differences() == []


def test_a_replayed_submission_is_queued_once(api, ward_tablet):
    body = {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}}
    assert api.submit(ward_tablet, body).status_code == 201
    assert api.submit(ward_tablet, body).status_code == 200
    assert Release.objects.count() == Response.objects.count() == 1


@pytest.mark.parametrize("version", [1, 3, 5])
def test_a_client_id_that_is_not_random_is_refused(api, ward_tablet, version):
    client_id = {1: uuid.uuid1(), 3: uuid.uuid3(uuid.NAMESPACE_DNS, "ward"), 5: uuid.uuid5(uuid.NAMESPACE_DNS, "ward")}
    reply = api.submit(ward_tablet, {"client_id": str(client_id[version]), "answers": {"useful": "yes"}})
    assert reply.status_code == 400 and "version 4" in reply.json()["errors"]["client_id"][0]
    assert not Response.objects.exists()
