"""The second factor (docs/sign-in.md): an authenticator app's 6-digit code after the password,
compulsory with PEERSURVEY_REQUIRE_MFA on, asked of anyone who set one up when it is off."""

from __future__ import annotations

import base64
import logging
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/"
# Pages are sent to give the code; data (JSON, CSV, PDF, slides) is refused.
PAGES = ["/dashboard/", "/dashboard/trends/?question=useful", "/dashboard/quotes/", "/admin/", "/admin/auth/user/"]
DATA = ["/dashboard/data.json", "/dashboard/charts.json", "/dashboard/export/aggregate.csv", "/dashboard/report.pdf"]


@pytest.fixture
def required(settings):
    settings.PEERSURVEY_REQUIRE_MFA = True


def code_for(device: TOTPDevice, step_offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + step_offset * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code the app shows at no time near now (neither now nor one step either side)."""
    near = {code_for(device, offset) for offset in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(1000000)) if code not in near)


def password_login(username: str) -> Client:
    client = Client()
    reply = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert reply.status_code == 302, reply.content
    return client


def set_up(client: Client) -> TOTPDevice:
    """Through the set-up page, as a person would: open it, type the app's code."""
    client.get(SETUP)
    device = TOTPDevice.objects.get(user__username=_user_of(client), confirmed=False)
    reply = client.post(SETUP, {"code": code_for(device), "next": "/dashboard/"})
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/"
    device.refresh_from_db()
    return device


def _user_of(client: Client) -> str:
    return get_user_model().objects.get(pk=client.session["_auth_user_id"]).get_username()


def confirmed_device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


# --- with the setting on: nobody reaches the dashboard or the admin without one ---------------------


@pytest.mark.parametrize("path", PAGES)
def test_a_lead_without_an_app_is_sent_from_every_page_to_give_a_code(required, national_client, path):
    reply = national_client.get(path)
    assert reply.status_code == 302
    assert reply["Location"].startswith(VERIFY + "?next=")
    # ...and from there on to set one up, keeping where they were going.
    onward = national_client.get(reply["Location"])
    assert onward.status_code == 302 and onward["Location"].startswith(SETUP + "?next=")
    assert national_client.get(onward["Location"]).status_code == 200


@pytest.mark.parametrize("path", DATA)
def test_a_lead_without_an_app_gets_no_data_json_csv_or_pdf(required, national_client, path):
    reply = national_client.get(path)
    assert reply.status_code == 403
    body = reply.content.decode()
    assert "/accounts/two-factor/" in body
    if path.endswith(".json"):
        assert reply.json() == {
            "errors": {"access": ["Enter the code from your authenticator app first, at /accounts/two-factor/."]}
        }
    else:
        assert reply["Content-Type"].startswith("text/plain")


def test_changing_the_password_needs_the_code_too(required, national_client):
    reply = national_client.get("/accounts/password_change/")
    assert reply.status_code == 302 and reply["Location"].startswith(VERIFY)


def test_log_out_collection_pages_and_the_home_page_stay_reachable(required, national_client, patient_link):
    assert national_client.get(f"/c/{patient_link.token}/").status_code == 200
    assert national_client.get("/").status_code == 200
    assert national_client.get("/jsi18n/").status_code == 200
    reply = national_client.post("/accounts/logout/")
    assert reply.status_code == 302 and reply["Location"] == "/accounts/login/"
    assert national_client.get("/dashboard/")["Location"].startswith("/accounts/login/")


def test_the_setup_page_shows_an_svg_qr_code_and_the_secret_to_type(required, national_client):
    page = national_client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user__username="national_lead")
    assert not device.confirmed
    image = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert image, "no QR code image"
    svg = base64.b64decode(image.group(1)).decode()
    assert "<svg" in svg and "<path" in svg
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in page
    # Opening it again shows the same secret: a QR code already scanned stays good.
    assert grouped in national_client.get(SETUP).content.decode()
    assert TOTPDevice.objects.filter(user__username="national_lead").count() == 1


def test_a_wrong_code_does_not_confirm_the_app_and_keeps_the_lead_out(required, national_client):
    national_client.get(SETUP)
    device = TOTPDevice.objects.get(user__username="national_lead")
    reply = national_client.post(SETUP, {"code": wrong_code(device)})
    assert reply.status_code == 400
    assert "That code is not right" in reply.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1
    assert national_client.get("/dashboard/").status_code == 302


def test_a_code_that_is_not_six_digits_is_explained_and_not_counted(required, national_client):
    national_client.get(SETUP)
    reply = national_client.post(SETUP, {"code": "12a456"})
    assert reply.status_code == 400 and "Enter the 6 digits your app shows" in reply.content.decode()
    assert TOTPDevice.objects.get(user__username="national_lead").throttling_failure_count == 0


def test_the_right_code_confirms_the_app_renews_the_session_and_lets_the_lead_in(required, national_client):
    old_key = national_client.cookies["sessionid"].value
    national_client.get(SETUP)
    device = TOTPDevice.objects.get(user__username="national_lead")
    # Typed as the app shows it, with a space.
    code = code_for(device)
    reply = national_client.post(SETUP, {"code": f"{code[:3]} {code[3:]}", "next": "/dashboard/data.json"})
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/data.json"
    device.refresh_from_db()
    assert device.confirmed
    assert national_client.cookies["sessionid"].value != old_key
    assert national_client.get("/dashboard/").status_code == 200
    assert national_client.get("/dashboard/data.json").status_code == 200


def test_the_next_sign_in_asks_for_the_code_and_the_right_one_lets_the_lead_in(required, national_lead):
    device = confirmed_device_for(national_lead)
    client = password_login("national_lead")
    reply = client.get("/dashboard/")
    assert reply.status_code == 302 and reply["Location"] == VERIFY + "?next=%2Fdashboard%2F"
    page = client.get(reply["Location"])
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    # With a password alone, the app cannot be swapped for another.
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    reply = client.post(VERIFY, {"code": code_for(device), "next": "/dashboard/"})
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_replayed_code_is_refused_and_counted_then_the_app_is_throttled(required, national_lead, caplog):
    device = confirmed_device_for(national_lead)
    code = code_for(device)
    first = password_login("national_lead")
    assert first.post(VERIFY, {"code": code})["Location"] == "/dashboard/"
    # Someone who saw that code, with the password, on another computer.
    second = password_login("national_lead")
    with caplog.at_level(logging.INFO, logger="accounts.auth"):
        replay = second.post(VERIFY, {"code": code})
        assert replay.status_code == 400
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        # Straight away, even the right code is not tried: wait first.
        throttled = second.post(VERIFY, {"code": code_for(device, 1)})
    assert throttled.status_code == 429
    assert "Too many wrong codes. Wait 1 second, then enter the code your app shows." in throttled.content.decode()
    assert second.get("/dashboard/").status_code == 302
    messages = [record.getMessage() for record in caplog.records if record.name == "accounts.auth"]
    assert any("refused: username 'national_lead' (1 wrong in a row)" in m for m in messages), messages
    assert any("'national_lead' is throttled" in m for m in messages), messages
    assert not any(code in m or code_for(device, 1) in m for m in messages)
    assert not any("127.0.0.1" in m for m in messages)


def test_the_wait_doubles_with_each_wrong_code(required, national_lead):
    device = confirmed_device_for(national_lead)
    device.throttling_failure_count = 4
    device.save()
    device.throttle_increment()  # the fifth: 16 seconds
    client = password_login("national_lead")
    reply = client.post(VERIFY, {"code": code_for(device)})
    assert reply.status_code == 429
    assert re.search(r"Wait 1[56] seconds", reply.content.decode())


def test_a_next_to_another_site_is_refused(required, national_lead):
    device = confirmed_device_for(national_lead)
    client = password_login("national_lead")
    page = client.get(VERIFY + "?next=https://evil.example/steal").content.decode()
    assert '<input type="hidden" name="next" value="/dashboard/">' in page
    reply = client.post(VERIFY, {"code": code_for(device), "next": "//evil.example/"})
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/"


def test_the_middleware_keeps_next_on_this_site(required, national_client):
    reply = national_client.get("/dashboard/quotes/?service=CL")
    assert reply["Location"] == VERIFY + "?next=%2Fdashboard%2Fquotes%2F%3Fservice%3DCL"


# --- with the setting off (make run, the suite): only those who set one up are asked ---------------


def test_setting_off_a_lead_without_an_app_goes_straight_in(national_client):
    assert national_client.get("/dashboard/").status_code == 200
    assert national_client.get("/dashboard/data.json").status_code == 200


def test_setting_off_a_lead_with_an_app_is_still_asked_for_its_code(national_lead, client):
    device = confirmed_device_for(national_lead)
    client.force_login(national_lead)
    assert client.get("/dashboard/")["Location"].startswith(VERIFY)
    assert client.get("/dashboard/data.json").status_code == 403
    assert client.post(VERIFY, {"code": code_for(device)})["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_setting_off_a_lead_may_set_up_an_app_of_their_own_accord(national_client):
    page = national_client.get(SETUP).content.decode()
    assert "You can add a second step" in page
    device = set_up(national_client)
    assert device.confirmed
    assert password_login("national_lead").get("/dashboard/")["Location"].startswith(VERIFY)


def test_a_new_phone_replaces_the_old_one_once_its_code_is_given(national_client, national_lead):
    first = set_up(national_client)
    page = national_client.get(SETUP).content.decode()
    assert "Setting up a new one replaces it once you enter a code from the new one." in page
    second = TOTPDevice.objects.get(user=national_lead, confirmed=False)
    assert national_client.post(SETUP, {"code": code_for(second)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=national_lead)) == [second]
    assert not TOTPDevice.objects.filter(pk=first.pk).exists()


# --- password reset, the login page, the admin ----------------------------------------------------


def test_there_are_no_password_reset_pages(client, db):
    for path in ("/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/done/"):
        assert client.get(path).status_code == 404
    page = client.get("/accounts/login/").content.decode()
    assert "Ask an administrator" in page and "lost the phone" in page


def test_an_administrator_can_remove_a_lost_app_and_sees_no_secret(required, national_lead):
    get_user_model().objects.create_superuser("boss", password=PASSWORD)
    boss = get_user_model().objects.get(username="boss")
    boss_device = confirmed_device_for(boss)
    lost = confirmed_device_for(national_lead)
    assert admin.site.is_registered(TOTPDevice)
    client = password_login("boss")
    assert client.get("/admin/otp_totp/totpdevice/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(boss_device)})
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200 and "national_lead" in listing.content.decode()
    change = client.get(f"/admin/otp_totp/totpdevice/{lost.pk}/change/").content.decode()
    assert lost.key not in change
    assert client.post(f"/admin/otp_totp/totpdevice/{lost.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    # The lead is asked to set up again at the next sign-in.
    lead = password_login("national_lead")
    assert lead.get(VERIFY)["Location"].startswith(SETUP)


def test_a_session_signed_in_before_the_app_was_noted_still_looks_for_one(national_lead, client):
    client.force_login(national_lead)
    confirmed_device_for(national_lead)
    session = client.session
    del session["accounts_has_second_factor"]
    session.save()
    assert client.get("/dashboard/data.json").status_code == 403
    assert client.get("/dashboard/")["Location"].startswith(VERIFY)
