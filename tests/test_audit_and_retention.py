"""The audit log (one row per dashboard request, refusals included, nothing about the
client's machine) and the retention command (purge_responses)."""

import getpass
import io
import uuid
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from surveys.models import ChoiceAnswer, CollectionLink, QuoteReview, Response, Service, TextAnswer
from surveys.quotes import quote_review
from tests.dashboard_helpers import answer, lead, service

OLD, NEW = date(2026, 9, 5), date(2026, 10, 12)


def filters(**given):
    """The audit selection of the dashboard filters: `Selection.as_dict()`'s shape."""
    selection = {
        "service": [],
        "security": None,
        "specialism": None,
        "from": None,
        "to": None,
        "gender": None,
        "age_band": None,
        "ethnicity": None,
        "time_in_service": None,
    }
    selection.update({"from" if key == "from_" else key: value for key, value in given.items()})
    return selection


@pytest.fixture
def survey(db):
    """CL: 6 patients in September, 6 in October, 6 staff in October; SAN: 5 patients in September."""
    cl, san = service("CL"), service("SAN", security="medium")
    for index in range(6):
        answer(cl, "patient", {"useful": "yes" if index % 2 else "no", "useful_why": f"old reason {index}"}, on=OLD)
        answer(cl, "patient", {"useful": "sometimes", "fears": ["trust"], "useful_why": f"new reason {index}"}, on=NEW)
        answer(cl, "staff", {"useful": "yes", "job_title": "Staff nurse"}, on=NEW)
    for _ in range(5):
        answer(san, "patient", {"useful": "no"}, on=OLD)
    return {"CL": cl, "SAN": san}


@pytest.fixture
def national_lead(survey):
    return lead("national_lead", "partnership_lead", review=True)


@pytest.fixture
def service_lead(survey):
    return lead("service_lead", "service_lead", ["CL"])


def only_event():
    assert AuditEvent.objects.count() == 1, list(AuditEvent.objects.values("action", "status"))
    return AuditEvent.objects.get()


# --- the audit log -------------------------------------------------------------


@pytest.mark.parametrize(
    "url,action,selection",
    [
        ("/dashboard/?service=CL&from=2026-10-01", "dashboard_view", filters(service=["CL"], from_="2026-10-01")),
        ("/dashboard/data.json?service=CL&service=SAN&gender=male", "data_json", filters(service=["CL", "SAN"], gender="male")),
        ("/dashboard/charts.json?security=medium", "charts_json", filters(security="medium")),
        ("/dashboard/report/?to=2026-10-31", "report_view", filters(to="2026-10-31")),
        ("/dashboard/export/aggregate.csv", "export_aggregate", filters()),
        ("/dashboard/export/responses.csv?service=CL", "export_responses", filters(service=["CL"])),
        ("/dashboard/quotes/?service=CL", "quotes_view", {"service": "CL", "question": None}),
        ("/dashboard/quotes/review/?page=2", "review_queue", {"page": "2"}),
        ("/dashboard/paper/SAN/staff/", "paper_entry", {"service": "SAN", "questionnaire": "staff"}),
    ],
)
def test_each_audited_page_leaves_one_row(client, national_lead, url, action, selection):
    client.force_login(national_lead)
    reply = client.get(url)
    assert reply.status_code == 200
    event = only_event()
    assert (event.action, event.username, event.user, event.selection, event.status) == (
        action,
        "national_lead",
        national_lead,
        selection,
        200,
    )


def test_a_quote_decision_is_audited_with_the_answer_and_decision(client, national_lead):
    client.force_login(national_lead)
    target = TextAnswer.objects.get(text="new reason 1")
    reply = client.post(
        f"/dashboard/quotes/review/{target.pk}/",
        {
            "decision": "approve",
            "text": "a [name removed] reason",
            "attribution": "CL8",
        },
    )
    assert reply.status_code == 302
    event = only_event()
    assert (event.action, event.user, event.selection, event.status) == (
        "quote_review",
        national_lead,
        {"answer": target.pk, "decision": "approve"},
        302,
    )


def test_a_saved_paper_questionnaire_is_audited(client, service_lead):
    client.force_login(service_lead)
    reply = client.post(
        "/dashboard/paper/CL/patient/",
        {
            "paper_date": "2026-10-01",
            "useful": "yes",
            "client_id": str(uuid.uuid4()),
        },
    )
    assert reply.status_code == 302
    event = only_event()
    assert (event.action, event.username, event.selection, event.status) == (
        "paper_entry",
        "service_lead",
        {"service": "CL", "questionnaire": "patient"},
        302,
    )


@pytest.mark.parametrize(
    "url,action,selection",
    [
        ("/dashboard/?service=SAN", "dashboard_view", filters(service=["SAN"])),
        ("/dashboard/data.json?service=CL&service=SAN", "data_json", filters(service=["CL", "SAN"])),
        ("/dashboard/export/responses.csv?specialism=women", "export_responses", filters(specialism="women")),
        ("/dashboard/quotes/?service=SAN", "quotes_view", {"service": "SAN", "question": None}),
        ("/dashboard/quotes/review/", "review_queue", {"page": None}),
        ("/dashboard/paper/SAN/patient/", "paper_entry", {"service": "SAN", "questionnaire": "patient"}),
    ],
)
def test_a_refused_service_is_audited_as_403(client, service_lead, url, action, selection):
    client.force_login(service_lead)
    assert client.get(url).status_code == 403
    event = only_event()
    assert (event.action, event.username, event.selection, event.status) == (action, "service_lead", selection, 403)


@pytest.mark.parametrize(
    "url,action,selection",
    [
        ("/dashboard/?gender=robot", "dashboard_view", filters(gender="robot")),
        ("/dashboard/data.json?from=yesterday&service=CL", "data_json", filters(service=["CL"], from_="yesterday")),
        ("/dashboard/export/aggregate.csv?security=maximum", "export_aggregate", filters(security="maximum")),
    ],
)
def test_a_bad_filter_is_audited_as_400_with_what_was_asked(client, national_lead, url, action, selection):
    client.force_login(national_lead)
    assert client.get(url).status_code == 400
    event = only_event()
    assert (event.action, event.selection, event.status) == (action, selection, 400)


def test_a_bad_quote_decision_is_audited_as_400(client, national_lead):
    client.force_login(national_lead)
    target = TextAnswer.objects.get(text="new reason 2")
    assert (
        client.post(
            f"/dashboard/quotes/review/{target.pk}/", {"decision": "approve", "text": " ", "attribution": "x"}
        ).status_code
        == 400
    )
    assert (only_event().selection, only_event().status) == ({"answer": target.pk, "decision": "approve"}, 400)


def test_an_account_without_a_role_is_audited_anonymous_visitors_are_not(client, survey):
    assert client.get("/dashboard/data.json").status_code == 302
    assert not AuditEvent.objects.exists()
    outsider = get_user_model().objects.create_user("outsider", password="irrelevant password 9")
    client.force_login(outsider)
    assert client.get("/dashboard/").status_code == 403
    event = only_event()
    assert (event.action, event.username, event.status) == ("dashboard_view", "outsider", 403)


def test_the_username_survives_the_account(client, national_lead):
    client.force_login(national_lead)
    client.get("/dashboard/data.json")
    national_lead.delete()
    event = only_event()
    assert (event.username, event.user) == ("national_lead", None)


def test_no_address_or_browser_is_stored(client, national_lead):
    client.force_login(national_lead)
    probe = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Probe", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for url in (
        "/dashboard/",
        "/dashboard/data.json?service=CL",
        "/dashboard/export/responses.csv",
        "/dashboard/quotes/",
        "/dashboard/data.json?gender=robot",
    ):
        client.get(url, **probe)
    client.post(f"/dashboard/quotes/review/{TextAnswer.objects.first().pk}/", {"decision": "reject", "attribution": "x"}, **probe)
    assert AuditEvent.objects.count() == 6
    for row in AuditEvent.objects.values():
        for value in row.values():
            assert "203.0.113.9" not in str(value) and "Probe" not in str(value), row
    names = {field.name for field in AuditEvent._meta.get_fields()}
    assert not any(word in name for name in names for word in ("ip", "addr", "agent", "host"))


# --- the admin: read only ------------------------------------------------------------


@pytest.fixture
def logged_event(client, national_lead):
    client.force_login(national_lead)
    client.get("/dashboard/data.json?service=CL")
    return AuditEvent.objects.get()


def test_the_admin_lists_events_and_filters_by_action(admin_client, logged_event):
    page = admin_client.get("/admin/audit/auditevent/")
    assert page.status_code == 200 and "national_lead" in page.content.decode()
    assert admin_client.get("/admin/audit/auditevent/?action__exact=data_json").status_code == 200
    assert admin_client.get("/admin/audit/auditevent/?q=national").status_code == 200
    assert admin_client.get(f"/admin/audit/auditevent/{logged_event.pk}/change/").status_code == 200  # to read


def test_nobody_can_add_change_or_delete_events_in_the_admin(admin_client, logged_event):
    before = list(AuditEvent.objects.values())
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert (
        admin_client.post(
            "/admin/audit/auditevent/add/",
            {
                "username": "mallory",
                "action": "purge",
                "selection": "{}",
                "status": "200",
            },
        ).status_code
        == 403
    )
    change = f"/admin/audit/auditevent/{logged_event.pk}/change/"
    assert (
        admin_client.post(
            change,
            {
                "username": "mallory",
                "action": "purge",
                "selection": "{}",
                "status": "200",
            },
        ).status_code
        == 403
    )
    assert admin_client.get(f"/admin/audit/auditevent/{logged_event.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/audit/auditevent/{logged_event.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(
        "/admin/audit/auditevent/",
        {
            "action": "delete_selected",
            "_selected_action": [logged_event.pk],
            "post": "yes",
        },
    )
    assert list(AuditEvent.objects.values()) == before


def test_leads_and_reviews_are_listed_in_the_admin_but_not_edited(admin_client, national_lead):
    review = quote_review(answer=TextAnswer.objects.first(), approve=True, text="fine", attribution="CL1")
    for url in ("/admin/dashboard/lead/", "/admin/surveys/quotereview/"):
        assert admin_client.get(url).status_code == 200
    assert admin_client.get("/admin/dashboard/lead/add/").status_code == 403
    assert admin_client.post(f"/admin/surveys/quotereview/{review.pk}/change/", {"status": "rejected"}).status_code == 403
    assert QuoteReview.objects.get().status == "approved"


# --- retention -------------------------------------------------------------------


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


def test_after_a_purge_the_dashboard_matches_a_recount(client, national_lead):
    purge("--before", "2026-10-01", "--yes")
    client.force_login(national_lead)
    data = client.get("/dashboard/data.json").json()
    for group in ("patient", "staff"):
        assert data["groups"][group]["n"] == Response.objects.filter(questionnaire__code=group).count() == 6
    useful = next(q for q in data["questions"] if q["code"] == "useful")
    for option in useful["options"]:
        for group in ("patient", "staff"):
            recount = ChoiceAnswer.objects.filter(
                response__questionnaire__code=group,
                option__question__code="useful",
                option__code=option["code"],
            ).count()
            assert option[group]["count"] == recount, (group, option["code"])
    assert [row["service"] for row in data["by_service"]] == ["CL"]  # SAN had only September answers


def test_purge_of_one_service_keeps_the_others(survey):
    assert purge("--before", "2026-10-01", "--service", "san", "--yes").startswith("Deleted 5 responses")
    assert Response.objects.filter(service__code="SAN").count() == 0
    assert Response.objects.filter(service__code="CL", submitted_on=OLD).count() == 6


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
