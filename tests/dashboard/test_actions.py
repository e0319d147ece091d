"""'You said, we did': service leads record, per wave, what their service did about
what people said (/dashboard/actions/). Their own services only (a partnership lead:
every one), both texts required and at most 600 characters, every write audited,
and no input answers 500."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from dashboard.models import Action, ActionStatus
from dashboard.services import ActionError, action_save
from surveys.services import wave_upsert
from tests.factories import lead, service

URL = "/dashboard/actions/"


@pytest.fixture
def waves(db):
    """Last year's round, and one open today (the page starts at it)."""
    today = timezone.localdate()
    last, _ = wave_upsert(code="2025", name="Autumn 2025", opens=today - timedelta(days=400), closes=today - timedelta(days=330))
    this, _ = wave_upsert(code="2026", name="Autumn 2026", opens=today - timedelta(days=30), closes=today + timedelta(days=30))
    return {"last": last, "this": this}


@pytest.fixture
def san_action(waves, national_lead):
    """An action of another service than the service lead's."""
    san = service("SAN", security="medium")
    return action_save(
        user=national_lead, wave=waves["this"], service=san, you_said="SAN own words", we_did="SAN own deed", status="done"
    )


def add(client, **fields):
    data = {"wave": "2026", "service": "CL", "you_said": "More time outside", "we_did": "Garden every day", "status": "doing"}
    data.update(fields)
    return client.post(URL, data)


def audit_rows():
    return list(AuditEvent.objects.filter(action=AuditAction.ACTIONS).order_by("id").values_list("status", "selection"))


def test_a_service_lead_adds_an_action_for_their_service_and_wave(service_client, service_lead, waves, chadwick):
    reply = add(service_client)
    assert reply.status_code == 302
    assert reply["Location"] == "/dashboard/actions/?wave=2026&service=CL"
    action = Action.objects.get()
    assert (action.service, action.wave, action.status) == (chadwick, waves["this"], ActionStatus.DOING)
    assert (action.you_said, action.we_did, action.updated_by) == ("More time outside", "Garden every day", service_lead)
    page = service_client.get(reply["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "More time outside" in body and "Garden every day" in body and "We are doing this" in body
    # The write is in the audit log, without the texts.
    [(status, selection)] = audit_rows()
    assert status == 302 and selection == {"service": "CL", "wave": "2026", "action": None, "do": "add"}


def test_the_page_is_in_the_dashboard_nav_and_reading_it_is_not_a_write(service_client, waves, chadwick):
    reply = service_client.get(URL)
    assert reply.status_code == 200
    assert 'href="/dashboard/actions/" aria-current="page"' in reply.content.decode()
    assert 'href="/dashboard/actions/"' in service_client.get("/dashboard/quotes/").content.decode()
    assert audit_rows() == []
    assert "no-store" in reply["Cache-Control"]


def test_the_wave_chooser_starts_at_the_current_wave_and_lists_every_wave(service_client, waves, chadwick, settings):
    body = service_client.get(URL).content.decode()
    assert '<option value="2026" selected>' in body
    assert '<option value="2025">' in body
    last = service_client.get(URL + "?wave=2025").content.decode()
    assert '<option value="2025" selected>' in last


def test_actions_are_per_wave(service_client, waves, chadwick):
    add(service_client, wave="2025", you_said="Last year words")
    add(service_client, wave="2026", you_said="This year words")
    this = service_client.get(URL + "?wave=2026").content.decode()
    last = service_client.get(URL + "?wave=2025").content.decode()
    assert "This year words" in this and "Last year words" not in this
    assert "Last year words" in last and "This year words" not in last


def test_edit_and_delete(service_client, waves, chadwick):
    add(service_client)
    action = Action.objects.get()
    form = service_client.get(f"{URL}{action.pk}/")
    assert form.status_code == 200 and "More time outside" in form.content.decode()
    reply = service_client.post(f"{URL}{action.pk}/", {"you_said": "Fresh air", "we_did": "A walk each day", "status": "done"})
    assert reply.status_code == 302
    action.refresh_from_db()
    assert (action.you_said, action.we_did, action.status) == ("Fresh air", "A walk each day", "done")
    reply = service_client.post(f"{URL}{action.pk}/delete/")
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/actions/?wave=2026&service=CL"
    assert not Action.objects.exists()
    assert [(status, selection["do"]) for status, selection in audit_rows()] == [(302, "add"), (302, "edit"), (302, "delete")]


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"you_said": ""}, "Write what people said."),
        ({"you_said": "   \n  "}, "Write what people said."),
        ({"we_did": ""}, "Write what the service did."),
        ({"you_said": "x" * 601}, "Keep what people said to 600 characters or fewer: it has 601."),
        ({"we_did": "y" * 5000}, "Keep what the service did to 600 characters or fewer: it has 5000."),
        ({"status": "finished"}, "Choose one of the three answers."),
        ({"status": ""}, "Choose how far it has got."),
        ({"you_said": "a\x00b"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_stores_nothing_and_says_what_to_change(service_client, waves, chadwick, fields, message):
    reply = add(service_client, **fields)
    assert reply.status_code == 400
    body = reply.content.decode()
    assert "Nothing was saved" in body and message in body
    assert not Action.objects.exists()
    assert [status for status, _ in audit_rows()] == [400]


def test_600_characters_with_line_breaks_fit(service_client, waves, chadwick):
    # The browser counts a line break as one character for maxlength, and sends two.
    text = ("x" * 99 + "\r\n") * 6
    assert len(text.replace("\r\n", "\n")) == 600
    assert add(service_client, you_said=text).status_code == 302
    assert Action.objects.get().you_said == text.replace("\r\n", "\n").strip()


def test_an_edit_with_bad_input_changes_nothing(service_client, waves, chadwick):
    add(service_client)
    action = Action.objects.get()
    reply = service_client.post(f"{URL}{action.pk}/", {"you_said": "", "we_did": "z" * 601, "status": "done"})
    assert reply.status_code == 400
    action.refresh_from_db()
    assert (action.you_said, action.we_did, action.status) == ("More time outside", "Garden every day", "doing")


def test_a_service_lead_of_another_service_can_neither_see_nor_change_its_actions(service_client, san_action):
    assert service_client.get(URL + "?service=SAN").status_code == 403
    assert service_client.get(URL + "?service=SAN&wave=2026").status_code == 403
    assert add(service_client, service="SAN").status_code == 403
    assert service_client.get(f"{URL}{san_action.pk}/").status_code == 403
    edit = service_client.post(f"{URL}{san_action.pk}/", {"you_said": "Hijacked", "we_did": "Hijacked", "status": "planned"})
    assert edit.status_code == 403
    assert service_client.post(f"{URL}{san_action.pk}/delete/").status_code == 403
    san_action.refresh_from_db()
    assert (san_action.you_said, san_action.status) == ("SAN own words", "done")
    assert Action.objects.count() == 1
    assert "SAN own" not in service_client.get(URL).content.decode()
    assert [status for status, _ in audit_rows()] == [403, 403, 403]


def test_a_partnership_lead_records_actions_for_every_service(national_client, san_action, chadwick):
    assert national_client.get(URL + "?service=SAN&wave=2026").status_code == 200
    assert "SAN own words" in national_client.get(URL + "?service=SAN&wave=2026").content.decode()
    assert add(national_client, service="SAN").status_code == 302
    assert add(national_client, service="CL").status_code == 302
    reply = national_client.post(f"{URL}{san_action.pk}/", {"you_said": "Said", "we_did": "Did", "status": "planned"})
    assert reply.status_code == 302
    assert Action.objects.count() == 3


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("get", URL + "?wave=1999", None),
        ("get", URL + "?wave=%00", None),
        ("get", URL + "?service=NOPE", None),
        ("get", URL + "?service=%00", None),
        ("get", URL + "99999/", None),
        ("get", URL + "99999999999999999999999/", None),
        ("post", URL + "99999/", {"you_said": "a", "we_did": "b", "status": "done"}),
        ("post", URL + "99999999999999999999999/delete/", {}),
        ("post", URL, {"wave": "1999", "service": "CL", "you_said": "a", "we_did": "b", "status": "done"}),
        ("post", URL, {"wave": "2026", "service": "CL\x00", "you_said": "a", "we_did": "b", "status": "done"}),
    ],
)
def test_unknown_waves_services_and_ids_are_404_or_403_never_500(national_client, waves, chadwick, method, path, data):
    reply = getattr(national_client, method)(path, data) if data is not None else getattr(national_client, method)(path)
    assert reply.status_code in (403, 404)
    assert not Action.objects.exists()


def test_delete_is_post_only(service_client, waves, chadwick):
    add(service_client)
    action = Action.objects.get()
    assert service_client.get(f"{URL}{action.pk}/delete/").status_code == 405
    assert Action.objects.exists()


def test_without_a_role_or_a_login(client, outsider, waves, chadwick):
    reply = client.get(URL)
    assert reply.status_code == 302 and reply["Location"].startswith("/accounts/login/")
    assert add(client).status_code == 302
    client.force_login(outsider)
    assert client.get(URL).status_code == 403
    assert add(client).status_code == 403
    assert not Action.objects.exists()


def test_with_no_waves_the_page_says_so(service_client, chadwick):
    reply = service_client.get(URL)
    assert reply.status_code == 200 and "There are no survey waves yet" in reply.content.decode()
    assert add(service_client, wave="").status_code == 404


def test_forms_need_the_csrf_token(service_lead, waves, chadwick):
    client = Client(enforce_csrf_checks=True)
    client.force_login(service_lead)
    assert add(client).status_code == 403
    assert not Action.objects.exists()


def test_action_save_checks_what_the_form_checks(waves, chadwick, service_lead):
    with pytest.raises(ActionError):
        action_save(user=service_lead, wave=waves["this"], service=chadwick, you_said=" ", we_did="x", status="done")
    with pytest.raises(ActionError):
        action_save(user=service_lead, wave=waves["this"], service=chadwick, you_said="x" * 601, we_did="x", status="done")
    with pytest.raises(ActionError):
        action_save(user=service_lead, wave=waves["this"], service=chadwick, you_said="x", we_did="x", status="nope")
    with pytest.raises(ActionError):
        action_save(user=service_lead, you_said="x", we_did="x", status="done")
    assert not Action.objects.exists()


def test_a_second_service_lead_sees_only_their_own(client, waves, chadwick, san_action):
    san_lead = lead("san_lead", "service_lead", ["SAN"])
    client.force_login(san_lead)
    body = client.get(URL).content.decode()
    assert "SAN own words" in body
    assert client.get(URL + "?service=CL").status_code == 403
