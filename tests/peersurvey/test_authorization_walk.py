"""Walk every URL of the project as four people, with another service (SAN) named
in every parameter, and check who gets what.

- anonymous: the dashboard sends them to /accounts/login/; public collection URLs
  answer as they do for anyone (they need no login and show no figures);
- outsider (logged in, no Lead role): 403 on every dashboard URL;
- service lead for CL: 403 or 404 for anything naming SAN, 200 for their own views
  (403 for the response-level export, which is for partnership leads only), and never
  a body carrying SAN's figures;
- partnership lead: 200 (or, for a POST action, a redirect that is not to login),
  and for the figure URLs the body does carry SAN's figures, which proves that the
  leak detectors below would catch a leak;
- the second factor's pages (accounts/two-factor/...): login first for anonymous, the
  same answer for everyone signed in (the suite runs with PEERSURVEY_REQUIRE_MFA off and
  nobody has an app yet), never a figure.

The table `ROUTES` must name every pattern of `get_resolver()` except the admin and
Django's auth views: a new URL fails `test_every_url_pattern_is_in_the_walk_table`
until it is added here with its parameters.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dashboard.services import action_save
from surveys.models import CollectionLink, QuoteReview, Response, SafeguardingConcern, TextAnswer
from surveys.quotes import quote_review
from surveys.services import link_create, link_revoke, wave_upsert
from tests.factories import answer, service

# SAN's figures are chosen so that they cannot turn up by accident: response counts
# of 60 or more are never a clock or calendar number, these two are no layout number
# of the pages (64, a chart margin and an age band, was; so is 95, as in "95% CI"), and
# neither is the count of any national figure a service lead may see (every national
# count adds CL's and M's, and a count of people choosing an answer moves by at most 2),
# nor a count of the 2014 report's series (its percentages of 213 and 54: 85 is one),
# nor an axis range (110).
# Multiples of 5, so that all of SAN's answers are released (in batches of 5) and shown.
SAN_PATIENTS = 155
SAN_STAFF = 115
MARKER = "Quokka lantern 7319"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"  # in every free-text answer SAN gives
AUTH_ROUTE_NAMES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
}

ROLES = ("anonymous", "outsider", "service_lead", "partnership_lead")


@dataclass(frozen=True)
class Variant:
    """One request to a route: path parameters (world keys or literals), query, body."""

    query: str = ""
    kwargs: dict = field(default_factory=dict)
    method: str = "GET"
    data: object = None
    content_type: str | None = None
    names_san: bool = True
    # The partnership lead's body must show SAN's figures (positive control).
    shows_san: bool = False
    # Public URLs: the status every role gets.
    public_status: int | None = None
    # Sign-in pages: the status everyone signed in gets.
    signed_in_status: int | None = None
    # A redirect (not to login) counts as the partnership lead's success.
    redirects: bool = False
    # The service lead is sent on to their own first view (a redirect within the dashboard).
    lead_redirect: bool = False


FILTERS_NAMING_SAN = (
    "?service=SAN",
    "?service=CL&service=SAN",
    "?security=medium",
    "?specialism=adolescent",
    "?service=SAN&compare=national",
)


def figure_variants(extra: str = "", *, first_view: bool = False, binary: bool = False):
    """Filters naming SAN, then the service lead's own and national views (allowed, and
    must still not leak); `extra` is a page's own parameters (a question to trend).
    A `binary` output (a PDF) cannot be read for SAN's figures: no positive control."""

    def query(filters: str) -> str:
        return "?" + "&".join(part for part in (filters.lstrip("?"), extra) if part) if filters or extra else ""

    return [Variant(query=query(q), shows_san=q.startswith("?service=SAN") and not binary) for q in FILTERS_NAMING_SAN] + [
        Variant(query=query(""), names_san=False, lead_redirect=first_view),
        Variant(query=query("?service=CL"), names_san=False),
        Variant(query=query("?service=CL&compare=national"), names_san=False),
        Variant(query=query("?compare=2014"), names_san=False),
    ]


def quote_variants():
    return [
        Variant(query="?service=SAN", shows_san=True),
        Variant(query="?service=SAN&question=comments", shows_san=True),
        Variant(query="", names_san=False),
    ]


ROUTES: dict[str, dict] = {
    # --- public ------------------------------------------------------------
    "": {"public": True, "variants": [Variant(names_san=False, public_status=200)]},
    "sw.js": {"public": True, "variants": [Variant(names_san=False, public_status=200)]},
    # The JavaScript's texts (English or Welsh): the same for everyone, nothing about any service.
    "jsi18n/": {"public": True, "variants": [Variant(names_san=False, public_status=200)]},
    "c/<str:token>/": {
        "public": True,
        "variants": [
            Variant(kwargs={"token": "san_patient"}, public_status=200),
            Variant(kwargs={"token": "san_kiosk"}, public_status=200),
            Variant(kwargs={"token": "san_staff"}, public_status=200),
            Variant(kwargs={"token": "san_revoked"}, public_status=404),
            Variant(kwargs={"token": "no-such-token"}, public_status=404, names_san=False),
        ],
    },
    "c/<str:token>/thanks/": {
        "public": True,
        "variants": [
            Variant(kwargs={"token": "san_patient"}, public_status=200),
            Variant(kwargs={"token": "san_staff"}, public_status=200),
            Variant(kwargs={"token": "san_revoked"}, public_status=404),
        ],
    },
    # The ward's results page: public, the link's service only, "N in 10" and no counts.
    "c/<str:token>/results/": {
        "public": True,
        "variants": [
            Variant(kwargs={"token": "san_patient"}, public_status=200),
            Variant(kwargs={"token": "san_kiosk"}, public_status=200),
            Variant(kwargs={"token": "san_staff"}, public_status=200),
            Variant(kwargs={"token": "san_revoked"}, public_status=404),
            Variant(kwargs={"token": "no-such-token"}, public_status=404, names_san=False),
        ],
    },
    "api/v1/links/<str:token>/responses": {
        "public": True,
        "variants": [
            Variant(kwargs={"token": "san_patient"}, public_status=405),
            Variant(
                kwargs={"token": "san_patient"}, method="POST", data="{}", content_type="application/json", public_status=400
            ),
            Variant(
                kwargs={"token": "san_revoked"}, method="POST", data="{}", content_type="application/json", public_status=404
            ),
        ],
    },
    # --- the second factor: anyone signed in ---------------------------------
    # Nobody has an app, so the code's page sends each to set one up.
    "accounts/two-factor/": {"signed_in": True, "variants": [Variant(names_san=False, signed_in_status=302)]},
    "accounts/two-factor/setup/": {
        "signed_in": True,
        "variants": [
            Variant(names_san=False, signed_in_status=200),
            Variant(names_san=False, method="POST", data={"code": "not a code"}, signed_in_status=400),
        ],
    },
    # --- dashboard ---------------------------------------------------------
    # A service lead's bare /dashboard/ goes on to their services beside the nation.
    "dashboard/": {"variants": figure_variants(first_view=True)},
    "dashboard/data.json": {"variants": figure_variants()},
    "dashboard/trends.json": {"variants": figure_variants("question=useful&by=month")},
    "dashboard/trends/": {"variants": figure_variants("question=useful")},
    # Every service against the nation is for partnership leads only.
    "dashboard/services.json": {"variants": figure_variants("question=useful"), "partnership_only": True},
    "dashboard/services/": {"variants": figure_variants("question=useful"), "partnership_only": True},
    "dashboard/charts.json": {"variants": figure_variants()},
    "dashboard/report/": {"variants": figure_variants()},
    # The PDF is the page's report_data laid out again, its text in glyph codes the
    # detectors cannot read (they read the page's, above): here, who may have it.
    # The deck's XML is read like any body.
    "dashboard/report.pdf": {"variants": figure_variants(binary=True)},
    "dashboard/report.pptx": {"variants": figure_variants()},
    "dashboard/report/text/": {
        "variants": [
            Variant(query="?service=SAN"),
            Variant(query="?service=SAN&wave=2026"),
            Variant(query="?service=CL", names_san=False),
            Variant(method="POST", data={"service": "SAN", "conclusions": f"{MARKER} conclusions"}, redirects=True),
        ]
    },
    "dashboard/export/aggregate.csv": {"variants": figure_variants()},
    # Response rows are for partnership leads only: a service lead gets 403 even for their own service.
    "dashboard/export/responses.csv": {"variants": figure_variants(), "partnership_only": True},
    "dashboard/quotes/": {"variants": quote_variants()},
    # The queue takes no service parameter: it is checked for what it lists.
    "dashboard/quotes/review/": {"variants": [Variant(names_san=False, shows_san=True)]},
    "dashboard/quotes/review/<int:answer_id>/": {
        "variants": [
            Variant(
                kwargs={"answer_id": "san_pending"},
                method="POST",
                redirects=True,
                data={"decision": "reject", "text": "", "attribution": "SAN"},
            ),
            Variant(
                kwargs={"answer_id": "san_approved"},
                method="POST",
                redirects=True,
                data={"decision": "approve", "text": f"{MARKER} leaked", "attribution": "SAN"},
            ),
        ]
    },
    # "You said, we did": actions are what a service wrote, not what people answered
    # (they are on the link's public results page), so no figures to control for.
    "dashboard/actions/": {
        "variants": [
            Variant(query="?service=SAN&wave=2026"),
            Variant(query="?service=SAN"),
            Variant(query="?wave=2026", names_san=False),
            Variant(
                method="POST",
                redirects=True,
                data={"service": "SAN", "wave": "2026", "you_said": "More to do", "we_did": "A club", "status": "done"},
            ),
        ]
    },
    "dashboard/actions/<int:action_id>/": {
        "variants": [
            Variant(kwargs={"action_id": "san_action"}),
            Variant(
                kwargs={"action_id": "san_action"},
                method="POST",
                redirects=True,
                data={"you_said": "Said again", "we_did": "Did", "status": "doing"},
            ),
        ]
    },
    "dashboard/actions/<int:action_id>/delete/": {
        "variants": [Variant(kwargs={"action_id": "san_action"}, method="POST", redirects=True)],
    },
    # Themes, choices and flags: POSTs by reviewers, on SAN's approved quote.
    "dashboard/quotes/<int:answer_id>/themes/": {
        "variants": [Variant(kwargs={"answer_id": "san_approved"}, method="POST", redirects=True, data={"name": "Trust"})]
    },
    "dashboard/quotes/<int:answer_id>/choose/": {
        "variants": [
            Variant(kwargs={"answer_id": "san_approved"}, method="POST", redirects=True, data={"choice": "report", "chosen": "1"})
        ]
    },
    "dashboard/quotes/<int:answer_id>/concern/": {
        "variants": [Variant(kwargs={"answer_id": "san_pending"}, method="POST", redirects=True, data={"note": "walk"})]
    },
    # For the named safeguarding reviewers only: nobody in the walk is one, so every
    # role is refused (tests/dashboard/test_safeguarding.py walks the reviewers' side).
    "dashboard/safeguarding/": {"variants": [Variant()], "reviewers_only": True},
    "dashboard/safeguarding/<int:concern_id>/": {
        "variants": [Variant(kwargs={"concern_id": "san_concern"}, method="POST", data={"action": "walk", "close": "1"})],
        "reviewers_only": True,
    },
    # The chooser redirects the partnership lead to the entry page.
    "dashboard/paper/": {
        "variants": [
            Variant(query="?service=SAN&questionnaire=patient", redirects=True),
            Variant(query="?service=SAN&questionnaire=staff", redirects=True),
            Variant(names_san=False),
        ]
    },
    "dashboard/paper/<str:service_code>/<str:group>/": {
        "variants": [
            Variant(kwargs={"service_code": "SAN", "group": "patient"}),
            Variant(kwargs={"service_code": "SAN", "group": "staff"}),
            # An invalid form: nothing is stored, whoever sends it.
            Variant(kwargs={"service_code": "SAN", "group": "staff"}, method="POST", data={"useful": "yes"}),
        ]
    },
}


def route_patterns(resolver=None, prefix=""):
    """(route, name) for every URL pattern, nested includes flattened."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from route_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


def walked_routes():
    for route, name in route_patterns():
        if route.startswith("admin/"):
            continue
        if route.startswith("accounts/") and name in AUTH_ROUTE_NAMES:
            continue
        yield route


def test_every_url_pattern_is_in_the_walk_table():
    routes = list(walked_routes())
    missing = sorted(set(routes) - set(ROUTES))
    assert not missing, f"add these URL patterns to ROUTES in {__file__}: {missing}"
    stale = sorted(set(ROUTES) - set(routes))
    assert not stale, f"ROUTES names patterns the project no longer has: {stale}"


# --- the world ---------------------------------------------------------------


@pytest.fixture
def world(chadwick, national_lead, service_reviewer, outsider):
    days = [date(2026, 9, 5), date(2026, 10, 12), date(2026, 11, 20)]
    cl = chadwick  # low secure, women
    m = service("M", security="medium")
    san = service("SAN", security="medium", specialisms=["adolescent"])
    usefuls = ["yes", "sometimes", "no"]
    for index in range(12):
        answer(
            cl,
            "patient",
            {
                "useful": usefuls[index % 3],
                "fears": ["trust"],
                "gender": "female",
                "comments": "CL's own words" if index == 0 else "",
            },
            on=days[index % 3],
        )
    for index in range(6):
        answer(cl, "staff", {"useful": usefuls[index % 2], "job_title": "Nurse"}, on=days[index % 3])
    for index in range(9):
        answer(m, "patient", {"useful": usefuls[index % 3], "fears": ["boundaries"]}, on=days[index % 3])
    for index in range(5):
        answer(m, "staff", {"useful": "no"}, on=days[index % 3])
    texts = []
    for index in range(SAN_PATIENTS):
        comments = f"{MARKER} number {index}" if index < 3 else ""
        response = answer(san, "patient", {"useful": "sometimes", "comments": comments}, on=days[index % 3])
        if comments:
            texts.append(TextAnswer.objects.get(response=response, question__code="comments"))
    for index in range(SAN_STAFF):
        answer(san, "staff", {"useful": "yes", "useful_why": f"{MARKER} staff {index}" if index == 0 else ""}, on=days[index % 3])
    quote_review(answer=texts[0], approve=True, text=texts[0].text, attribution="SAN1", reviewer=national_lead)
    cl_text = TextAnswer.objects.get(response__service=cl, question__code="comments")
    quote_review(answer=cl_text, approve=True, text=cl_text.text, attribution="CL1", reviewer=national_lead)
    # A wave made after the answers (they keep none), and an action of SAN's in it.
    wave, _ = wave_upsert(code="2026", name="Autumn 2026", opens=date(2026, 9, 1), closes=date(2026, 12, 31))
    san_action = action_save(user=national_lead, wave=wave, service=san, you_said="Said", we_did="Did", status="done")
    concern = SafeguardingConcern.objects.create(answer=texts[2], raised_by=national_lead, raised_on=date(2026, 11, 21))
    revoked = link_create(service=san, group="patient", label="old tablet")
    link_revoke(token=revoked.token)
    return {
        "users": {
            "anonymous": None,
            "outsider": outsider,
            # Review rights, so the review queue and actions really answer for them.
            "service_lead": service_reviewer,
            "partnership_lead": national_lead,
        },
        "params": {
            "san_patient": CollectionLink.objects.get(service=san, questionnaire__code="patient", revoked_on=None).token,
            "san_staff": CollectionLink.objects.get(service=san, questionnaire__code="staff").token,
            "san_kiosk": link_create(service=san, group="patient", kiosk=True).token,
            "san_revoked": revoked.token,
            "san_pending": texts[1].pk,
            "san_approved": texts[0].pk,
            "san_concern": concern.pk,
            "san_action": san_action.pk,
        },
    }


# --- leak detectors ------------------------------------------------------------

COUNT_RES = [re.compile(rf"(?<![\w.]){n}(?![\w.])") for n in (SAN_PATIENTS, SAN_STAFF)]
SERVICE_ROW_RES = [
    re.compile(r'"service":\s*"SAN"'),  # a per-service row in JSON
    re.compile(r"^SAN,", re.M),  # a response row in a CSV export
    re.compile(r"\bSAN\d+\b"),  # a patient quote's attribution (SAN8)
]


def san_figures(body: str) -> list[str]:
    """What of SAN's own figures a body carries, each with its context."""
    found = []
    if MARKER in body:
        found.append("SAN's free text")
    for rx in COUNT_RES + SERVICE_ROW_RES:
        hit = rx.search(body)
        if hit:
            found.append(f"{rx.pattern} in {body[max(0, hit.start() - 60) : hit.end() + 20]!r}")
    return found


def body_of(reply) -> str:
    raw = b"".join(reply.streaming_content) if reply.streaming else reply.content
    if reply.get("Content-Type", "") == PPTX:
        # A deck is a zip of XML: its text and chart data are read there.
        with zipfile.ZipFile(io.BytesIO(raw)) as deck:
            raw = b"\n".join(deck.read(name) for name in deck.namelist() if name.endswith(".xml"))
    elif reply.get("Content-Type", "") == "application/pdf":
        return ""
    text = raw.decode("utf-8", "replace")
    if reply.get("Content-Type", "").startswith("application/json"):
        # Normalise spacing so `"n": 71` and `"n":71` look alike.
        try:
            text = json.dumps(json.loads(text))
        except ValueError:
            pass
    return text


def resolve_path(route: str, kwargs: dict, params: dict) -> str:
    path = "/" + route
    for name, value in kwargs.items():
        value = params.get(value, value)
        path, count = re.subn(rf"<(?:\w+:)?{name}>", str(value), path)
        assert count == 1, (route, name)
    assert "<" not in path, path
    return path


def check(route, spec, role, variant, reply, body) -> list[str]:
    problems = []
    status = reply.status_code
    public = spec.get("public", False)
    location = reply.get("Location", "")
    if public:
        if status != variant.public_status:
            problems.append(f"status {status}, expected {variant.public_status}")
    elif role == "anonymous":
        if status != 302 or not location.startswith("/accounts/login/?next="):
            problems.append(f"status {status} {location!r}, expected a redirect to /accounts/login/")
    elif spec.get("signed_in"):
        if status != variant.signed_in_status:
            problems.append(f"status {status} {location!r}, expected {variant.signed_in_status}")
    elif role == "outsider":
        if status != 403:
            problems.append(f"status {status}, expected 403")
    elif spec.get("reviewers_only"):
        if status != 403:
            problems.append(f"status {status}, expected 403 (named safeguarding reviewers only)")
    elif role == "service_lead":
        if spec.get("partnership_only"):
            allowed = {403}
        elif variant.lead_redirect:
            allowed = {302} if location.startswith("/dashboard/?") else set()
        else:
            allowed = {403, 404} if variant.names_san else {200}
        if status not in allowed:
            problems.append(f"status {status}, expected one of {sorted(allowed)}")
    elif role == "partnership_lead":
        ok = status == 200 or (variant.redirects and status == 302 and not location.startswith("/accounts/"))
        if not ok:
            problems.append(f"status {status} {location!r}, expected 200")
        if variant.shows_san and not san_figures(body):
            problems.append("the positive control shows none of SAN's figures: the leak detectors would miss a leak")
    if role != "partnership_lead":
        leaked = san_figures(body)
        if leaked:
            problems.append(f"LEAK of SAN's figures: {leaked}")
    return problems


def reviews():
    return {
        answer_id: (status, text) for answer_id, status, text in QuoteReview.objects.values_list("answer_id", "status", "text")
    }


def test_walk_every_url_as_every_role_with_san_in_every_parameter(world, capsys):
    before = {
        "responses": Response.objects.filter(service__code="SAN").count(),
        "reviews": reviews(),
    }
    clients = {}
    for role, user in world["users"].items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    checked = 0
    failures = []
    leaks = 0
    for route, spec in ROUTES.items():
        for variant in spec["variants"]:
            path = resolve_path(route, variant.kwargs, world["params"]) + variant.query
            for role in ROLES:
                client = clients[role]
                if variant.method == "GET":
                    reply = client.get(path)
                else:
                    extra = {"content_type": variant.content_type} if variant.content_type else {}
                    reply = client.post(path, variant.data, **extra)
                body = body_of(reply)
                checked += 1
                problems = check(route, spec, role, variant, reply, body)
                leaks += any(p.startswith("LEAK") for p in problems)
                failures += [f"{variant.method} {path} as {role}: {p}" for p in problems]
            # Review actions by the partnership lead are put back, so every
            # role meets the same world.
            if route == "dashboard/quotes/<int:answer_id>/concern/":
                SafeguardingConcern.objects.exclude(pk=world["params"]["san_concern"]).delete()
            if route.startswith("dashboard/quotes/review/<"):
                QuoteReview.objects.exclude(answer_id__in=before["reviews"]).delete()
                for answer_id, (status, text) in before["reviews"].items():
                    QuoteReview.objects.filter(answer_id=answer_id).update(status=status, text=text)
    with capsys.disabled():
        print(
            f"\nauthorization walk: {len(ROUTES)} patterns, {checked} (url, role, parameter) combinations, "
            f"{leaks} leaks, {len(failures)} failures"
        )
    assert checked >= len(ROUTES) * len(ROLES)
    assert leaks == 0, "\n".join(failures)
    assert not failures, "\n".join(failures)
    # Nothing anyone was refused changed anything.
    assert Response.objects.filter(service__code="SAN").count() == before["responses"]
    assert reviews() == before["reviews"]


def test_the_leak_detectors_catch_what_they_should():
    assert san_figures(f'{{"n": {SAN_PATIENTS}, "suppressed": false}}')
    assert san_figures(f"patient_n,{SAN_STAFF},x")
    assert san_figures(f'"margin": {{"b": {SAN_PATIENTS}}}')  # why the counts must be no layout number
    assert san_figures(f"… {MARKER} …")
    assert san_figures('[{"service": "SAN", "patient": 3}]')
    assert san_figures("service,questionnaire\nSAN,patient,1")
    assert san_figures("— SAN12")
    assert not san_figures(f"2026-11-{SAN_PATIENTS % 31:02d} {SAN_PATIENTS}.5% #{SAN_PATIENTS}{SAN_PATIENTS} base{SAN_STAFF}")
    assert not san_figures("You may not see figures for service SAN.")


def test_paper_chooser_refuses_another_service_with_403(service_client):
    service("SAN")
    assert service_client.get("/dashboard/paper/?service=SAN&questionnaire=patient").status_code == 403


SPELLINGS = ["san", "San", "%20SAN", "SAN%20", "SAN%0A", "S%C3%80N"]
SPELLED_URLS = [route for route, spec in ROUTES.items() if route.startswith("dashboard/") and "<" not in route]


def test_other_spellings_of_san_do_not_get_a_service_lead_its_figures(world):
    """Case, spaces and look-alikes: a refusal (400, 403 or 404), never SAN's figures."""
    client = Client()
    client.force_login(world["users"]["service_lead"])
    checked = 0
    for spelling in SPELLINGS:
        paths = [f"/{route}?service={spelling}" for route in SPELLED_URLS]
        paths += [f"/dashboard/paper/{spelling}/staff/", f"/dashboard/paper/?service={spelling}&questionnaire=staff"]
        for path in paths:
            reply = client.get(path)
            body = body_of(reply)
            checked += 1
            assert 400 <= reply.status_code <= 404 or (
                reply.status_code == 200 and "?service=" in path and "/quotes/review/" in path
            ), path
            assert not san_figures(body), (path, san_figures(body))
    assert checked == len(SPELLINGS) * (len(SPELLED_URLS) + 2)


NUL_PATHS = [
    ("post", "/api/v1/links/%00/responses"),
    ("get", "/c/%00/"),
    ("get", "/c/%00/thanks/"),
]


@pytest.mark.parametrize("method,path", NUL_PATHS)
def test_a_nul_in_a_path_parameter_is_a_404_not_a_500(national_lead, method, path):
    service("SAN")
    client = Client(raise_request_exception=False)
    client.force_login(national_lead)
    body = {"client_id": "8b0d3a52-6f1e-4b43-9a53-2b8f7c1d9e10", "answers": {"useful": "yes"}}
    reply = client.post(path, body, content_type="application/json") if method == "post" else client.get(path)
    assert reply.status_code == 404


# Dashboard URLs whose parameters the audit log (dashboard.views.audited) records as
# asked: PostgreSQL's jsonb refuses a NUL, which once made each of these a 500.
NUL_AUDITED = [
    "/dashboard/?gender=%00",
    "/dashboard/data.json?service=%00",
    "/dashboard/charts.json?service=SAN%00",
    "/dashboard/report/?specialism=%00",
    "/dashboard/export/aggregate.csv?age_band=a%00",
    "/dashboard/export/responses.csv?from=%00",
    "/dashboard/quotes/?service=%00",
    "/dashboard/quotes/?question=%00",
    "/dashboard/quotes/review/?page=%00",
    "/dashboard/paper/%00/staff/",
    "/dashboard/paper/SAN%00/staff/",
    "/dashboard/paper/SAN/%00/",
]


@pytest.mark.parametrize("path", NUL_AUDITED)
def test_a_nul_in_an_audited_dashboard_parameter_is_refused_not_a_500(national_lead, path):
    service("SAN")
    client = Client(raise_request_exception=False)
    client.force_login(national_lead)
    # A junk page number just shows the first page (Django's Paginator.get_page).
    assert client.get(path).status_code in ((200,) if "page=" in path else (400, 404))
