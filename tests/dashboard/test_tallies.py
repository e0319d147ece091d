"""The dashboard reads its figures from the tallies alone, and they give exactly the numbers
an independent recount of the released answers gives, after random submissions, purges,
imports and the close of a round; date windows are whole months of release; data.json's
cost stays fixed. (Rebuilding the tallies: tests/surveys/test_tallies_rebuild.py.)"""

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from dashboard.access import Access, access_for
from dashboard.queries import selection_counts
from dashboard.selection import Selection, selection_for
from surveys.imports import responses_import
from surveys.models import ChoiceAnswer, Option, Period, Question, Release, Response, Service, Tally
from surveys.releases import releases_close
from surveys.services import responses_purge
from surveys.tallies import EVERYONE, month_start, next_month, tallies_differences
from tests.factories import lead, service, submit_randomly, tally_services

PARTNERSHIP = Access("someone", "partnership_lead", True, frozenset(), False)


@given(
    st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 12, 31))),
    st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 12, 31))),
)
def test_date_windows_are_whole_months_covering_the_days_asked_for(date_from, date_to):
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    selection = selection_for({"date_from": date_from, "date_to": date_to}, PARTNERSHIP)
    if date_from is None:
        assert selection.date_from is None
    else:  # from the first day of its month
        assert selection.date_from == date_from.replace(day=1)
    if date_to is None:
        assert selection.date_to is None
    else:  # to the last day of its month
        assert selection.date_to == next_month(date_to) - timedelta(days=1)
        assert selection.date_to.month == date_to.month and selection.date_to >= date_to
    # Any other days in the same months ask for the same window: two windows a day apart
    # are one window, so they cannot be told apart by differencing.
    same_months = selection_for(
        {
            "date_from": date_from and date_from.replace(day=28 if date_from.day < 15 else 1),
            "date_to": date_to and date_to.replace(day=1 if date_to.day > 15 else 28),
        },
        PARTNERSHIP,
    )
    assert (same_months.date_from, same_months.date_to) == (selection.date_from, selection.date_to)


SELECTIONS = [
    Selection(),
    Selection(services=("A",)),
    Selection(services=("A", "C")),
    Selection(security="medium"),
    Selection(specialism="women"),
    Selection(about={"gender": "female"}),
    Selection(about={"age_band": "25_29"}, services=("B",)),
    Selection(about={"time_in_service": "1_4y"}),
    Selection(date_from=date(2026, 2, 1)),
    Selection(date_to=date(2026, 3, 31)),
    Selection(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)),
    Selection(date_from=date(2026, 2, 1), date_to=date(2026, 4, 30), about={"ethnicity": "white_english"}),
    Selection(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), security="low"),
    Selection(date_from=date(2026, 4, 1), about={"gender": "male"}, specialism="learning_disability"),
]


def recount(selection: Selection, access: Access) -> dict:
    """The counts of a selection, in Python, from the Release rows and the answers: what
    `selection_counts` must give, without the tallies or dashboard.queries."""
    specialisms = {}
    for pk, code, security in Service.objects.values_list("pk", "code", "security"):
        specialisms[pk] = (code, security, set(Service.objects.get(pk=pk).specialisms.values_list("specialism", flat=True)))
    questions = {pk: (code, kind) for pk, code, kind in Question.objects.values_list("pk", "code", "kind")}
    options = {pk: (question_id, code) for pk, question_id, code in Option.objects.values_list("pk", "question_id", "code")}
    national_all_time = selection.national and not selection.date_from and not selection.date_to

    def wanted(release: Release) -> bool:
        code, security, service_specialisms = specialisms[release.service_id]
        month = month_start(release.released_on)
        return (
            (national_all_time or not release.pooled)
            and (not selection.services or code in selection.services)
            and (not selection.security or security == selection.security)
            and (not selection.specialism or selection.specialism in service_specialisms)
            and (not selection.date_from or month >= selection.date_from)
            and (not selection.date_to or month <= selection.date_to)
        )

    def among(question: str, code: str) -> set[int]:
        return {pk for pk, (question_id, option) in options.items() if option == code and questions[question_id][0] == question}

    def releases(amongs: set[int]) -> list[Release]:
        found = Release.objects.filter(released_on__isnull=False, among__in=amongs).select_related("response__questionnaire")
        return [release for release in found if wanted(release)]

    about = next(iter(selection.about.items()), None)
    counts = {key: Counter() for key in ("n", "options", "option_keys", "answered", "answered_keys", "by_service", "by_day")}
    services = {}
    for release in releases(among(*about) if about else {EVERYONE}):
        response = release.response
        group, code = response.questionnaire.code, specialisms[release.service_id][0]
        counts["n"][group] += 1
        services.setdefault(group, set()).add(code)
        if not release.pooled:  # a pooled remainder has no month and no service of its own
            counts["by_day"][(month_start(release.released_on), group)] += 1
            if access.may_see_service(code):
                counts["by_service"][(code, group)] += 1
        chosen = ChoiceAnswer.objects.filter(response_id=response.pk).values_list("option_id", flat=True)
        for question_id in {options[option_id][0] for option_id in chosen}:
            key = (group, questions[question_id][0])
            counts["answered"][key] += 1
            counts["answered_keys"][key] += response.rkey
        for option_id in chosen:
            key = (group, questions[options[option_id][0]][0], options[option_id][1])
            counts["options"][key] += 1
            counts["option_keys"][key] += response.rkey
    slices = {}
    if about:
        question = about[0]
        for code in {code for question_id, code in options.values() if questions[question_id][0] == question}:
            for release in releases(among(question, code)):
                sizes = slices.setdefault(release.response.questionnaire.code, Counter())
                sizes[code] += 1
        for release in releases({EVERYONE}):
            slices.setdefault(release.response.questionnaire.code, Counter())[""] += 1
    counts["slices"] = {group: dict(sizes) for group, sizes in slices.items()}
    counts["services"] = {group: len(codes) for group, codes in services.items()}
    return counts


def assert_tallies_match_recount(access: Access) -> None:
    assert tallies_differences() == []
    shown = 0
    for selection in SELECTIONS:
        counts, services = selection_counts(selection, access)
        expected = recount(selection, access)
        assert counts.n == dict(expected["n"]), selection
        assert counts.options == dict(expected["options"]), selection
        assert counts.option_keys == dict(expected["option_keys"]), selection  # the cell keys the noise is drawn by
        assert counts.answered == dict(expected["answered"]), selection
        assert counts.answered_keys == dict(expected["answered_keys"]), selection
        assert sorted(counts.by_service) == sorted((*key, n) for key, n in expected["by_service"].items()), selection
        assert sorted(counts.by_day) == sorted((*key, n) for key, n in expected["by_day"].items()), selection
        assert counts.slices == expected["slices"], selection
        assert {group: len(codes) for group, codes in services.items()} == expected["services"], selection
        shown += bool(counts.n)
    assert shown >= len(SELECTIONS) // 2, "most selections hold released answers"


@pytest.fixture
def services(db):
    return tally_services()


def paper_csv(count: int, *, code: str, on: date) -> bytes:
    lines = ["service,questionnaire,version,submitted_on,useful.yes,useful.no,gender.female,gender.male,fears.trust"]
    for index in range(count):
        useful, gender = ("1,0", "1,0") if index % 2 else ("0,1", "0,1")
        lines.append(f"{code},patient,1,{on},{useful},{gender},{index % 3 == 0:d}")
    return ("\r\n".join(lines) + "\r\n").encode()


def test_tallies_match_a_full_recount_after_random_submissions_purges_imports_and_a_closed_round(services, national_lead):
    rng = random.Random(20261126)
    partnership = access_for(national_lead)
    submit_randomly(rng, services, 160)
    assert Tally.objects.exists()
    assert_tallies_match_recount(partnership)
    lead_of_a = lead("a_lead", "service_lead", ["A"])
    assert_tallies_match_recount(access_for(lead_of_a))  # by_service shows only A

    responses_purge(before=date(2026, 2, 14), service_code="B")
    responses_purge(before=date(2026, 3, 5))
    assert not Response.objects.filter(submitted_on__lt=date(2026, 3, 5)).exists()
    assert_tallies_match_recount(partnership)

    # A paper import of 7 for service D: a batch of 5 is released, 2 wait.
    before = selection_counts(Selection(services=("D",)), partnership)[0].n.get("patient", 0)
    waiting = Release.objects.filter(service__code="D", questionnaire__code="patient", among=EVERYONE, released_on=None).count()
    responses_import(paper_csv(7, code="D", on=date(2026, 5, 30)), today=date(2026, 11, 26))
    after = selection_counts(Selection(services=("D",)), partnership)[0].n["patient"]
    assert after - before == (waiting + 7) // 5 * 5
    assert_tallies_match_recount(partnership)

    closed = releases_close()
    assert closed["pooled"] >= 5 and Tally.objects.filter(period=Period.POOLED).exists()
    assert_tallies_match_recount(partnership)
    assert_tallies_match_recount(access_for(lead_of_a))

    submit_randomly(rng, services + [service("E")], 40, first_day=date(2026, 6, 1))
    responses_purge(before=date(2026, 4, 1), service_code="A")  # pooled answers go too
    assert_tallies_match_recount(partnership)


@pytest.mark.parametrize(
    "selection",
    [
        Selection(about={"gender": "male"}, services=("A",)),
        Selection(about={"gender": "male"}, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)),
        Selection(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)),
        # Once read from the answers (an about-you answer with a window, or a window of days):
        # now whole months of release, read from the tallies like everything else.
        Selection(about={"gender": "male"}, date_from=date(2026, 2, 1)),
        Selection(about={"ethnicity": "white_english"}, security="medium", date_to=date(2026, 3, 31)),
    ],
)
def test_every_selection_is_read_from_the_tallies_in_one_statement(services, national_lead, selection):
    submit_randomly(random.Random(3), services, 40)
    access = access_for(national_lead)
    with CaptureQueriesContext(connection) as captured:
        counts, services_counted = selection_counts(selection, access)
    sql = [query["sql"] for query in captured.captured_queries]
    assert sum("surveys_tally" in query for query in sql) == 1
    assert not any(table in query for query in sql for table in ("surveys_choiceanswer", "surveys_response", "surveys_release"))
    expected = recount(selection, access)
    counted = {group: len(codes) for group, codes in services_counted.items()}
    assert (counts.n, counts.options, counted) == (dict(expected["n"]), dict(expected["options"]), expected["services"])


def test_two_about_you_answers_at_once_are_refused(services, client, national_lead):
    """They would cross two slices released separately, which neither batch rule covers."""
    client.force_login(national_lead)
    reply = client.get("/dashboard/data.json?gender=male&age_band=25_29")
    assert reply.status_code == 400 and "age_band" in reply.json()["errors"]


@pytest.mark.parametrize("query", ["", "?service=A", "?gender=female", "?from=2026-02-03&to=2026-03-30"])
@pytest.mark.parametrize("role", ["partnership_lead", "service_lead"])
def test_data_json_takes_seven_queries_whatever_the_data(services, client, query, role):
    user = lead("someone", role, ["A", "B"] if role == "service_lead" else [])
    client.force_login(user)
    client.get("/dashboard/data.json")  # the questionnaires, cached per process
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/dashboard/data.json{query}").status_code == 200
    submit_randomly(random.Random(5), services + [service("E"), service("F")], 60)
    releases_close()
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/dashboard/data.json{query}").status_code == 200
    # The session, the user with their role, the services, the waves (the filter's
    # choices), the tallies, the day of the latest release, the audit row.
    assert len(small) == len(large) == 7
