"""Every write of the collection side, each named `<entity>_<verb>` and keyword-only.

Atomicity and idempotency live here once; views, the API, commands and paper
import all call these functions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from .codes import Group, Kind, Security, Specialism
from .models import (
    ChoiceAnswer,
    CollectionLink,
    Denominator,
    Questionnaire,
    Response,
    Service,
    ServiceSpecialism,
    TextAnswer,
    Wave,
)
from .releases import releases_after_submit
from .selectors import LoadedQuestionnaire, latest_questionnaire, loaded_questionnaire, wave_open_on
from .tallies import tallies_rebuild
from .validation import Submission


class WriteRefused(ValueError):
    """A write that cannot be done as asked (a bad code, a missing service, a
    date in the future); nothing was written and the message says why."""


class SubmissionConflict(Exception):
    """The client_id was already used for this link with different answers."""

    def __init__(self, response: Response):
        super().__init__("client_id already used with different answers")
        self.response = response


@dataclass(frozen=True)
class SubmitResult:
    response: Response
    duplicate: bool


# --- responses -------------------------------------------------------------


def response_submit(
    *,
    service: Service,
    questionnaire: Questionnaire,
    submission: Submission,
    channel: str,
    link: CollectionLink | None = None,
    submitted_on: date | None = None,
    number: int | None = None,
) -> SubmitResult:
    """Store one anonymous response, or recognise a replay of one.

    Idempotent on (link, client_id), or (service, client_id) for paper, which
    has no link: the same answers again return the stored response with
    `duplicate=True` and store nothing; different answers raise
    `SubmissionConflict` and leave the original untouched.

    `number` keeps a running number given from outside (an imported file);
    a number already taken in the service raises `IntegrityError`.
    """
    # No look for a replay first: the unique (link, client_id) constraint
    # refuses one, and only then is the stored response read.
    loaded = loaded_questionnaire(questionnaire.pk)
    submitted_on = submitted_on or timezone.localdate()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                service=service,
                questionnaire=questionnaire,
                link=link,
                # The link's round; paper (and a link made outside any round): the round open that day.
                wave=link.wave if link is not None and link.wave_id else wave_open_on(submitted_on),
                channel=channel,
                client_id=submission.client_id,
                submitted_on=submitted_on,
                number=_next_number(service) if number is None else _claim_number(service, number),
                digest=submission.digest,
            )
            _store_answers(response, submission, loaded)
            # Its answers join the figures when its batch is complete.
            releases_after_submit(response)
    except IntegrityError:
        # A replay: the same client_id through the same link, or on paper (no
        # link) for the same service. Anything else (a number taken) is raised.
        replayed = Response.objects.filter(client_id=submission.client_id)
        replayed = replayed.filter(link=link) if link is not None else replayed.filter(service=service, link__isnull=True)
        existing = replayed.first()
        if existing is None:
            raise
        return _replay(existing, submission)
    return SubmitResult(response=response, duplicate=False)


def _replay(existing: Response, submission: Submission) -> SubmitResult:
    if existing.digest != submission.digest:
        raise SubmissionConflict(existing)
    return SubmitResult(response=existing, duplicate=True)


def _next_number(service: Service) -> int:
    # One statement that both takes the row lock and returns the new value, on
    # SQLite (3.35+) and PostgreSQL alike; a read-then-write would race.
    table = Service._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE id = %s RETURNING last_number",  # noqa: S608
            [service.pk],
        )
        return cursor.fetchone()[0]


def _claim_number(service: Service, number: int) -> int:
    # Later running numbers must follow on from an imported one. Always an
    # update, so the service's row is locked as `_next_number` locks it: a
    # service's releases happen one transaction at a time.
    Service.objects.filter(pk=service.pk).update(last_number=Greatest(F("last_number"), number))
    return number


def _store_answers(response: Response, submission: Submission, loaded: LoadedQuestionnaire) -> None:
    choices = []
    texts = []
    for code, value in submission.answers.items():
        kind = loaded.definition.question(code).kind
        if kind == Kind.TEXT:
            texts.append(TextAnswer(response=response, question_id=loaded.question_ids[code], text=value))
            continue
        for option_code in (value,) if kind == Kind.ONE else value:
            choices.append(ChoiceAnswer(response=response, option_id=loaded.option_ids[(code, option_code)]))
    ChoiceAnswer.objects.bulk_create(choices)
    if texts:
        TextAnswer.objects.bulk_create(texts)


def link_submit(*, link: CollectionLink, submission: Submission) -> SubmitResult:
    """A submission through a collection link (web form, tablet, API)."""
    return response_submit(
        service=link.service,
        questionnaire=link.questionnaire,
        submission=submission,
        channel=link.channel,
        link=link,
    )


def new_client_id() -> uuid.UUID:
    return uuid.uuid4()


# --- services and links ----------------------------------------------------


def service_upsert(
    *,
    code: str,
    name: str,
    security: str,
    specialisms: list[str] | None = None,
    provider: str | None = None,
) -> tuple[Service, bool]:
    """Create or update a service by its code; `specialisms=None` keeps the current ones."""
    code = code.strip().upper()
    if not code or not code.isalnum() or len(code) > 12:
        raise WriteRefused(f"Service code {code!r} must be 1 to 12 letters or digits, e.g. CC or SAN.")
    if not name.strip():
        raise WriteRefused("A service needs a name.")
    if security not in Security.values:
        raise WriteRefused(f"Security level {security!r} is not one of: {', '.join(Security.values)}.")
    unknown = sorted(set(specialisms or ()) - set(Specialism.values))
    if unknown:
        raise WriteRefused(f"Specialism {unknown[0]!r} is not one of: {', '.join(Specialism.values)}.")
    with transaction.atomic():
        defaults = {"name": name.strip(), "security": security}
        if provider is not None:
            defaults["provider"] = provider.strip()
        service, created = Service.objects.update_or_create(code=code, defaults=defaults)
        if specialisms is not None:
            service.specialisms.exclude(specialism__in=specialisms).delete()
            for specialism in dict.fromkeys(specialisms):
                ServiceSpecialism.objects.get_or_create(service=service, specialism=specialism)
    return service, created


def link_create(
    *, service: Service, group: str, kiosk: bool = False, label: str = "", wave: Wave | None | str = "today"
) -> CollectionLink:
    """A new collection link for the newest version of the questionnaire, for a
    wave (by default the wave open today, if any; None for no wave)."""
    questionnaire = latest_questionnaire(group)
    if questionnaire is None:
        raise WriteRefused(f"No {group!r} questionnaire is loaded; run `python manage.py migrate` first.")
    if kiosk and group != Group.PATIENT:
        raise WriteRefused("Kiosk (ward tablet) links are for the patient questionnaire.")
    if wave == "today":
        wave = wave_open_on(timezone.localdate())
    if wave is not None and wave.is_over(timezone.localdate()):
        raise WriteRefused(f"Wave {wave.code} closed on {wave.closes:%Y-%m-%d}: its links no longer take answers.")
    return CollectionLink.objects.create(service=service, questionnaire=questionnaire, kiosk=kiosk, label=label, wave=wave)


def wave_upsert(*, code: str, name: str, opens: date, closes: date) -> tuple[Wave, bool]:
    """Create or update a wave (a collection round) by its code."""
    code = code.strip()
    wave = Wave(code=code, name=name.strip(), opens=opens, closes=closes)
    if closes < opens:
        raise WriteRefused(f"The wave closes ({closes:%Y-%m-%d}) before it opens ({opens:%Y-%m-%d}).")
    try:
        wave.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise WriteRefused(" ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())) from exc
    with transaction.atomic():
        return Wave.objects.update_or_create(code=code, defaults={"name": wave.name, "opens": opens, "closes": closes})


def denominator_set(*, wave: Wave, service: Service, patients: int | None, staff: int | None) -> Denominator:
    """How many patients and staff a service had in a wave (None keeps what is there)."""
    for label, value in (("patients", patients), ("staff", staff)):
        if value is not None and not 0 <= value <= 100_000:
            raise WriteRefused(f"The number of {label} must be from 0 to 100000, not {value}.")
    with transaction.atomic():
        row, _ = Denominator.objects.select_for_update().get_or_create(wave=wave, service=service)
        if patients is not None:
            row.patients = patients
        if staff is not None:
            row.staff = staff
        row.save()
    return row


def link_revoke(*, token: str) -> CollectionLink:
    link = CollectionLink.objects.filter(token=token).first()
    if link is None:
        raise WriteRefused("No collection link has that token.")
    if link.revoked_on is None:
        link.revoked_on = timezone.localdate()
        link.save(update_fields=["revoked_on"])
    return link


# --- retention -------------------------------------------------------------


def responses_purge(*, before: date, service_code: str | None = None, dry_run: bool = False) -> int:
    """Delete the responses submitted before `before` (that day kept), with their answers.

    Choice and text answers go with them, and so do quote reviews of those
    texts. Services, links and running numbers stay: numbers are never reused.
    `dry_run=True` counts what would go and deletes nothing. Returns the count.
    """
    if before > timezone.localdate():
        raise WriteRefused(f"{before:%Y-%m-%d} is in the future; responses not yet given cannot be purged.")
    responses = Response.objects.filter(submitted_on__lt=before)
    if service_code is not None:
        service = Service.objects.filter(code=service_code.strip().upper()).first()
        if service is None:
            raise WriteRefused(f"No service has code {service_code!r}.")
        responses = responses.filter(service=service)
    if dry_run:
        return responses.count()
    with transaction.atomic():
        _, deleted = responses.delete()
        # Released months may have lost answers: recount them.
        tallies_rebuild(service_id=service.pk if service_code is not None else None)
    return deleted.get(Response._meta.label, 0)
