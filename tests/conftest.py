"""What every test may ask for: the services, links and people of the suite, each defined once.

People (a password set through `dashboard.services.lead_upsert`, as `add_user` sets one):

- `national_lead`: a partnership lead who may review quotes; sees every service.
- `service_lead`: the service lead for Chadwick Lodge (CL) only, without review rights.
- `service_reviewer`: the same role for CL, with review rights.
- `outsider`: an account with no dashboard role.
- `national_client`, `service_client`: pytest-django's `client`, logged in as one of them
  (one client: ask for at most one of these, and not for `client` beside it).

`exact_figures` turns off the perturbation of counts (PEERSURVEY_PERTURB) for a test of
arithmetic; a test asks for it by name.

A test that needs someone else (another service, other rights, a real login by
password) makes them with `tests.factories.lead` and names them for what differs.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from surveys.selectors import clear_questionnaire_cache
from surveys.services import link_create, service_upsert
from tests.factories import lead

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """MD5 instead of PBKDF2 (0.7 s a password here): for the suite only, never production.

    tests/peersurvey/test_security.py checks that production still uses PBKDF2; a test
    that needs the real hasher sets `settings.PASSWORD_HASHERS` back itself. The browser
    tests' live server runs in this process, so it sees the same hasher.
    """
    settings.PASSWORD_HASHERS = [FAST_HASHER]


@pytest.fixture(autouse=True)
def fresh_questionnaire_cache():
    """Each test starts without cached questionnaires: an earlier test's rows were rolled back."""
    clear_questionnaire_cache()
    yield
    clear_questionnaire_cache()


@pytest.fixture(autouse=True)
def english_between_requests():
    """Each test starts in English: a request in Welsh leaves Welsh active in its thread
    (every real request sets its own language, so only code after a test request sees it)."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def exact_figures(settings):
    """Figures without the cell-key perturbation, for tests of arithmetic (independent counts).

    Ask for it by name, never autouse: tests of disclosure keep the perturbation on, as it is
    in production (docs/disclosure.md, rule 5).
    """
    settings.PEERSURVEY_PERTURB = False


# --- services and links --------------------------------------------------------------


@pytest.fixture
def chadwick(db):
    """Chadwick Lodge, the report's CL: a low secure service."""
    service, _ = service_upsert(code="CL", name="Chadwick Lodge", security="low", specialisms=["women"])
    return service


@pytest.fixture
def morpeth(db):
    service, _ = service_upsert(code="M", name="Morpeth", security="medium")
    return service


@pytest.fixture
def ward_tablet(chadwick):
    return link_create(service=chadwick, group="patient", kiosk=True, label="Tablet, ward 1")


@pytest.fixture
def patient_link(chadwick):
    return link_create(service=chadwick, group="patient")


@pytest.fixture
def staff_link(chadwick):
    return link_create(service=chadwick, group="staff")


# --- people --------------------------------------------------------------------------


@pytest.fixture
def national_lead(db):
    """A partnership lead: every service, and may review quotes."""
    return lead("national_lead", "partnership_lead", review=True)


@pytest.fixture
def service_lead(chadwick):
    """The service lead for CL: CL's own figures and the national picture; no quote reviews."""
    return lead("service_lead", "service_lead", ["CL"])


@pytest.fixture
def service_reviewer(chadwick):
    """A service lead for CL who may review CL's quotes."""
    return lead("cl_reviewer", "service_lead", ["CL"], review=True)


@pytest.fixture
def outsider(db):
    """Logged in, but with no dashboard role."""
    return get_user_model().objects.create_user("outsider", password="irrelevant password 9")


@pytest.fixture
def national_client(client, national_lead):
    client.force_login(national_lead)
    return client


@pytest.fixture
def service_client(client, service_lead):
    client.force_login(service_lead)
    return client


# --- the JSON API ----------------------------------------------------------------------


@pytest.fixture
def api():
    """A client that posts JSON like a tablet does, with no cookies or CSRF."""

    class Api:
        def __init__(self):
            self.client = Client(enforce_csrf_checks=True)

        def submit(self, link_or_token, body, content_type="application/json"):
            token = getattr(link_or_token, "token", link_or_token)
            return self.client.post(f"/api/v1/links/{token}/responses", body, content_type=content_type)

    return Api()
