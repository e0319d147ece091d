import pytest
from django.test import Client

from surveys.selectors import clear_questionnaire_cache
from surveys.services import link_create, service_upsert


@pytest.fixture(autouse=True)
def fresh_questionnaire_cache():
    """Each test starts without cached questionnaires: an earlier test's rows were rolled back."""
    clear_questionnaire_cache()
    yield
    clear_questionnaire_cache()


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
