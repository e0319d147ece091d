"""Nothing identifying is stored or logged (docs/contract.md, "Collection rules")."""

import io
import logging
import re
import uuid

from django.apps import apps
from django.db import connection, models

from surveys.logging import HideCollectionRequests
from surveys.models import Response

PROBE_ADDRESS = "203.0.113.77"
PROBE_AGENT = "AnonymityProbe/9.9 (Ward tablet 7)"
FORBIDDEN_NAMES = ("ip", "addr", "agent", "device", "user", "account", "session", "time", "created_at", "updated_at")


def test_collection_tables_have_no_identifying_or_time_of_day_column():
    for model in apps.get_app_config("surveys").get_models():
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False):
                continue
            assert not isinstance(field, (models.DateTimeField, models.TimeField)), (model.__name__, field.name)
            assert not isinstance(field, models.GenericIPAddressField), (model.__name__, field.name)
            name = field.name.lower()
            assert not any(part in name.split("_") for part in FORBIDDEN_NAMES), (model.__name__, field.name)


def _everything_stored() -> str:
    """Every cell of every table the project owns, as one string."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("surveys_", "dashboard_")):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
                cells.extend(str(cell) for row in cursor.fetchall() for cell in row)
    return "\n".join(cells)


def test_a_submission_leaves_no_address_agent_or_time_in_the_database_or_logs(api, client, ward_tablet, staff_link, caplog):
    caplog.set_level(logging.DEBUG)
    # django.request and django.server do not propagate to the root logger.
    quiet = [logging.getLogger(name) for name in ("django.request", "django.server")]
    for logger in quiet:
        logger.addHandler(caplog.handler)
    probe = {"REMOTE_ADDR": PROBE_ADDRESS, "HTTP_USER_AGENT": PROBE_AGENT, "HTTP_X_FORWARDED_FOR": PROBE_ADDRESS}
    reply = api.client.post(
        f"/api/v1/links/{ward_tablet.token}/responses",
        {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}},
        content_type="application/json",
        **probe,
    )
    assert reply.status_code == 201
    assert client.post(staff_link.path, {"useful": "no"}, **probe).status_code == 302
    # A refused one is logged as a warning; that line must not identify either.
    api.client.post(f"/api/v1/links/{ward_tablet.token}/responses", "{}", content_type="application/json", **probe)

    for logger in quiet:
        logger.removeHandler(caplog.handler)
    assert "Bad Request" in caplog.text
    stored = _everything_stored()
    assert Response.objects.count() == 2
    for secret in (PROBE_ADDRESS, PROBE_AGENT, "AnonymityProbe"):
        assert secret not in stored
        assert secret not in caplog.text
    for response in Response.objects.all():
        assert not hasattr(response, "created_at")
        assert type(response.submitted_on).__name__ == "date"


def test_a_thousand_submissions_leave_no_trace_and_ids_do_not_follow_their_order(api, ward_tablet, caplog, settings):
    settings.PEERSURVEY_LINK_RATE_LIMIT = 10_000
    caplog.set_level(logging.DEBUG)
    probe = {"REMOTE_ADDR": PROBE_ADDRESS, "HTTP_USER_AGENT": PROBE_AGENT}
    ids = []
    for index in range(1000):
        reply = api.client.post(
            f"/api/v1/links/{ward_tablet.token}/responses",
            {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes", "comments": f"answer {index}"}},
            content_type="application/json",
            **probe,
        )
        assert reply.status_code == 201
        ids.append(reply.json()["id"])
    assert Response.objects.count() == 1000
    assert all(uuid.UUID(value).version == 4 for value in ids)
    # Random ids: 1,000 of them sort in submission order with probability 1/1000!.
    assert sorted(ids) != ids
    by_id = list(Response.objects.order_by("id").values_list("number", flat=True))
    assert by_id != sorted(by_id)
    stored = _everything_stored()
    for secret in (PROBE_ADDRESS, PROBE_AGENT):
        assert secret not in stored and secret not in caplog.text
    # No time of day in any stored cell: nothing shaped like HH:MM.
    assert not re.search(r"\b\d{2}:\d{2}(:\d{2})?\b", stored)


def _record(message, *args, path=None):
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, message, args, None)
    if path is not None:
        record.request = type("Request", (), {"path": path})()
    return record


def test_access_log_leaves_out_collection_requests_and_client_addresses():
    keep = HideCollectionRequests().filter
    assert not keep(_record('"%s" %s %s', "POST /api/v1/links/abc/responses HTTP/1.1", "201", "40"))
    assert not keep(_record('"%s" %s %s', "GET /c/abc/ HTTP/1.1", "200", "900"))
    assert not keep(_record("Bad Request: %s", "/c/abc/", path="/c/abc/"))
    assert not keep(_record("- Broken pipe from %s", ("10.1.2.3", 5555)))
    assert keep(_record('"%s" %s %s', "GET /dashboard/ HTTP/1.1", "200", "900"))


def test_djangos_request_log_keeps_the_warning_but_not_the_link_of_a_collection_request(api, ward_tablet, client):
    (handler,) = [
        handler
        for handler in logging.getLogger("django.request").handlers
        if any(type(f).__name__ == "RedactCollectionPaths" for f in handler.filters)
    ]
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        api.client.post(f"/api/v1/links/{ward_tablet.token}/responses", "{not json", content_type="application/json")
        client.get("/dashboard/no-such-page/")
    finally:
        handler.setStream(previous)
    log = written.getvalue()
    assert "Bad Request: a collection request" in log
    assert ward_tablet.token not in log
    assert "Not Found: /dashboard/no-such-page/" in log  # other paths are kept
