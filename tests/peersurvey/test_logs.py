"""What reaches the logs (docs/security.md, "Logs, dates and body size"): no line forged
through a URL (%0A is a line end once decoded), no link token, no client address and no
time of day, and no access line for the health check; in Django's logs (runserver's
access log, the request and security logs) and in gunicorn's, run for real."""

import contextlib
import io
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
FORGED = "INFO accounts: login succeeded: username 'admin'"
FORGED_URL = "/nothing%0A" + FORGED.replace(" ", "%20").replace("'", "%27") + "%0D%0Aend"
TIME_OF_DAY = re.compile(r"\d\d:\d\d:\d\d")


@pytest.fixture
def log_output():
    """Everything Django's configured handlers write, through their filters and formatters."""
    out = io.StringIO()
    handlers = {
        handler
        for name in ("", "django", "django.server", "django.request", "django.security", "django.security.csrf")
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler  # the settings' handlers, not pytest's captures
    }
    before = {handler: handler.setStream(out) for handler in handlers}
    yield out
    for handler, stream in before.items():
        handler.setStream(stream)


def forged_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(FORGED) or line.startswith("end")]


@pytest.mark.django_db
def test_a_line_end_in_a_url_is_escaped_in_the_request_log(client, log_output):
    assert client.get(FORGED_URL).status_code == 404
    written = log_output.getvalue()
    # Django escapes the path itself (as \n); the filter escapes whatever is left.
    [line] = [line for line in written.splitlines() if "Not Found: /nothing" in line]
    assert FORGED in line and line.endswith("end")
    assert forged_lines(written) == []


def test_a_line_end_in_runserver_s_access_line_is_escaped_and_the_health_check_is_not_logged(log_output):
    server = logging.getLogger("django.server")
    server.info('"%s" %s %s', f"GET /x\n{FORGED} HTTP/1.1", "404", "179")
    server.info('"%s" %s %s', "GET /healthz HTTP/1.1", "200", "15")
    server.info('"%s" %s %s', "HEAD /healthz HTTP/1.1", "200", "0")
    written = log_output.getvalue()
    assert f"GET /x\\x0a{FORGED}" in written
    assert forged_lines(written) == [] and "healthz" not in written


@pytest.mark.django_db
def test_a_refused_csrf_check_on_a_collection_page_does_not_log_its_token(staff_link, log_output):
    reply = Client(enforce_csrf_checks=True).post(f"/c/{staff_link.token}/", {"useful": "yes"})
    assert reply.status_code == 403
    written = log_output.getvalue()
    assert "Forbidden (CSRF" in written and "a collection request" in written
    assert staff_link.token not in written


# --- gunicorn, for real ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_gunicorn(database_url: str, **environment):
    """gunicorn with the production configuration (gunicorn.conf.py), one worker, on a free
    port; yields (port, output) where output() stops it and returns what it wrote."""
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "peersurvey.settings",
        "PYTHONUNBUFFERED": "1",
        **environment,
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "peersurvey.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    finished: list[str] = []

    def output() -> str:
        if not finished:
            process.terminate()
            finished.append(process.communicate(timeout=15)[0].decode("utf-8", "replace"))
        return finished[0]

    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, output()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        # The worker loads Django on its first request: wait for that too.
        send(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        yield port, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def send(port: int, raw: bytes, timeout: float = 20) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(raw)
        reply = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := connection.recv(65536):
                reply += chunk
    return reply


def test_gunicorn_logs_no_forged_line_token_address_time_or_health_check(tmp_path):
    token = secrets.token_urlsafe(24)
    with running_gunicorn(f"sqlite:///{tmp_path / 'empty.sqlite3'}") as (port, output):
        forged = send(port, f"GET {FORGED_URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        assert forged.startswith(b"HTTP/1.1 404")
        assert send(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1")
        # Malformed collection requests that gunicorn itself refuses (its error log).
        bad_length = send(port, f"GET /c/{token} HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n".encode())
        assert bad_length.startswith(b"HTTP/1.1 400")
        long_header = f"GET /c/{token}/ HTTP/1.1\r\nHost: x\r\nX-Long: {'a' * 9000}\r\n\r\n".encode()
        assert send(port, long_header).startswith(b"HTTP/1.1 4")
        bad_line = send(port, f"GET /c/{token}/ HTTP/1.1 extra\r\nHost: x\r\n\r\n".encode())
        assert bad_line.startswith(b"HTTP/1.1 400")
        written = output()
    assert "Invalid request" in written and '"GET /nothing\\x0a' in written, written
    assert forged_lines(written) == [], written
    assert token not in written, written
    assert "ip=" not in written and "127.0.0.1" not in written.replace(f"127.0.0.1:{port}", ""), written
    assert not TIME_OF_DAY.search(written), written
    assert "healthz" not in written, written
