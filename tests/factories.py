"""Building test state through the same services users go through, and reading it back.

Services, responses and dashboard users for the tests of every app; the named people
of the suite (`national_lead`, `service_lead`, ...) are fixtures in tests/conftest.py,
built with `lead` below.
"""

import uuid
from datetime import date, timedelta

from dashboard.services import lead_upsert
from surveys.models import ChoiceAnswer, CollectionLink, Questionnaire, TextAnswer
from surveys.selectors import loaded_questionnaire
from surveys.services import link_create, response_submit, service_upsert
from surveys.validation import Submission, clean_answers
from tests.fuzzing import valid_answers

PASSWORD = "a long enough test password 1"


def service(code, *, security="low", specialisms=()):
    return service_upsert(code=code, name=f"Service {code}", security=security, specialisms=list(specialisms))[0]


def link(service_, group):
    existing = CollectionLink.objects.filter(service=service_, questionnaire__code=group).first()
    return existing or link_create(service=service_, group=group)


def respond(service_, group, version, answers, on):
    """One response to that version of the questionnaire, through a link for it (a link
    made before a newer version was loaded keeps asking its own)."""
    questionnaire = Questionnaire.objects.get(code=group, version=version)
    link_, _ = CollectionLink.objects.get_or_create(service=service_, questionnaire=questionnaire)
    definition = loaded_questionnaire(questionnaire.pk).definition
    return response_submit(
        service=service_,
        questionnaire=questionnaire,
        submission=Submission(client_id=uuid.uuid4(), answers=clean_answers(definition, answers)),
        channel=link_.channel,
        link=link_,
        submitted_on=on,
    ).response


def answer(service_, group, answers, *, on=None):
    """Store one response for `group` at `service_`, as a form or tablet would."""
    link_ = link(service_, group)
    definition = loaded_questionnaire(link_.questionnaire_id).definition
    return response_submit(
        service=service_,
        questionnaire=link_.questionnaire,
        submission=Submission(client_id=uuid.uuid4(), answers=clean_answers(definition, answers)),
        channel=link_.channel,
        link=link_,
        submitted_on=on or date(2026, 11, 2),
    ).response


def lead(username, role, services=(), review=False):
    """A dashboard user with PASSWORD; for the usual people ask for conftest's fixtures instead."""
    user, _ = lead_upsert(username=username, role=role, service_codes=list(services), password=PASSWORD, can_review_quotes=review)
    return user


# --- data sets shared by more than one app's tests --------------------------------------

SEPTEMBER, OCTOBER = date(2026, 9, 5), date(2026, 10, 12)


def cl_and_san_over_two_months(cl):
    """CL: 6 patients in September, 6 in October, 6 staff in October; SAN: 5 patients in September.

    The audit log's and the retention command's tests (a purge before October keeps 12).
    """
    san = service("SAN", security="medium")
    for index in range(6):
        answer(cl, "patient", {"useful": "yes" if index % 2 else "no", "useful_why": f"old reason {index}"}, on=SEPTEMBER)
        answer(cl, "patient", {"useful": "sometimes", "fears": ["trust"], "useful_why": f"new reason {index}"}, on=OCTOBER)
        answer(cl, "staff", {"useful": "yes", "job_title": "Staff nurse"}, on=OCTOBER)
    for _ in range(5):
        answer(san, "patient", {"useful": "no"}, on=SEPTEMBER)
    return {"CL": cl, "SAN": san}


def tally_services():
    """Four services of every kind the dashboard's filters tell apart (the tallies' tests)."""
    return [
        service("A", security="low", specialisms=["women"]),
        service("B", security="medium"),
        service("C", security="medium", specialisms=["learning_disability"]),
        service("D", security="high"),
    ]


def submit_randomly(rng, services, count, *, first_day=date(2026, 1, 20), days=120):
    """`count` valid random responses at random services, on random days from `first_day`."""
    for _ in range(count):
        service_ = rng.choice(services)
        group = "patient" if rng.random() < 0.75 else "staff"
        link_ = link(service_, group)
        definition = loaded_questionnaire(link_.questionnaire_id).definition
        response_submit(
            service=service_,
            questionnaire=link_.questionnaire,
            submission=Submission(client_id=uuid.uuid4(), answers=clean_answers(definition, valid_answers(rng, definition))),
            channel=link_.channel,
            link=link_,
            submitted_on=first_day + timedelta(days=rng.randrange(0, days)),
        )


# --- reading back what was stored -----------------------------------------------------------


def chosen(response) -> dict[str, list[str]]:
    """The option codes stored for `response`, by question, in questionnaire order."""
    codes: dict[str, list[str]] = {}
    for question, option in (
        ChoiceAnswer.objects.filter(response=response)
        .values_list("option__question__code", "option__code")
        .order_by("option__question__position", "option__position")
    ):
        codes.setdefault(question, []).append(option)
    return codes


def texts(response) -> dict[str, str]:
    """The free text stored for `response`, by question."""
    return dict(TextAnswer.objects.filter(response=response).values_list("question__code", "text"))


# Every dashboard page that shows survey data: none may be cached.
DASHBOARD_URLS = [
    "/dashboard/",
    "/dashboard/data.json",
    "/dashboard/charts.json",
    "/dashboard/report/",
    "/dashboard/export/aggregate.csv",
    "/dashboard/export/responses.csv",
    "/dashboard/quotes/",
    "/dashboard/quotes/review/",
]
