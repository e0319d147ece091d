"""The dashboard's data: data.json against independent counts, filters, suppression,
access and a query count that does not grow."""

import csv
import dataclasses
import io
import itertools
from collections import Counter
from datetime import date
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.release import complement_safe
from dashboard.stats import pct
from surveys.definitions import QUESTIONNAIRE_DIR, load_file
from surveys.models import ChoiceAnswer, Option, Release
from surveys.questionnaire_sync import questionnaires_sync
from surveys.releases import releases_close
from surveys.tallies import EVERYONE, month_start
from tests.factories import DASHBOARD_URLS, answer, service

SEP, OCT, NOV = date(2026, 9, 5), date(2026, 10, 12), date(2026, 11, 20)
# The day of each answer, per service and group, in the order they are given. Answers are
# released to the figures in batches of 5 per service and group, dated by the batch's newest
# answer; the rest wait (surveys/releases.py).
DAYS = {
    ("CL", "patient"): [SEP] * 5 + [OCT] * 5 + [NOV] * 2,  # released: 5 in September, 5 in October; 2 wait
    ("CL", "staff"): [SEP] * 5 + [NOV],  # 5 in September; 1 waits
    ("M", "patient"): [OCT] * 5 + [NOV] * 4,  # 5 in October; 4 wait
    ("M", "staff"): [SEP] * 3 + [NOV] * 2,  # answered from September, released in November
    ("SAN", "patient"): [SEP] * 3 + [OCT] * 2 + [NOV] * 9,  # 5 in October (3 answered in September), 5 in November; 4 wait
    ("SAN", "staff"): [OCT] * 5 + [NOV] * 2,  # 5 in October; 2 wait
}


@pytest.fixture
def survey(chadwick):
    """Three services: CL (low, women), M (medium), SAN (medium, adolescent); 35 patients
    and 18 staff, of whom 25 and 15 are released (DAYS)."""
    services = {
        "CL": chadwick,
        "M": service("M", security="medium"),
        "SAN": service("SAN", security="medium", specialisms=["adolescent"]),
    }
    # Fresh cycles per test, so every test meets the same answers whatever ran before.
    useful = itertools.cycle(["yes", "yes", "sometimes", "no", None])
    genders = itertools.cycle(["female", "male", "male", "non_binary"])
    ages = itertools.cycle(["25_29", "40_44", "65_plus"])
    times = itertools.cycle(["lt_1y", "1_4y", "10y_plus"])
    for code in services:
        for day in DAYS[(code, "patient")]:
            answers = {
                "gender": next(genders),
                "age_band": next(ages),
                "time_in_service": next(times),
                "ethnicity": "white_english",
                "fears": ["trust", "confidentiality"],
            }
            chosen = next(useful)
            if chosen:
                answers["useful"] = chosen
            answer(services[code], "patient", answers, on=day)
        for index, day in enumerate(DAYS[(code, "staff")]):
            answer(
                services[code],
                "staff",
                {
                    "useful": "yes" if index % 3 else "sometimes",
                    "gender": next(genders),
                    "age_band": next(ages),
                    "benefits": ["reduces_workload"],
                    "job_title": "Staff nurse",
                },
                on=day,
            )
    return services


def get_json(client, query=""):
    return client.get(f"/dashboard/data.json{query}")


def released(*, among=EVERYONE, national_all_time=False):
    """(response, day released, pooled) for each response released to the figures among
    everyone (or among one about-you option's slice), read from the Release rows:
    independently of the tallies and of dashboard.queries. A pooled remainder counts only
    in the national figures for all time."""
    releases = Release.objects.filter(released_on__isnull=False, among=among)
    if not national_all_time:
        releases = releases.filter(pooled=False)
    return [
        (release.response, release.released_on, release.pooled)
        for release in releases.select_related("response__service", "response__questionnaire")
    ]


def expected_counts(releases):
    """Counted the slow, obvious way: respondents per group, `useful` answers, and
    respondents per month of release (a pooled remainder has no month)."""
    n, useful, months = Counter(), Counter(), Counter()
    for response, day, pooled in releases:
        group = response.questionnaire.code
        n[group] += 1
        if not pooled:
            months[(day.strftime("%Y-%m"), group)] += 1
        for choice in ChoiceAnswer.objects.filter(response=response, option__question__code="useful"):
            useful[(group, choice.option.code)] += 1
    return n, useful, months


def option(data, question, code):
    return next(o for o in next(q for q in data["questions"] if q["code"] == question)["options"] if o["code"] == code)


def in_months(first, last):
    """Released between the first day of `first`'s month and the last of `last`'s (either may be open)."""
    return lambda day: (first is None or day >= month_start(first)) and (last is None or month_start(day) <= month_start(last))


ANY_DAY = in_months(None, None)

# (query, which services, which release days, about-you answer)
FILTERS = [
    ("", lambda s: True, ANY_DAY, None),
    ("?service=CL", lambda s: s.code == "CL", ANY_DAY, None),
    ("?service=CL&service=M", lambda s: s.code in ("CL", "M"), ANY_DAY, None),
    ("?security=medium", lambda s: s.security == "medium", ANY_DAY, None),
    ("?specialism=adolescent", lambda s: s.code == "SAN", ANY_DAY, None),
    ("?from=2026-10-01", lambda s: True, in_months(OCT, None), None),
    ("?to=2026-10-31", lambda s: True, in_months(None, OCT), None),
    ("?from=2026-10-01&to=2026-10-31", lambda s: True, in_months(OCT, OCT), None),
    # Whole months of release: days within a month select the whole month.
    ("?from=2026-10-13&to=2026-10-14", lambda s: True, in_months(OCT, OCT), None),
    ("?to=2026-09-01", lambda s: True, in_months(None, SEP), None),
    ("?service=SAN&from=2026-11-30", lambda s: s.code == "SAN", in_months(NOV, None), None),
    ("?gender=male", lambda s: True, ANY_DAY, ("gender", "male")),
    ("?age_band=40_44", lambda s: True, ANY_DAY, ("age_band", "40_44")),
    ("?ethnicity=white_english", lambda s: True, ANY_DAY, ("ethnicity", "white_english")),
    ("?time_in_service=lt_1y", lambda s: True, ANY_DAY, ("time_in_service", "lt_1y")),
    ("?gender=female&service=CL", lambda s: s.code == "CL", ANY_DAY, ("gender", "female")),
]


def slice_releases(question, code, keep, national_all_time):
    releases = []
    for among in Option.objects.filter(question__code=question, code=code).values_list("pk", flat=True):
        releases += [row for row in released(among=among, national_all_time=national_all_time) if keep(*row)]
    return releases


def withheld_slices(question, code, keep, national_all_time):
    """The groups whose slice may not be shown: under 5, or beside other slices of its
    question leaving 1 to 4 people over (dashboard.release.complement_safe)."""
    everyone, _, _ = expected_counts([row for row in released(national_all_time=national_all_time) if keep(*row)])
    sizes = {}
    for other in set(Option.objects.filter(question__code=question).values_list("code", flat=True)):
        n, _, _ = expected_counts(slice_releases(question, other, keep, national_all_time))
        for group, size in n.items():
            sizes.setdefault(group, {})[other] = size
    return {group for group in ("patient", "staff") if code not in complement_safe(sizes.get(group, {}), everyone[group], 5)}


@pytest.mark.parametrize("closed", [False, True], ids=["open", "after close_round"])
@pytest.mark.parametrize("query,services,days,about", FILTERS, ids=[f[0] or "none" for f in FILTERS])
def test_data_json_matches_an_independent_count_for_every_filter(
    national_client, survey, exact_figures, query, services, days, about, closed
):
    if closed:
        # 10 patients wait (CL 2, M 4, SAN 4): pooled nationally. 3 staff wait: too few to pool.
        assert releases_close() == {"pooled": 10, "waiting": 3}
    reply = get_json(national_client, query)
    assert reply.status_code == 200
    data = reply.json()
    national_all_time = not set(parse_qs(query.lstrip("?"))) & {"service", "security", "specialism", "from", "to"}

    def keep(response, day, pooled):
        return services(response.service) and days(day)

    if about is None:
        releases = [row for row in released(national_all_time=national_all_time) if keep(*row)]
        withheld = set()
    else:
        releases = slice_releases(*about, keep, national_all_time)
        withheld = withheld_slices(*about, keep, national_all_time)
    n, useful, months = expected_counts(releases)
    assert about is not None or n["patient"] >= 5, "every filter without an about-you answer selects released patients"
    for group in ("patient", "staff"):
        summary = data["groups"][group]
        if n[group] < 5 or group in withheld:
            assert summary == {"n": None, "suppressed": True, "services": None, "rate": None}, group
            assert option(data, "useful", "yes")[group]["count"] is None
            assert all(row[group] is None for row in data["by_month"] + data["by_service"])
            continue
        assert summary["n"] == n[group] and summary["suppressed"] is False
        for code in ("yes", "sometimes", "no"):
            cell = option(data, "useful", code)[group]
            assert cell["count"] == useful.get((group, code), 0), (group, code)
            assert cell["pct"] == pct(useful.get((group, code), 0), n[group])
        if about is not None:
            # Within a slice no responses per service or month: beside the same rows
            # for everyone they would subtract to the few outside the slice.
            assert data["by_month"] == [] and data["by_service"] == []
            continue
        # By month of release; a pooled remainder has no month.
        shown = {row["month"]: row[group] for row in data["by_month"] if row[group] is not None}
        monthly = {month: count for (month, g), count in months.items() if g == group}
        assert shown == {month: count for month, count in monthly.items() if count >= 5}, group


def test_data_json_contract(national_client, survey, settings):
    reply = get_json(national_client)
    data = reply.json()
    assert data["min_cell"] == 5
    assert [q["code"] for q in data["questions"]][:3] == ["useful", "ideal_forms", "current_forms"]
    # Released answers only (DAYS): the 10 patients and 3 staff still waiting for a batch are not counted.
    assert data["groups"]["patient"] == {"n": 25, "suppressed": False, "services": 3, "rate": None}
    assert data["groups"]["staff"] == {"n": 15, "suppressed": False, "services": 3, "rate": None}
    assert data["disclosure"] == {
        "min_cell": 5,
        "method": "batches_cell_key",
        "perturbed": True,
        "max_noise": 2,
        "released_through": "2026-11-20",
    }
    # Counts of people choosing an answer are perturbed by at most 2, within 0..n.
    workload = option(data, "benefits", "reduces_workload")
    assert workload["patient"] is None and abs(workload["staff"]["count"] - 15) <= 2 and workload["staff"]["count"] <= 15
    useful = next(q for q in data["questions"] if q["code"] == "useful")
    assert useful["kind"] == "one" and useful["title"]
    assert abs(useful["answered"]["patient"] - (25 - 5)) <= 2  # every fifth patient skipped it
    assert set(option(data, "useful", "yes")) >= {"code", "label", "patient", "staff", "p_value", "significant", "report_2014"}
    assert option(data, "useful", "yes")["report_2014"] == {"patient": 65.0, "staff": 80.0}
    assert reply["Cache-Control"].startswith("max-age=0") and "no-store" in reply["Cache-Control"]
    # The same respondents always get the same noise: asking again averages nothing out.
    assert get_json(national_client).json() == data

    settings.PEERSURVEY_PERTURB = False
    exact = get_json(national_client).json()
    assert exact["disclosure"]["perturbed"] is False and exact["disclosure"]["max_noise"] == 0
    assert exact["groups"] == data["groups"]  # group sizes are never perturbed
    moved = 0
    for question, exact_question in zip(data["questions"], exact["questions"], strict=True):
        for cell, exact_cell in zip(question["options"], exact_question["options"], strict=True):
            for group in ("patient", "staff"):
                if exact_cell[group] is None:  # not asked of this group
                    assert cell[group] is None
                    continue
                if cell[group]["count"] is None or exact_cell[group]["count"] is None:
                    # An about-you category under 5 is hidden inside a shown group, decided on the
                    # true counts: the same cells with and without the noise.
                    assert question["section"] == "about_you", (question["code"], group)
                    assert cell[group] == exact_cell[group], (question["code"], group)
                    continue
                count, true = cell[group]["count"], exact_cell[group]["count"]
                assert abs(count - true) <= 2 and 0 <= count <= data["groups"][group]["n"], (question["code"], group)
                assert count == 0 or true > 0, (question["code"], group)  # nobody chose it: zero stays zero
                moved += count != true
    assert moved, "perturbation is on by default: some count must have moved"
    assert exact["questions"][0]["answered"]["patient"] == 20

    # Date windows are whole months of release, and data.json says which.
    window = get_json(national_client, "?from=2026-10-13&to=2026-10-14").json()
    assert (window["selection"]["from"], window["selection"]["to"]) == ("2026-10-01", "2026-10-31")
    assert window["disclosure"]["released_through"] == "2026-10-12"
    assert [row["month"] for row in window["by_month"]] == ["2026-10"]


@pytest.mark.parametrize(
    "query,field",
    [
        ("?service=NOPE", "service"),
        ("?security=maximum", "security"),
        ("?specialism=cats", "specialism"),
        ("?from=yesterday", "from"),
        ("?to=2026-13-01", "to"),
        ("?gender=robot", "gender"),
        ("?age_band=12_15", "age_band"),
        ("?ethnicity=martian", "ethnicity"),
        ("?time_in_service=forever", "time_in_service"),
        ("?from=2026-11-01&to=2026-10-01", "to"),
        # One about-you answer at a time: the second is refused.
        ("?gender=male&age_band=40_44", "age_band"),
        ("?ethnicity=white_english&time_in_service=lt_1y", "time_in_service"),
    ],
)
def test_unknown_filter_values_are_400_naming_the_field(national_client, survey, query, field):
    reply = get_json(national_client, query)
    assert reply.status_code == 400
    assert field in reply.json()["errors"]


def test_anonymous_users_are_sent_to_login(client, survey):
    for url in DASHBOARD_URLS:
        reply = client.get(url)
        assert reply.status_code == 302, url
        assert reply["Location"].startswith("/accounts/login/?next="), url


def test_a_user_without_a_role_sees_nothing(client, survey, outsider):
    client.force_login(outsider)
    for url in DASHBOARD_URLS:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("url", DASHBOARD_URLS[:6])
@pytest.mark.parametrize("query", ["?service=SAN", "?service=CL&service=SAN", "?security=medium", "?specialism=women"])
def test_a_service_lead_never_gets_another_services_figures(survey, service_client, url, query):
    reply = service_client.get(url + query)
    assert reply.status_code == 403
    assert b"SAN" not in reply.content or b"may not see figures for service SAN" in reply.content


def test_a_service_lead_sees_their_service_and_the_national_picture(survey, service_client):
    data = get_json(service_client, "?service=CL").json()
    assert data["groups"]["patient"]["n"] == 10  # CL's 12 patients: two batches released, 2 wait
    national = get_json(service_client).json()
    assert national["groups"]["patient"]["n"] == 25
    # The national picture names no other service.
    assert national["by_service"] == [{"service": "CL", "patient": 10, "staff": 5}]
    # Response rows are for partnership leads only: even k-anonymous rows would tell
    # someone who works beside the respondents most of who said what.
    reply = service_client.get("/dashboard/export/responses.csv")
    assert reply.status_code == 403
    assert b"SAN" not in reply.content and b"patient" not in reply.content


@pytest.mark.parametrize("size", [1, 4])
def test_small_services_are_suppressed_everywhere(national_client, size):
    tiny = service("TU")
    for _ in range(size):
        answer(tiny, "patient", {"useful": "yes"})
        answer(tiny, "staff", {"useful": "no"})
    data = national_client.get("/dashboard/data.json?service=TU").json()
    assert data["groups"]["patient"] == {"n": None, "suppressed": True, "services": None, "rate": None}
    assert option(data, "useful", "yes")["patient"] == {"count": None, "pct": None, "ci": None}
    assert data["disclosure"]["released_through"] is None
    page = national_client.get("/dashboard/?service=TU").content.decode()
    assert "fewer than 5" in page
    aggregate = list(
        csv.DictReader(io.StringIO(national_client.get("/dashboard/export/aggregate.csv?service=TU").getvalue().decode()))
    )
    useful_yes = next(row for row in aggregate if row["question"] == "useful" and row["option"] == "yes")
    assert useful_yes["patient_n"] == "suppressed" and useful_yes["patient_count"] == "suppressed"
    responses = national_client.get("/dashboard/export/responses.csv?service=TU").getvalue().decode().splitlines()
    assert len(responses) == 1  # the header only
    # Until a batch of 5 fills, the answers wait: not even the national figures count them
    # or name the service.
    national = national_client.get("/dashboard/data.json").json()
    assert national["by_service"] == [] and national["by_month"] == []
    assert national["groups"]["patient"] == {"n": None, "suppressed": True, "services": None, "rate": None}
    # Closing the round pools only 5 or more: 1 to 4 of a questionnaire keep waiting.
    assert releases_close() == {"pooled": 0, "waiting": 2 * size}
    assert national_client.get("/dashboard/data.json").json() == national


def _queries(client, query=""):
    client.get(f"/dashboard/data.json{query}")  # warm the questionnaire cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/dashboard/data.json{query}").status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_services_responses_or_questions(national_client, survey, django_assert_max_num_queries):
    before = _queries(national_client)
    # The session, the user with their role, the services, the waves (the filter's
    # choices), the tallies, the day of the latest release (disclosure.released_through),
    # the audit row.
    assert before == 7
    with django_assert_max_num_queries(7):
        national_client.get("/dashboard/data.json?gender=male&security=medium")
    for index in range(6):
        extra = service(f"X{index}", security="high")
        for _ in range(7):  # a batch of 5 released, 2 waiting: both tallies and releases grow
            answer(extra, "patient", {"useful": "no", "fears": ["trust"], "comments": "more", "gender": "male"})
    staff = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
    useful = staff.question("useful")
    extra_question = dataclasses.replace(useful, code="useful_again", chart_title="Again?")
    questionnaires_sync([dataclasses.replace(staff, questions=staff.questions + (extra_question,))])
    grown = national_client.get("/dashboard/data.json").json()
    assert any(q["code"] == "useful_again" for q in grown["questions"])
    assert grown["groups"]["patient"]["n"] == 25 + 6 * 5
    assert _queries(national_client) == before
    assert _queries(national_client, "?gender=male&security=high") == before
