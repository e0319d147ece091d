"""The dashboard's fast path (tallies) gives exactly the numbers a full recount gives,
after random submissions, purges and imports; and data.json's cost stays fixed.
(Rebuilding the tallies: tests/surveys/test_tallies_rebuild.py.)"""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

import dashboard.queries
import dashboard.stats
import surveys.tallies
from dashboard.access import access_for
from dashboard.queries import answer_counts, date_windows, tallied, tally_counts
from dashboard.selection import Selection
from dashboard.stats import _by_month
from surveys.imports import responses_import
from surveys.models import Response, Tally
from surveys.services import responses_purge
from surveys.tallies import tallies_differences
from tests.factories import lead, service, submit_randomly, tally_services


@given(
    st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 12, 31))),
    st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 12, 31))),
)
def test_date_windows_cover_exactly_the_days_asked_for(date_from, date_to):
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    lowest, highest = date(2024, 1, 1), date(2028, 12, 31)
    covered = []
    for period, first, end in date_windows(date_from, date_to):
        day = first or lowest
        while day <= (end - timedelta(days=1) if end else highest):
            if period == "d":
                covered.append(day)
                day += timedelta(days=1)
            else:
                assert day.day == 1, "month rows start on the first"
                month_end = surveys.tallies.next_month(day)
                covered.extend(day + timedelta(days=offset) for offset in range((month_end - day).days))
                day = month_end
    wanted = [lowest + timedelta(days=offset) for offset in range((highest - lowest).days + 1)]
    wanted = [day for day in wanted if (not date_from or day >= date_from) and (not date_to or day <= date_to)]
    assert sorted(covered) == wanted  # no day missing, none twice


SELECTIONS = [
    Selection(),
    Selection(services=("A",)),
    Selection(services=("A", "C")),
    Selection(security="medium"),
    Selection(specialism="women"),
    Selection(about={"gender": "female"}),
    Selection(about={"age_band": "25_34"}, services=("B",)),
    Selection(about={"time_in_service": "1_2y"}),
    Selection(date_from=date(2026, 2, 10)),
    Selection(date_to=date(2026, 3, 31)),
    Selection(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)),
    Selection(date_from=date(2026, 2, 1), date_to=date(2026, 4, 30), about={"ethnicity": "white_english"}),
    Selection(date_from=date(2026, 3, 3), date_to=date(2026, 3, 9), security="low"),
]


def assert_fast_path_matches_recount(access):
    assert tallies_differences() == []
    for selection in SELECTIONS:
        assert tallied(selection)
        fast, fast_services = tally_counts(selection, access)
        slow, slow_services = answer_counts(selection, access)
        assert fast.n == slow.n, selection
        assert fast.options == slow.options, selection
        assert fast.answered == {key: value for key, value in slow.answered.items() if value}, selection
        assert sorted(fast.by_service) == sorted(slow.by_service), selection
        assert _by_month(fast.by_day, 1) == _by_month(slow.by_day, 1), selection
        assert fast_services == slow_services, selection


@pytest.fixture
def services(db):
    return tally_services()


def test_tallies_match_a_full_recount_after_random_submissions_purges_and_imports(services, client, national_lead):
    rng = random.Random(20261126)
    partnership = access_for(national_lead)
    submit_randomly(rng, services, 160)
    assert Tally.objects.exists()
    assert_fast_path_matches_recount(partnership)
    lead_of_a = lead("a_lead", "service_lead", ["A"])
    client.force_login(lead_of_a)
    assert_fast_path_matches_recount(access_for(lead_of_a))  # by_service shows only A

    responses_purge(before=date(2026, 2, 14), service_code="B")
    responses_purge(before=date(2026, 3, 5))
    assert not Response.objects.filter(submitted_on__lt=date(2026, 3, 5)).exists()
    assert_fast_path_matches_recount(partnership)

    client.force_login(national_lead)
    exported = b"".join(client.get("/dashboard/export/responses.csv").streaming_content)
    before = tally_counts(Selection(), partnership)[0]
    responses_purge(before=date(2026, 11, 1))
    assert tally_counts(Selection(), partnership)[0].n == {}
    responses_import(exported, today=date(2026, 11, 26))
    assert tally_counts(Selection(), partnership)[0].n == before.n
    submit_randomly(rng, services, 40)
    assert_fast_path_matches_recount(partnership)


@pytest.mark.parametrize(
    "selection, fast",
    [
        (Selection(about={"gender": "male"}, services=("A",)), True),
        (Selection(about={"gender": "male"}, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)), True),
        (Selection(date_from=date(2026, 2, 3), date_to=date(2026, 2, 17)), True),
        (Selection(about={"gender": "male", "age_band": "25_34"}), False),
        (Selection(about={"gender": "male"}, date_from=date(2026, 2, 3)), False),
    ],
)
def test_the_fast_path_is_used_for_what_the_tallies_hold(services, national_lead, selection, fast):
    submit_randomly(random.Random(3), services, 40)
    access = access_for(national_lead)
    with CaptureQueriesContext(connection) as captured:
        counts, services_counted = dashboard.queries.selection_counts(selection, access)
    used_tallies = any("surveys_tally" in query["sql"] for query in captured.captured_queries)
    assert used_tallies == fast
    slow, slow_services = answer_counts(selection, access)
    assert (counts.n, counts.options, services_counted) == (slow.n, slow.options, slow_services)


@pytest.mark.parametrize("query", ["", "?service=A", "?gender=female", "?from=2026-02-03&to=2026-03-30"])
@pytest.mark.parametrize("role", ["partnership_lead", "service_lead"])
def test_data_json_takes_at_most_five_queries_whatever_the_data(services, client, query, role):
    user = lead("someone", role, ["A", "B"] if role == "service_lead" else [])
    client.force_login(user)
    client.get("/dashboard/data.json")  # the questionnaires, cached per process
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/dashboard/data.json{query}").status_code == 200
    submit_randomly(random.Random(5), services + [service("E"), service("F")], 60)
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/dashboard/data.json{query}").status_code == 200
    # The session, the user with their role, the services, the tallies, the audit row.
    assert len(small) == len(large) <= 5
