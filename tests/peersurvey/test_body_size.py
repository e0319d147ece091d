"""A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (256 KB) is refused with 413 before anything
reads it (peersurvey/limits.py), whether or not nginx stands in front: Django streams a
multipart file part to disk whatever that setting says, and a chunked body carries no
Content-Length for Django to check (docs/security.md, "Logs, dates and body size")."""

import socket
import threading

import pytest
from django.db import connection
from django.test import Client

from surveys.models import Response
from tests.peersurvey.test_logs import running_gunicorn

CSRF = "a" * 32  # a cookie secret of the right form, sent back in the header as a browser's script would


def multipart(fields: dict[str, str], file_size: int, boundary: str = "xYzZy") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n' for name, value in fields.items()
    ]
    head = "".join(parts) + f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n'
    return head.encode() + b"x" * file_size + f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.django_db
def test_a_form_with_a_file_part_over_the_limit_is_413_and_stores_nothing(client, staff_link, settings):
    body = multipart({"useful": "yes"}, settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    reply = client.post(f"/c/{staff_link.token}/", body, content_type="multipart/form-data; boundary=xYzZy")
    assert reply.status_code == 413
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes" in reply.content.decode()
    assert not Response.objects.exists()
    # The same answers in a small body are kept.
    small = multipart({"useful": "yes"}, 10)
    assert client.post(f"/c/{staff_link.token}/", small, content_type="multipart/form-data; boundary=xYzZy").status_code == 302
    assert Response.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=xYzZy"])
def test_the_api_answers_413_in_its_own_error_shape_whatever_the_body(api, ward_tablet, settings, content_type):
    body = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    reply = Client().post(f"/api/v1/links/{ward_tablet.token}/responses", body, content_type=content_type)
    assert reply.status_code == 413 and reply["Content-Type"] == "application/json"
    assert reply.json() == {"errors": {"body": [f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."]}}
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_dashboard_form_over_the_limit_is_413(service_client, settings):
    body = multipart({"paper_date": "2026-10-01", "useful": "yes"}, settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    reply = service_client.post("/dashboard/paper/CL/staff/", body, content_type="multipart/form-data; boundary=xYzZy")
    assert reply.status_code == 413
    assert not Response.objects.exists()


def this_database_url() -> str:
    """The test database, for a web process started by the test (it sees what the test committed)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def post_through_a_socket(port: int, head: bytes, body_chunks) -> bytes:
    """Send the head, then the body from another thread (the server may answer, and close,
    before it has all of it), and read the reply."""
    connection_ = socket.create_connection(("127.0.0.1", port), timeout=20)

    def send_body():
        try:
            for chunk in body_chunks:
                connection_.sendall(chunk)
        except OSError:
            pass  # refused part-way: what a server that will not read it does

    connection_.sendall(head)
    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    reply = b""
    try:
        while not reply.endswith(b"\r\n\r\n") and b"\r\n\r\n" not in reply:
            chunk = connection_.recv(65536)
            if not chunk:
                break
            reply += chunk
    finally:
        connection_.close()
    return reply


FIFTY_MB = 50 * 1024 * 1024


@pytest.mark.django_db(transaction=True)
def test_gunicorn_reached_directly_refuses_50_mb_with_or_without_a_content_length(staff_link, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    fields = {"useful": "yes", "csrfmiddlewaretoken": CSRF}
    body = multipart(fields, FIFTY_MB)
    cookie = f"Cookie: csrftoken={CSRF}\r\n"
    path = f"/c/{staff_link.token}/"
    with running_gunicorn(this_database_url(), TMPDIR=str(uploads)) as (port, output):
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}Content-Type: multipart/form-data; boundary=xYzZy\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        sized = post_through_a_socket(port, head, (body[i : i + (1 << 20)] for i in range(0, len(body), 1 << 20)))
        chunked_head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}Content-Type: multipart/form-data; boundary=xYzZy\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ).encode()
        chunks = (b"%x\r\n%s\r\n" % (len(body[i : i + (1 << 20)]), body[i : i + (1 << 20)]) for i in range(0, len(body), 1 << 20))
        chunked = post_through_a_socket(port, chunked_head, (*chunks, b"0\r\n\r\n"))
        # A small chunked body is read and handed on: the tablet's answer is kept.
        answer = b'{"client_id": "0b5b3c5e-2f4e-4a53-9d0e-6f1d2b3c4d5e", "answers": {"useful": "yes"}}'
        small_head = (
            f"POST /api/v1/links/{staff_link.token}/responses HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ).encode()
        small = post_through_a_socket(port, small_head, [b"%x\r\n%s\r\n0\r\n\r\n" % (len(answer), answer)])
        held = sum(file.stat().st_size for file in uploads.rglob("*") if file.is_file())
        output()
    assert sized.startswith(b"HTTP/1.1 413"), sized[:200]
    assert chunked.startswith(b"HTTP/1.1 413"), chunked[:200]
    assert small.startswith(b"HTTP/1.1 201"), small[:200]
    assert Response.objects.count() == 1
    assert held < 1024 * 1024
