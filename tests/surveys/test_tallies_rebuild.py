"""Rebuilding the tallies (surveys.tallies, the rebuild_tallies command): a rebuild gives
what counting as batches are released gave, and --check finds a tally out of step.
(The dashboard's reading of them: tests/dashboard/test_tallies.py.)"""

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.models import Period, Tally
from surveys.releases import releases_close
from surveys.tallies import EVERYONE, tallies_differences, tallies_rebuild
from tests.factories import submit_randomly, tally_services


@pytest.fixture
def services(db):
    return tally_services()


def stored():
    return sorted(Tally.objects.values_list("service_id", "period", "start", "among", "kind", "ref", "n", "k"))


def test_rebuild_gives_the_same_tallies_as_counting_as_answers_arrive(services):
    submit_randomly(random.Random(7), services, 160)
    releases_close()  # the remainders, pooled nationally
    kept = stored()
    # Every kind of row is there to rebuild: released months, the national pool, and slices.
    assert {row[1] for row in kept} == {Period.MONTH, Period.POOLED}
    assert any(row[3] != EVERYONE for row in kept) and any(row[3] == EVERYONE for row in kept)
    Tally.objects.all().delete()
    tallies_rebuild()
    assert stored() == kept
    assert tallies_differences() == []


def test_rebuild_tallies_check_finds_a_tally_out_of_step_and_a_rebuild_mends_it(services):
    submit_randomly(random.Random(11), services, 30)
    assert Tally.objects.exists(), "some batches of 5 were released"
    out = io.StringIO()
    call_command("rebuild_tallies", "--check", stdout=out)
    assert "match a full recount" in out.getvalue()
    Tally.objects.filter(pk=Tally.objects.order_by("pk").values("pk")[:1]).update(n=999)
    with pytest.raises(CommandError, match=r"stored \(999, "):
        call_command("rebuild_tallies", "--check", stdout=io.StringIO())
    call_command("rebuild_tallies", stdout=io.StringIO())
    call_command("rebuild_tallies", "--check", stdout=io.StringIO())
    # A cell key out of step is found too: the perturbation depends on it.
    Tally.objects.filter(pk=Tally.objects.order_by("pk").values("pk")[:1]).update(k=-1)
    with pytest.raises(CommandError, match="differ from a full recount"):
        call_command("rebuild_tallies", "--check", stdout=io.StringIO())
    call_command("rebuild_tallies", stdout=io.StringIO())
    assert tallies_differences() == []
