"""The dashboard's data: data.json against independent counts, filters, suppression,
access and a query count that does not grow."""

import csv
import dataclasses
import io
import itertools
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.stats import pct
from surveys.definitions import QUESTIONNAIRE_DIR, load_file
from surveys.models import ChoiceAnswer, Response
from surveys.questionnaire_sync import questionnaires_sync
from tests.factories import DASHBOARD_URLS, answer, service

USEFUL = itertools.cycle(["yes", "yes", "sometimes", "no", None])
GENDERS = itertools.cycle(["female", "male", "male", "non_binary"])
AGES = itertools.cycle(["25_29", "40_44", "65_plus"])
TIMES = itertools.cycle(["lt_1y", "1_4y", "10y_plus"])


@pytest.fixture
def survey(chadwick):
    """Three services with enough answers to show: CL (low, women), M (medium), SAN (medium, adolescent)."""
    services = {
        "CL": chadwick,
        "M": service("M", security="medium"),
        "SAN": service("SAN", security="medium", specialisms=["adolescent"]),
    }
    days = itertools.cycle([date(2026, 9, 5), date(2026, 10, 12), date(2026, 11, 20)])
    for code, patients, staff in (("CL", 12, 6), ("M", 9, 5), ("SAN", 14, 7)):
        for _ in range(patients):
            useful = next(USEFUL)
            answers = {
                "gender": next(GENDERS),
                "age_band": next(AGES),
                "time_in_service": next(TIMES),
                "ethnicity": "white_english",
                "fears": ["trust", "confidentiality"],
            }
            if useful:
                answers["useful"] = useful
            answer(services[code], "patient", answers, on=next(days))
        for index in range(staff):
            answer(
                services[code],
                "staff",
                {
                    "useful": "yes" if index % 3 else "sometimes",
                    "gender": next(GENDERS),
                    "age_band": next(AGES),
                    "benefits": ["reduces_workload"],
                    "job_title": "Staff nurse",
                },
                on=next(days),
            )
    return services


def get_json(client, query=""):
    return client.get(f"/dashboard/data.json{query}")


def expected_counts(responses):
    """Counted the slow, obvious way, independently of dashboard.queries."""
    n = {"patient": 0, "staff": 0}
    useful = {}
    for response in responses:
        group = response.questionnaire.code
        n[group] += 1
        for choice in ChoiceAnswer.objects.filter(response=response, option__question__code="useful"):
            useful[(group, choice.option.code)] = useful.get((group, choice.option.code), 0) + 1
    return n, useful


def option(data, question, code):
    return next(o for o in next(q for q in data["questions"] if q["code"] == question)["options"] if o["code"] == code)


FILTERS = [
    ("", lambda r: True),
    ("?service=CL", lambda r: r.service.code == "CL"),
    ("?service=CL&service=M", lambda r: r.service.code in ("CL", "M")),
    ("?security=medium", lambda r: r.service.security == "medium"),
    ("?specialism=adolescent", lambda r: r.service.code == "SAN"),
    ("?from=2026-10-01", lambda r: r.submitted_on >= date(2026, 10, 1)),
    ("?to=2026-10-31", lambda r: r.submitted_on <= date(2026, 10, 31)),
    ("?from=2026-10-01&to=2026-10-31", lambda r: date(2026, 10, 1) <= r.submitted_on <= date(2026, 10, 31)),
]


def chose(response, question, code):
    return ChoiceAnswer.objects.filter(response=response, option__question__code=question, option__code=code).exists()


FILTERS += [
    (f"?{question}={code}", lambda r, q=question, c=code: chose(r, q, c))
    for question, code in (
        ("gender", "male"),
        ("age_band", "40_44"),
        ("ethnicity", "white_english"),
        ("time_in_service", "lt_1y"),
    )
]


@pytest.mark.parametrize("query,keep", FILTERS, ids=[f[0] or "none" for f in FILTERS])
def test_data_json_matches_an_independent_count_for_every_filter(national_client, survey, query, keep):
    reply = get_json(national_client, query)
    assert reply.status_code == 200
    data = reply.json()
    n, useful = expected_counts([r for r in Response.objects.select_related("service", "questionnaire") if keep(r)])
    for group in ("patient", "staff"):
        summary = data["groups"][group]
        if n[group] < 5:
            assert summary == {"n": None, "suppressed": True, "services": None}
            assert option(data, "useful", "yes")[group]["count"] is None
            continue
        assert summary["n"] == n[group] and summary["suppressed"] is False
        for code in ("yes", "sometimes", "no"):
            cell = option(data, "useful", code)[group]
            assert cell["count"] == useful.get((group, code), 0), (group, code)
            assert cell["pct"] == pct(useful.get((group, code), 0), n[group])


def test_data_json_contract(national_client, survey):
    data = get_json(national_client).json()
    assert data["min_cell"] == 5
    assert [q["code"] for q in data["questions"]][:3] == ["useful", "ideal_forms", "current_forms"]
    workload = option(data, "benefits", "reduces_workload")
    assert workload["patient"] is None and workload["staff"]["count"] == 18
    useful = next(q for q in data["questions"] if q["code"] == "useful")
    assert useful["kind"] == "one" and useful["title"]
    assert useful["answered"]["patient"] == 35 - 7  # every fifth patient skipped it
    assert set(option(data, "useful", "yes")) >= {"code", "label", "patient", "staff", "p_value", "significant", "report_2014"}
    assert option(data, "useful", "yes")["report_2014"] == {"patient": 65.0, "staff": 80.0}
    reply = get_json(national_client)
    assert reply["Cache-Control"].startswith("max-age=0") and "no-store" in reply["Cache-Control"]


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
    assert data["groups"]["patient"]["n"] == 12
    national = get_json(service_client).json()
    assert national["groups"]["patient"]["n"] == 35
    # The national picture names no other service.
    assert [row["service"] for row in national["by_service"]] == ["CL"]
    rows = list(csv.DictReader(io.StringIO(service_client.get("/dashboard/export/responses.csv").getvalue().decode())))
    assert {row["service"] for row in rows} == {"CL"}


@pytest.mark.parametrize("size", [1, 4])
def test_small_services_are_suppressed_everywhere(national_client, size):
    tiny = service("TU")
    for _ in range(size):
        answer(tiny, "patient", {"useful": "yes"})
        answer(tiny, "staff", {"useful": "no"})
    data = national_client.get("/dashboard/data.json?service=TU").json()
    assert data["groups"]["patient"] == {"n": None, "suppressed": True, "services": None}
    assert option(data, "useful", "yes")["patient"] == {"count": None, "pct": None, "ci": None}
    page = national_client.get("/dashboard/?service=TU").content.decode()
    assert "fewer than 5" in page
    aggregate = list(
        csv.DictReader(io.StringIO(national_client.get("/dashboard/export/aggregate.csv?service=TU").getvalue().decode()))
    )
    useful_yes = next(row for row in aggregate if row["question"] == "useful" and row["option"] == "yes")
    assert useful_yes["patient_n"] == "suppressed" and useful_yes["patient_count"] == "suppressed"
    responses = national_client.get("/dashboard/export/responses.csv?service=TU").getvalue().decode().splitlines()
    assert len(responses) == 1  # the header only
    assert national_client.get("/dashboard/data.json").json()["by_service"] == [{"service": "TU", "patient": None, "staff": None}]


def _queries(client, query=""):
    client.get(f"/dashboard/data.json{query}")  # warm the questionnaire cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/dashboard/data.json{query}").status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_services_responses_or_questions(national_client, survey, django_assert_max_num_queries):
    before = _queries(national_client)
    # The session, the user with their role, the services, the tallies, the audit row.
    assert before <= 5
    with django_assert_max_num_queries(5):
        national_client.get("/dashboard/data.json?gender=male&security=medium")
    for index in range(6):
        extra = service(f"X{index}", security="high")
        for _ in range(3):
            answer(extra, "patient", {"useful": "no", "fears": ["trust"], "comments": "more"})
    staff = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
    useful = staff.question("useful")
    extra_question = dataclasses.replace(useful, code="useful_again", chart_title="Again?")
    questionnaires_sync([dataclasses.replace(staff, questions=staff.questions + (extra_question,))])
    assert any(q["code"] == "useful_again" for q in national_client.get("/dashboard/data.json").json()["questions"])
    assert _queries(national_client) == before
