"""Hardening: production settings, password hashing, headers, login throttling, sessions, the access log.
(Submission limits: tests/surveys/test_submission_limits.py.)"""

import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import global_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone
from gunicorn.config import Config

from peersurvey import settings as production_settings
from peersurvey.gunicorn_logging import AnonymousAccessLogger
from tests.factories import DASHBOARD_URLS, PASSWORD, lead

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Kq2-production-like-secret-" + "9f3a" * 10,
    "ALLOWED_HOSTS": "survey.example.nhs.uk",
    "CSRF_TRUSTED_ORIGINS": "https://survey.example.nhs.uk",
    "TRUST_X_FORWARDED_PROTO": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_COOKIES": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
}


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_values():
    env = {**os.environ, **PRODUCTION}
    # Set for the browser tests' live server only; never in a deployment.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("DATABASE_URL", None)
    result = check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_complains_about_development_values():
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    result = check_deploy(env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_production_hashes_passwords_with_pbkdf2_and_only_the_suite_with_md5(settings):
    """tests/conftest.py's fast hasher (MD5) is the suite's alone."""
    fast = "django.contrib.auth.hashers.MD5PasswordHasher"
    assert settings.PASSWORD_HASHERS == [fast]
    hashers = getattr(production_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert fast not in hashers


def csp(reply):
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in reply["Content-Security-Policy"].split(";") if part.strip())


@pytest.mark.parametrize("who", ["anonymous", "lead"])
def test_every_html_page_has_a_strict_policy(client, ward_tablet, staff_link, national_lead, who):
    if who == "lead":
        client.force_login(national_lead)
    pages = [ward_tablet.path, staff_link.path, "/", "/accounts/login/"]
    if who == "lead":
        pages += ["/dashboard/", "/dashboard/quotes/", "/dashboard/report/", "/dashboard/paper/"]
    for path in pages:
        reply = client.get(path)
        assert reply.status_code == 200, path
        policy = csp(reply)
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert reply["X-Content-Type-Options"] == "nosniff"
        assert reply["Referrer-Policy"] == "same-origin"
        assert reply["X-Frame-Options"] == "DENY"


def test_dashboard_data_and_exports_are_never_cached(national_client):
    for path in DASHBOARD_URLS:
        assert "no-store" in national_client.get(path)["Cache-Control"], path


def log_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_locks_a_username_after_ten_failures_not_the_address(client, db, caplog):
    cache.clear()
    alice = lead("alice", "partnership_lead")
    lead("bob", "partnership_lead")
    caplog.set_level(logging.INFO, logger="accounts.auth")
    for attempt in range(10):
        reply = log_in(client, "alice", f"wrong password {attempt}")
        assert reply.status_code == 200 and "_auth_user_id" not in client.session
    # Locked: even the right password is refused, and says why.
    reply = log_in(client, "alice", PASSWORD)
    assert "locked for 15 minutes" in reply.content.decode()
    assert "_auth_user_id" not in client.session
    # Bob, at the same hospital address, is not affected.
    assert log_in(client, "bob", PASSWORD).status_code == 302
    assert "wrong password" not in caplog.text and PASSWORD not in caplog.text
    assert "login failed: username 'alice' (10 of 10)" in caplog.text
    assert "127.0.0.1" not in caplog.text
    # Fifteen minutes later (the lock's expiry), alice gets in again.
    client.logout()
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=16)):
        assert log_in(client, "alice", PASSWORD).status_code == 302  # the lock has expired
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_admin_login_is_throttled_too(client, db):
    cache.clear()
    for attempt in range(10):
        client.post("/admin/login/", {"username": "root", "password": f"guess {attempt}"})
    assert "locked for 15 minutes" in client.post("/admin/login/", {"username": "root", "password": "x"}).content.decode()


def test_sessions_expire_after_an_hour_without_a_page_view_even_with_the_dashboard_open(client, national_lead, settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    client.force_login(national_lead)

    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get("/dashboard/data.json")
    client.get("/dashboard/charts.json")
    assert expiry() < timezone.now() + timedelta(minutes=6)  # the live refresh does not keep it alive
    client.get("/dashboard/")
    assert expiry() > timezone.now() + timedelta(minutes=55)  # a page a person opened does
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/dashboard/data.json").status_code == 302  # idle too long: log in again


@pytest.mark.parametrize(
    "path,logged",
    [
        ("/c/abc123/", False),
        ("/api/v1/links/abc123/responses", False),
        ("/dashboard/", True),
    ],
)
def test_gunicorn_access_log_leaves_out_collection_requests_and_addresses(path, logged):
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '"%(m)s %(U)s" %(s)s %(B)s %(M)sms')
    logger = AnonymousAccessLogger(config)
    lines = []
    logger.access_log.handlers = []
    logger.access_log.addHandler(logging.Handler())
    logger.access_log.handlers[0].emit = lambda record: lines.append(record.getMessage())

    class Response:
        status = "200 OK"
        sent = 10
        headers = []
        response_length = 10

    environ = {
        "PATH_INFO": path,
        "RAW_URI": path,
        "REQUEST_METHOD": "GET",
        "REMOTE_ADDR": "203.0.113.5",
        "QUERY_STRING": "",
        "HTTP_USER_AGENT": "Probe",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger.access(
        Response(),
        type("Req", (), {"headers": [], "method": "GET", "path": path, "query": "", "uri": path, "version": (1, 1)})(),
        environ,
        timedelta(seconds=0.01),
    )
    assert bool(lines) is logged
    assert not any("203.0.113.5" in line or "Probe" in line for line in lines)
