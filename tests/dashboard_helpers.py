"""Building dashboard state through the same services users go through."""

import uuid
from datetime import date

from dashboard.services import lead_upsert
from surveys.models import CollectionLink
from surveys.selectors import loaded_questionnaire
from surveys.services import link_create, response_submit, service_upsert
from surveys.validation import Submission, clean_answers

PASSWORD = "a long enough test password 1"


def service(code, *, security="low", specialisms=()):
    return service_upsert(code=code, name=f"Service {code}", security=security, specialisms=list(specialisms))[0]


def link(service_, group):
    existing = CollectionLink.objects.filter(service=service_, questionnaire__code=group).first()
    return existing or link_create(service=service_, group=group)


def answer(service_, group, answers, *, on=None):
    """Store one response for `group` at `service_`, as a form or tablet would."""
    link_ = link(service_, group)
    definition = loaded_questionnaire(link_.questionnaire_id).definition
    return response_submit(
        service=service_,
        questionnaire=link_.questionnaire,
        submission=Submission(client_id=uuid.uuid4(), answers=clean_answers(definition, answers)),
        channel=link_.channel,
        link=link_,
        submitted_on=on or date(2026, 11, 2),
    ).response


def lead(username, role, services=(), review=False):
    user, _ = lead_upsert(username=username, role=role, service_codes=list(services), password=PASSWORD, can_review_quotes=review)
    return user
