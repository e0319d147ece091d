"""Rebuilding the tallies (surveys.tallies, the rebuild_tallies command): a rebuild gives
what counting as answers arrive gave, and --check finds a tally out of step.
(The dashboard's fast path that reads them: tests/dashboard/test_tallies.py.)"""

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.models import Tally
from surveys.tallies import tallies_rebuild
from tests.factories import submit_randomly, tally_services


@pytest.fixture
def services(db):
    return tally_services()


def test_rebuild_gives_the_same_tallies_as_counting_as_answers_arrive(services):
    submit_randomly(random.Random(7), services, 60)
    kept = sorted(Tally.objects.values_list("service_id", "period", "start", "among", "kind", "ref", "n"))
    Tally.objects.all().delete()
    tallies_rebuild()
    assert sorted(Tally.objects.values_list("service_id", "period", "start", "among", "kind", "ref", "n")) == kept


def test_rebuild_tallies_check_finds_a_tally_out_of_step_and_a_rebuild_mends_it(services):
    submit_randomly(random.Random(11), services, 10)
    out = io.StringIO()
    call_command("rebuild_tallies", "--check", stdout=out)
    assert "match a full recount" in out.getvalue()
    Tally.objects.filter(pk=Tally.objects.order_by("pk").values("pk")[:1]).update(n=999)
    with pytest.raises(CommandError, match="stored 999"):
        call_command("rebuild_tallies", "--check", stdout=io.StringIO())
    call_command("rebuild_tallies", stdout=io.StringIO())
    call_command("rebuild_tallies", "--check", stdout=io.StringIO())
