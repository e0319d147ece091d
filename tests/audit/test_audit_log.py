"""The audit log: one row per dashboard request, refusals included, nothing about the
client's machine; read only in the admin. (The purge command's row: tests/surveys/test_retention.py.)"""

import uuid

import pytest

from audit.models import AuditEvent
from surveys.models import TextAnswer
from tests.factories import cl_and_san_over_two_months

# Every test here meets the same survey: CL and SAN over two months.
pytestmark = pytest.mark.usefixtures("survey")


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
        "time_in_secure": None,
        "wave": None,
        "compare": None,
    }
    selection.update({"from" if key == "from_" else key: value for key, value in given.items()})
    return selection


@pytest.fixture
def survey(chadwick):
    return cl_and_san_over_two_months(chadwick)


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
def test_each_audited_page_leaves_one_row(national_client, national_lead, url, action, selection):
    reply = national_client.get(url)
    assert reply.status_code == 200
    event = only_event()
    assert (event.action, event.username, event.user, event.selection, event.status) == (
        action,
        "national_lead",
        national_lead,
        selection,
        200,
    )


def test_a_quote_decision_is_audited_with_the_answer_and_decision(national_client, national_lead):
    target = TextAnswer.objects.get(text="new reason 1")
    reply = national_client.post(
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


def test_a_saved_paper_questionnaire_is_audited(service_client):
    reply = service_client.post(
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
def test_a_refused_service_is_audited_as_403(service_client, url, action, selection):
    assert service_client.get(url).status_code == 403
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
def test_a_bad_filter_is_audited_as_400_with_what_was_asked(national_client, url, action, selection):
    assert national_client.get(url).status_code == 400
    event = only_event()
    assert (event.action, event.selection, event.status) == (action, selection, 400)


def test_a_bad_quote_decision_is_audited_as_400(national_client):
    target = TextAnswer.objects.get(text="new reason 2")
    assert (
        national_client.post(
            f"/dashboard/quotes/review/{target.pk}/", {"decision": "approve", "text": " ", "attribution": "x"}
        ).status_code
        == 400
    )
    assert (only_event().selection, only_event().status) == ({"answer": target.pk, "decision": "approve"}, 400)


def test_an_account_without_a_role_is_audited_anonymous_visitors_are_not(client, outsider):
    assert client.get("/dashboard/data.json").status_code == 302
    assert not AuditEvent.objects.exists()
    client.force_login(outsider)
    assert client.get("/dashboard/").status_code == 403
    event = only_event()
    assert (event.action, event.username, event.status) == ("dashboard_view", "outsider", 403)


def test_the_username_survives_the_account(national_client, national_lead):
    national_client.get("/dashboard/data.json")
    national_lead.delete()
    event = only_event()
    assert (event.username, event.user) == ("national_lead", None)


def test_no_address_or_browser_is_stored(national_client):
    probe = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Probe", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for url in (
        "/dashboard/",
        "/dashboard/data.json?service=CL",
        "/dashboard/export/responses.csv",
        "/dashboard/quotes/",
        "/dashboard/data.json?gender=robot",
    ):
        national_client.get(url, **probe)
    national_client.post(
        f"/dashboard/quotes/review/{TextAnswer.objects.first().pk}/", {"decision": "reject", "attribution": "x"}, **probe
    )
    assert AuditEvent.objects.count() == 6
    for row in AuditEvent.objects.values():
        for value in row.values():
            assert "203.0.113.9" not in str(value) and "Probe" not in str(value), row
    names = {field.name for field in AuditEvent._meta.get_fields()}
    assert not any(word in name for name in names for word in ("ip", "addr", "agent", "host"))


# --- the admin: read only ------------------------------------------------------------


@pytest.fixture
def logged_event(national_client):
    national_client.get("/dashboard/data.json?service=CL")
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
