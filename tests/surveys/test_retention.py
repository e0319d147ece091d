"""The retention command (purge_responses): what it deletes, what it keeps, how it
asks, and its row in the audit log."""

import getpass
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from surveys.models import ChoiceAnswer, CollectionLink, QuoteReview, Response, Service, TextAnswer
from surveys.quotes import quote_review
from surveys.tallies import EVERYONE, tallies_differences
from tests.factories import SEPTEMBER, answer, cl_and_san_over_two_months


@pytest.fixture
def survey(chadwick):
    return cl_and_san_over_two_months(chadwick)


def only_event():
    assert AuditEvent.objects.count() == 1, list(AuditEvent.objects.values("action", "status"))
    return AuditEvent.objects.get()


def purge(*args):
    out = io.StringIO()
    call_command("purge_responses", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class Terminal(io.StringIO):
    """Someone at a terminal typing `reply`."""

    def isatty(self):
        return True


def counts():
    return (Response.objects.count(), ChoiceAnswer.objects.count(), TextAnswer.objects.count(), QuoteReview.objects.count())


def test_purge_deletes_only_older_responses_with_their_answers(survey, monkeypatch):
    monkeypatch.setenv("PEERSURVEY_OPERATOR", "ops_alice")
    for text in TextAnswer.objects.filter(text__in=["old reason 0", "new reason 0"]):
        quote_review(answer=text, approve=True, text=text.text, attribution="CL")
    numbers = dict(Service.objects.values_list("code", "last_number"))
    links = CollectionLink.objects.count()
    kept = set(Response.objects.filter(submitted_on__gte=date(2026, 10, 1)).values_list("id", flat=True))
    kept_answers = (
        ChoiceAnswer.objects.filter(response__in=kept).count(),
        TextAnswer.objects.filter(response__in=kept).count(),
    )

    out = purge("--before", "2026-10-01", "--yes")

    assert out.strip() == "Deleted 11 responses submitted before 2026-10-01."
    assert set(Response.objects.values_list("id", flat=True)) == kept
    assert counts() == (12, *kept_answers, 1)
    assert QuoteReview.objects.get().answer.text == "new reason 0"
    assert dict(Service.objects.values_list("code", "last_number")) == numbers
    assert CollectionLink.objects.count() == links
    # Numbers are never reused: the next CL response follows the last one ever given.
    assert answer(survey["CL"], "patient", {"useful": "yes"}).number == numbers["CL"] + 1


def test_after_a_purge_the_dashboard_matches_a_recount(survey, national_client, exact_figures):
    purge("--before", "2026-10-01", "--yes")
    assert tallies_differences() == []  # the stored tallies are a full recount of what is left
    data = national_client.get("/dashboard/data.json").json()
    # The figures count released answers: of the 6 October patients and 6 staff kept,
    # 5 of each were released in batches before the purge; 1 of each still waits.
    released = Response.objects.filter(releases__among=EVERYONE, releases__released_on__isnull=False)
    for group in ("patient", "staff"):
        assert Response.objects.filter(questionnaire__code=group).count() == 6
        assert data["groups"][group]["n"] == released.filter(questionnaire__code=group).count() == 5
    useful = next(q for q in data["questions"] if q["code"] == "useful")
    for option in useful["options"]:
        for group in ("patient", "staff"):
            recount = ChoiceAnswer.objects.filter(
                response__in=released,
                response__questionnaire__code=group,
                option__question__code="useful",
                option__code=option["code"],
            ).count()
            assert option[group]["count"] == recount, (group, option["code"])
    assert [row["service"] for row in data["by_service"]] == ["CL"]  # SAN had only September answers


def test_purge_of_one_service_keeps_the_others(survey):
    assert purge("--before", "2026-10-01", "--service", "san", "--yes").startswith("Deleted 5 responses")
    assert Response.objects.filter(service__code="SAN").count() == 0
    assert Response.objects.filter(service__code="CL", submitted_on=SEPTEMBER).count() == 6


@pytest.mark.parametrize("reply", ["no\n", "\n", "Yes\n", "y\n", ""])
def test_the_prompt_keeps_everything_unless_the_answer_is_yes(survey, monkeypatch, reply):
    before = counts()
    monkeypatch.setattr("sys.stdin", Terminal(reply))
    out = purge("--before", "2026-10-01")
    assert "Delete 11 responses submitted before 2026-10-01? Type 'yes' to continue:" in out
    assert "Nothing deleted." in out
    assert counts() == before
    assert not AuditEvent.objects.exists()


def test_the_prompt_deletes_on_yes(survey, monkeypatch):
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    out = purge("--before", "2026-10-01")
    assert "Deleted 11 responses" in out
    assert Response.objects.count() == 12


def test_without_a_terminal_or_yes_it_refuses(survey, monkeypatch):
    before = counts()
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    with pytest.raises(CommandError, match="add --yes"):
        purge("--before", "2026-10-01")
    assert counts() == before


@pytest.mark.parametrize(
    "args,message",
    [
        (["--before", "2026-13-01"], "is not a date"),
        (["--before", "yesterday"], "is not a date"),
        (["--before", "01/10/2026"], "is not a date"),
        (["--before", "2999-01-01"], "is in the future"),
        (["--before", "2026-10-01", "--service", "NOPE"], "No service has code 'NOPE'"),
    ],
)
def test_bad_arguments_are_refused_and_delete_nothing(survey, args, message):
    before = counts()
    with pytest.raises(CommandError, match=message):
        purge(*args, "--yes")
    assert counts() == before
    assert not AuditEvent.objects.exists()


def test_the_purge_is_audited_with_the_operator(survey, monkeypatch):
    monkeypatch.setenv("PEERSURVEY_OPERATOR", "ops_alice")
    purge("--before", "2026-10-01", "--service", "CL", "--yes")
    event = only_event()
    assert (event.action, event.username, event.user, event.selection, event.status) == (
        "purge",
        "ops_alice",
        None,
        {"before": "2026-10-01", "service": "CL", "deleted": 6},
        200,
    )
    monkeypatch.delenv("PEERSURVEY_OPERATOR")
    purge("--before", "2026-09-01", "--yes")
    latest = AuditEvent.objects.first()
    assert (latest.username, latest.selection) == (getpass.getuser(), {"before": "2026-09-01", "service": None, "deleted": 0})
