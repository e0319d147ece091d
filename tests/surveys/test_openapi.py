"""docs/openapi.json against the app (docs/contract.md, "JSON submission API"): every
documented path resolves and every API URL is documented; real replies, of every documented
status, validate against the documented schemas and headers; nginx's own error bodies
have the app's shape; the document's example is accepted."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from dashboard.selection import Selection
from surveys.codes import Security, Specialism
from surveys.models import Response, Wave
from surveys.services import denominator_set, link_create, link_revoke, wave_upsert
from tests.factories import answer

DOCS = Path(settings.BASE_DIR) / "docs"
DOCUMENT = json.loads((DOCS / "openapi.json").read_text())
NGINX = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
URI = "urn:peersurvey:openapi"
REGISTRY = Registry().with_resource(URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012))
SUBMIT = "/api/v1/links/{token}/responses"
DATA = "/dashboard/data.json"
VIEWS = {SUBMIT: "surveys:api-responses", DATA: "dashboard:data"}


def pointer(*segments: str) -> str:
    return "".join("/" + quote(segment.replace("~", "~0").replace("/", "~1"), safe="~") for segment in segments)


def validator(*segments: str) -> Draft202012Validator:
    """A validator for the schema at that place in the document, its $refs resolved."""
    return Draft202012Validator(
        {"$ref": URI + "#" + pointer(*segments)}, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def deref(node: dict) -> dict:
    while "$ref" in node:
        node = REGISTRY.resolver(URI).lookup(node["$ref"]).contents
    return node


def conforms(reply, path: str, method: str) -> int:
    """Assert that a reply is one the document lists for that operation, with its
    headers and a body that validates against its schema; its status."""
    status = str(reply.status_code)
    documented = DOCUMENT["paths"][path][method]["responses"]
    assert status in documented, f"{method.upper()} {path} answered {status}, which the document does not list"
    spec = deref(documented[status])
    for name, header in spec.get("headers", {}).items():
        header = deref(header)
        if header.get("required"):
            assert reply.has_header(name), f"{status} without {name}"
        if reply.has_header(name):
            value = reply[name]
            Draft202012Validator(header["schema"]).validate(int(value) if header["schema"].get("type") == "integer" else value)
    if "content" in spec:
        (media_type,) = spec["content"]
        assert reply["Content-Type"].split(";")[0] == media_type
        errors = list(
            validator("paths", path, method, "responses", status, "content", media_type, "schema").iter_errors(reply.json())
        )
        assert not errors, [f"{error.json_path}: {error.message[:200]}" for error in errors]
    else:
        assert reply.content == b""
    return reply.status_code


def documented_statuses(path: str, method: str) -> set[int]:
    return {int(status) for status in DOCUMENT["paths"][path][method]["responses"]}


# --- the document and the URLconf --------------------------------------------------------


def routes(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + str(entry.pattern)


def test_every_documented_path_resolves_to_its_view_and_every_api_url_is_documented():
    for path in DOCUMENT["paths"]:
        assert resolve(path.replace("{token}", "AbCd_-09")).view_name == VIEWS[path]
    templated = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route in routes(get_resolver().url_patterns)}
    api_routes = {route for route in templated if route.startswith("/api/")}
    assert api_routes, "no API URL found"
    assert api_routes | {DATA} == set(DOCUMENT["paths"])


def test_the_document_is_openapi_3_1_and_its_schemas_and_references_hold():
    assert DOCUMENT["openapi"].startswith("3.1.")
    for name, schema in DOCUMENT["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        for example in schema.get("examples", []):
            validator("components", "schemas", name).validate(example)

    def references(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    for ref in references(DOCUMENT):
        REGISTRY.resolver(URI).lookup(ref)  # raises for a reference to nowhere


def test_data_json_parameters_are_the_selection_and_its_codes():
    parameters = {parameter["name"]: parameter for parameter in DOCUMENT["paths"][DATA]["get"]["parameters"]}
    assert set(parameters) == set(Selection().as_dict())
    assert set(parameters["security"]["schema"]["enum"]) == set(Security.values)
    assert set(parameters["specialism"]["schema"]["enum"]) == set(Specialism.values)


# --- real replies --------------------------------------------------------------------------


def closed_link(chadwick):
    today = timezone.localdate()
    wave, _ = wave_upsert(code="OLD", name="Old round", opens=today - timedelta(days=60), closes=today - timedelta(days=10))
    link = link_create(service=chadwick, group="patient", kiosk=True, wave=wave)
    Wave.objects.filter(pk=wave.pk).update(closes=today - timedelta(days=45))
    return link


def example_body() -> dict:
    content = DOCUMENT["paths"][SUBMIT]["post"]["requestBody"]["content"]["application/json"]
    validator("paths", SUBMIT, "post", "requestBody", "content", "application/json", "schema").validate(
        content["examples"]["patient"]["value"]
    )
    return content["examples"]["patient"]["value"]


def test_every_submission_reply_is_as_documented(api, ward_tablet, patient_link, chadwick, settings):
    seen = set()

    def post(link, body, content_type="application/json"):
        seen.add(conforms(api.submit(link, body, content_type=content_type), SUBMIT, "post"))
        return seen

    # The document's own example is accepted, and stored once.
    example = example_body()
    assert api.submit(ward_tablet, example).status_code == 201
    assert conforms(api.submit(ward_tablet, example), SUBMIT, "post") == 200
    assert Response.objects.count() == 1
    seen |= {201, 200}
    post(ward_tablet, {"client_id": str(uuid.uuid4()), "answers": {"useful": "no"}})
    post(ward_tablet, {"client_id": example["client_id"], "answers": {"useful": "no"}})  # 409
    for bad in (
        {"client_id": str(uuid.uuid4()), "answers": {"useful": "perhaps", "nope": "x"}},
        {"client_id": str(uuid.uuid1()), "answers": {"useful": "yes"}},
        {"client_id": str(uuid.uuid4()), "answers": {}},
        {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}, "extra": True},
        [1, 2, 3],
    ):
        post(ward_tablet, bad)
    post(ward_tablet, "{not json")
    post(ward_tablet, json.dumps(example), content_type="text/plain")
    post("no-such-token", example)  # 404, unknown
    withdrawn = link_create(service=chadwick, group="patient", kiosk=True)
    link_revoke(token=withdrawn.token)
    post(withdrawn, example)  # 404, withdrawn
    post(closed_link(chadwick), {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}})  # 410
    post(ward_tablet, {"client_id": str(uuid.uuid4()), "answers": {"comments": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}})
    settings.PEERSURVEY_LINK_RATE_LIMIT = 0
    post(patient_link, {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}})  # 429
    with mock.patch("surveys.api.active_link", side_effect=OperationalError("connection refused")):
        post(ward_tablet, {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}})  # 503
    assert seen == documented_statuses(SUBMIT, "post")
    assert api.client.get(f"/api/v1/links/{ward_tablet.token}/responses").status_code == 405


def test_every_data_json_reply_is_as_documented(client, chadwick, morpeth, national_lead, service_lead, outsider):
    wave, _ = wave_upsert(code="2026", name="Autumn 2026", opens=date(2026, 9, 1), closes=date(2026, 12, 31))
    for index in range(12):
        answer(
            chadwick,
            "patient",
            {"useful": "yes" if index % 2 else "no", "fears": ["trust"], "gender": "female" if index % 2 else "male"},
            on=date(2026, 10, 3),
        )
        answer(chadwick, "staff", {"useful": "sometimes", "benefits": ["reduces_workload"]}, on=date(2026, 10, 3))
        answer(morpeth, "patient", {"useful": "yes"}, on=date(2026, 11, 3))
    denominator_set(wave=wave, service=chadwick, patients=40, staff=20)
    seen = {conforms(client.get(DATA), DATA, "get")}  # 302: not logged in
    client.force_login(national_lead)
    queries = [
        "",
        "?compare=national&service=CL",
        "?compare=2014",
        "?gender=female",
        "?wave=2026&service=CL",
        "?service=CL&service=M&from=2026-10-01&to=2026-11-30",
        "?security=low&specialism=women",
        "?service=ZZ",
        "?from=2026-11-01&to=2026-10-01",
        "?gender=female&age_band=25_29",
        "?compare=bogus",
    ]
    replies = {query: client.get(DATA + query) for query in queries}
    seen |= {conforms(reply, DATA, "get") for reply in replies.values()}
    assert replies["?wave=2026&service=CL"].json()["groups"]["patient"]["rate"] is not None
    assert "compare" in replies["?compare=national&service=CL"].json()
    client.force_login(service_lead)
    seen.add(conforms(client.get(DATA + "?service=CL&compare=national"), DATA, "get"))
    seen.add(conforms(client.get(DATA + "?service=M"), DATA, "get"))  # 403
    client.force_login(outsider)  # no dashboard role
    assert conforms(client.get(DATA), DATA, "get") == 403
    assert seen == documented_statuses(DATA, "get")


# --- nginx ---------------------------------------------------------------------------------


def nginx_location(name: str) -> str:
    match = re.search(r"location " + re.escape(name) + r" \{(.*?)\n\s*\}", NGINX, re.S)
    assert match, f"no location {name} in deploy/nginx.conf"
    return match.group(1)


def nginx_reply(name: str) -> tuple[int, dict, dict]:
    block = nginx_location(name)
    status, body = re.search(r"return (\d{3}) '(.*)';", block).groups()
    headers = dict(re.findall(r"add_header ([\w-]+) (\S+)(?: always)?;", block))
    assert "default_type application/json;" in block
    return int(status), json.loads(body), headers


@pytest.mark.parametrize("location, status", [("@api_busy", 503), ("@api_too_large", 413)])
def test_nginx_error_bodies_have_the_app_shape(location, status):
    answered, body, headers = nginx_reply(location)
    assert answered == status
    validator("paths", SUBMIT, "post", "responses", str(status), "content", "application/json", "schema").validate(body)
    for name, header in deref(DOCUMENT["paths"][SUBMIT]["post"]["responses"][str(status)]).get("headers", {}).items():
        assert name in headers, f"nginx's {status} has no {name}"
        Draft202012Validator(deref(header)["schema"]).validate(int(headers[name]))


def test_nginx_answers_exactly_as_the_app_does(api, ward_tablet, settings):
    _, busy, headers = nginx_reply("@api_busy")
    with mock.patch("surveys.api.active_link", side_effect=OperationalError("connection refused")):
        reply = api.submit(ward_tablet, {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes"}})
    assert (reply.status_code, reply.json(), reply["Retry-After"]) == (503, busy, headers["Retry-After"])
    limit = int(re.search(r"client_max_body_size (\d+)k;", NGINX).group(1)) * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = limit
    _, too_large, _ = nginx_reply("@api_too_large")
    reply = api.submit(ward_tablet, {"client_id": str(uuid.uuid4()), "answers": {"comments": "x" * limit}})
    assert (reply.status_code, reply.json()) == (413, too_large)
