"""GET /healthz: what the container's healthcheck and a trust's monitoring ask (docs/operations.md).

It answers before the https redirect and the Host check (the healthcheck calls
http://127.0.0.1:8000/healthz inside the container), sets no cookie and logs nothing.
"""

import logging

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

PRODUCTION_LIKE = {"ALLOWED_HOSTS": ["survey.example.nhs.uk"], "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000}


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)


@pytest.fixture
def every_log_line(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.django_db
def test_ok_when_the_database_answers(client, every_log_line):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}
    assert reply["Content-Type"] == "application/json"
    assert reply["Cache-Control"] == "no-store"
    assert every_log_line.records == []


@pytest.mark.django_db
def test_unavailable_when_the_database_fails(client, database_down, every_log_line):
    reply = client.get("/healthz")
    assert reply.status_code == 503
    assert reply.json() == {"status": "unavailable"}
    assert reply["Cache-Control"] == "no-store"
    # Django's request logger would otherwise write "Service Unavailable: /healthz" every 10 s.
    assert every_log_line.records == []


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE)
def test_answers_over_plain_http_to_any_host_in_production(client, every_log_line):
    """The container's own healthcheck: plain http, Host 127.0.0.1:8000, neither allowed in production."""
    reply = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}
    assert every_log_line.records == []
    # The same settings send every other page to https, and refuse the host.
    assert client.get("/", HTTP_HOST="survey.example.nhs.uk").status_code == 301
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_head_answers_like_get_without_a_body(client, every_log_line):
    reply = client.head("/healthz")
    assert reply.status_code == 200
    assert reply.content == b""
    assert reply["Cache-Control"] == "no-store"
    assert every_log_line.records == []


@pytest.mark.django_db
def test_no_cookie_even_with_a_language_asked_for(client):
    reply = client.get("/healthz?lang=cy", HTTP_ACCEPT_LANGUAGE="cy")
    assert "Set-Cookie" not in reply
    assert not reply.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_other_methods_are_not_allowed(client, method, every_log_line):
    # No CSRF token needed to be told no: a POST without one is a 405, not a 403.
    reply = getattr(client, method)("/healthz")
    assert reply.status_code == 405
    assert reply["Allow"] == "GET, HEAD"
    assert "Set-Cookie" not in reply
    assert every_log_line.records == []


@pytest.mark.django_db
def test_other_paths_pass_through(client):
    # The usual middleware still runs for them: a missing page is a 404 with its headers.
    reply = client.get("/healthz/")
    assert reply.status_code == 404
    assert reply["X-Frame-Options"] == "DENY"
    assert client.get("/").status_code == 200
