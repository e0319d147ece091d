"""Administrators make and change leads in the admin, under the same rule as `add_user`; and
unlock a username locked by the login throttle (admin actions, `manage.py unlock_user`)."""

from __future__ import annotations

import io
import logging

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from accounts.models import LoginThrottle
from dashboard.models import Lead
from tests.factories import PASSWORD, lead

User = get_user_model()
NEW_PASSWORD = "a brand new admin-set password"


@pytest.fixture
def admin_user_client(db):
    root = User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(root)
    return client


def role_form(prefix="lead", *, role="", services=(), review=False, existing=None, delete=False):
    """The "Dashboard role" section of a user's admin page, as the browser sends it."""
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1" if existing else "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1",
        f"{prefix}-0-role": role,
        f"{prefix}-0-services": [str(service.pk) for service in services],
    }
    if review:
        data[f"{prefix}-0-can_review_quotes"] = "on"
    if existing:
        data[f"{prefix}-0-id"] = str(existing.pk)
        data[f"{prefix}-0-user"] = str(existing.user_id)
    if delete:
        data[f"{prefix}-0-DELETE"] = "on"
    return data


def add_user(client, username, **role):
    return client.post(
        "/admin/auth/user/add/",
        {
            "username": username,
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **role_form(**role),
        },
    )


def change_user(client, user, **role):
    data = {
        "username": user.username,
        "is_active": "on",
        "date_joined_0": "2026-11-30",
        "date_joined_1": "12:00:00",
        **role_form(**role),
    }
    return client.post(f"/admin/auth/user/{user.pk}/change/", data)


def test_a_superuser_adds_a_service_lead_with_services_who_can_then_sign_in(admin_user_client, chadwick, morpeth):
    reply = add_user(admin_user_client, "carol", role="service_lead", services=[chadwick, morpeth], review=True)
    assert reply.status_code == 302, reply.content.decode()[:3000]
    carol = Lead.objects.get(user__username="carol")
    assert carol.role == "service_lead" and carol.can_review_quotes
    assert sorted(service.code for service in carol.services.all()) == ["CL", "M"]
    signed_in = Client().post("/accounts/login/", {"username": "carol", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_the_new_password_must_pass_the_projects_validators(admin_user_client, chadwick):
    reply = admin_user_client.post(
        "/admin/auth/user/add/",
        {
            "username": "carol",
            "usable_password": "true",
            "password1": "short1",
            "password2": "short1",
            **role_form(role="partnership_lead"),
        },
    )
    assert reply.status_code == 200 and "at least 12 characters" in reply.content.decode()
    assert not User.objects.filter(username="carol").exists()


def test_a_service_lead_without_services_is_refused_and_nothing_is_stored(admin_user_client, chadwick):
    reply = add_user(admin_user_client, "carol", role="service_lead")
    assert reply.status_code == 200
    assert "A service lead needs at least one service." in reply.content.decode()
    assert not User.objects.filter(username="carol").exists() and not Lead.objects.exists()


def test_a_partnership_lead_takes_no_services(admin_user_client, chadwick):
    reply = add_user(admin_user_client, "carol", role="partnership_lead", services=[chadwick])
    assert reply.status_code == 200 and "A partnership lead sees every service" in reply.content.decode()
    assert not User.objects.filter(username="carol").exists()


def test_a_superuser_changes_a_role_and_cannot_leave_a_service_lead_without_services(admin_user_client, chadwick, service_lead):
    the_lead = service_lead.lead
    reply = change_user(admin_user_client, service_lead, role="partnership_lead", existing=the_lead)
    assert reply.status_code == 302, reply.content.decode()[:3000]
    the_lead.refresh_from_db()
    assert the_lead.role == "partnership_lead" and the_lead.services.count() == 0
    reply = change_user(admin_user_client, service_lead, role="service_lead", existing=the_lead)
    assert reply.status_code == 200 and "A service lead needs at least one service." in reply.content.decode()
    the_lead.refresh_from_db()
    assert the_lead.role == "partnership_lead"


def test_the_list_of_leads_adds_a_role_to_an_existing_account(admin_user_client, chadwick):
    dave = User.objects.create_user("dave", password=PASSWORD)
    url = "/admin/dashboard/lead/add/"
    reply = admin_user_client.post(url, {"user": dave.pk, "role": "service_lead"})
    assert reply.status_code == 200 and "A service lead needs at least one service." in reply.content.decode()
    assert not Lead.objects.exists()
    reply = admin_user_client.post(url, {"user": dave.pk, "role": "service_lead", "services": [chadwick.pk]})
    assert reply.status_code == 302
    assert [service.code for service in Lead.objects.get(user=dave).services.all()] == ["CL"]


def test_staff_without_permissions_cannot_add_or_change_leads(db, chadwick, service_lead):
    clerk = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    client = Client()
    client.force_login(clerk)
    assert client.get("/admin/dashboard/lead/add/").status_code == 403
    assert client.get("/admin/auth/user/add/").status_code == 403
    assert add_user(client, "mallory", role="partnership_lead").status_code == 403
    assert change_user(client, service_lead, role="partnership_lead", existing=service_lead.lead).status_code == 403
    assert not User.objects.filter(username="mallory").exists()
    assert Lead.objects.get(user=service_lead).role == "service_lead"


# --- unlocking -----------------------------------------------------------------------


def lock(username):
    client = Client()
    for attempt in range(10):
        client.post("/accounts/login/", {"username": username, "password": f"wrong {attempt}"})
    reply = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert "locked for 15 minutes" in reply.content.decode()


def signs_in(username):
    return Client().post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302


def test_locked_sign_ins_are_listed_and_unlocked_in_the_admin(admin_user_client, caplog):
    lead("alice", "partnership_lead")
    lock("alice")
    caplog.set_level(logging.INFO, logger="accounts.auth")
    listing = admin_user_client.get("/admin/accounts/loginthrottle/").content.decode()
    assert "alice" in listing and "Unlock" in listing
    assert admin_user_client.get("/admin/accounts/loginthrottle/add/").status_code == 403
    row = LoginThrottle.objects.get(username="alice")
    assert row.attempts == 10 and row.locked_until is not None
    reply = admin_user_client.post(
        "/admin/accounts/loginthrottle/", {"action": "unlock", "_selected_action": [row.pk]}, follow=True
    )
    assert "Unlocked sign-in for 1 username." in reply.content.decode()
    assert not LoginThrottle.objects.exists()
    assert "login unlocked: username 'alice' by 'root'" in caplog.text
    assert signs_in("alice")


def test_the_user_admin_unlocks_sign_in(admin_user_client, caplog):
    alice = lead("alice", "partnership_lead")
    lock("alice")
    caplog.set_level(logging.INFO, logger="accounts.auth")
    reply = admin_user_client.post("/admin/auth/user/", {"action": "unlock_sign_in", "_selected_action": [alice.pk]}, follow=True)
    assert "Unlocked sign-in for 1 username." in reply.content.decode()
    assert "login unlocked: username 'alice' by 'root'" in caplog.text
    assert signs_in("alice")


def test_staff_without_permissions_cannot_unlock(db):
    lead("alice", "partnership_lead")
    lock("alice")
    clerk = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_loginthrottle"))
    client = Client()
    client.force_login(clerk)
    row = LoginThrottle.objects.get()
    assert client.get("/admin/accounts/loginthrottle/").status_code == 200
    client.post("/admin/accounts/loginthrottle/", {"action": "unlock", "_selected_action": [row.pk]})
    assert LoginThrottle.objects.filter(locked_until__isnull=False).exists()
    assert not signs_in("alice")


def test_unlock_user_command(db, caplog):
    lead("alice", "partnership_lead")
    lock("alice")
    caplog.set_level(logging.INFO, logger="accounts.auth")
    out = io.StringIO()
    call_command("unlock_user", "Alice", stdout=out)
    assert "Unlocked sign-in for Alice." in out.getvalue()
    assert "login unlocked: username 'alice' by" in caplog.text and "manage.py unlock_user" in caplog.text
    assert signs_in("alice")
    out = io.StringIO()
    call_command("unlock_user", "alice", stdout=out)
    assert "had no failed sign-ins" in out.getvalue()
