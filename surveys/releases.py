"""Releasing answers to the figures in batches of at least `min_cell`.

A stored response waits until its service and questionnaire have `min_cell`
responses waiting; then they are all released together, dated the day of the
release. Only then do they count in the tallies, and only then are they queued
for their about-you slices (say, the women of that service), which are
released the same way: when `min_cell` released responses wait in the slice.
So every figure the dashboard can show changes by at least `min_cell`
respondents at a time, or not at all, and whole months of releases never
split a batch (docs/disclosure.md).

When a collection round closes, `releases_close` releases what is left over
(fewer than `min_cell` in a service) into one national pool, if the pool
holds at least `min_cell`; pooled answers count only in the national figures
for all time, never in a service's, a slice of services' or a month's.

Every function here runs inside the transaction that stored the response, and
after the service's row lock has been taken (`response_submit` updates the
service's running number first), so two submissions of one service never
release the same batch twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery

from .codes import ABOUT_FILTERS
from .models import ChoiceAnswer, Option, Period, Release, Response
from .tallies import EVERYONE, Counted, counted, month_start, tallies_add


def releases_after_submit(response: Response) -> None:
    """Queue a new response and release the batch it completes, if any."""
    Release.objects.create(
        response=response,
        service_id=response.service_id,
        questionnaire_id=response.questionnaire_id,
        wave_id=response.wave_id,
        among=EVERYONE,
    )
    _release(service_id=response.service_id, questionnaire_id=response.questionnaire_id, wave_id=response.wave_id)


def _release(*, service_id: int | None, questionnaire_id: int, wave_id: int | None, pooled: bool = False) -> list[Counted]:
    """Release the everyone unit if it holds a batch, then the slices it feeds."""
    unit = (service_id, questionnaire_id, wave_id)
    released = _release_units(*unit, [EVERYONE], pooled=pooled)
    _queue_slices(released, pooled=pooled)
    _release_units(*unit, sorted({option for r in released for option in r.slices}), pooled=pooled)
    return released


def _release_units(
    service_id: int | None, questionnaire_id: int, wave_id: int | None, amongs: list[int], *, pooled: bool
) -> list[Counted]:
    """Release each of these units (everyone, or slices) that holds at least
    `min_cell` waiting responses, all together; returns the responses released.

    Four statements whatever the number of units: what waits, the update, the
    answers of what is released, and the tallies.
    """
    if not amongs:
        return []
    # A batch never mixes waves (wave_id None: answers given outside any wave).
    waiting = Release.objects.filter(
        questionnaire_id=questionnaire_id, wave_id=wave_id, among__in=amongs, released_on__isnull=True, pooled=pooled
    )
    if service_id is not None:
        waiting = waiting.filter(service_id=service_id)
    units: dict[int, list] = {}
    for among, response_id, submitted_on in waiting.values_list("among", "response_id", "response__submitted_on"):
        units.setdefault(among, []).append((response_id, submitted_on))
    full = {among: rows for among, rows in units.items() if len(rows) >= settings.PEERSURVEY_MIN_CELL}
    if not full:
        return []
    # Dated by the newest answer in the batch: live, that is today.
    day = max(on for rows in full.values() for _, on in rows)
    condition = Q()
    for among, rows in full.items():
        condition |= Q(among=among, response_id__in=[response_id for response_id, _ in rows])
    Release.objects.filter(condition).update(released_on=day)
    ids = sorted({response_id for rows in full.values() for response_id, _ in rows}, key=str)
    responses = {response.pk: response for response in counted(ids)}
    tallies_add(
        [(responses[response_id], among) for among, rows in full.items() for response_id, _ in rows],
        month=month_start(day),
        period=Period.POOLED if pooled else Period.MONTH,
    )
    return list(responses.values())


def _queue_slices(responses: list[Counted], *, pooled: bool) -> None:
    Release.objects.bulk_create(
        [
            Release(
                response_id=response.pk,
                service_id=response.service_id,
                questionnaire_id=response.questionnaire_id,
                wave_id=response.wave_id,
                among=option,
                pooled=pooled,
            )
            for response in responses
            for option in response.slices
        ]
    )


def releases_close(*, wave_ids: set[int | None] | None = None) -> dict[str, int]:
    """Close a collection round: pool what is left over, nationally.

    Each questionnaire's waiting responses of one wave, across every service,
    are released into that wave's national pool if there are at least
    `min_cell` of them. `wave_ids` limits it to some waves (None for answers
    outside any wave); by default every wave closes. Returns
    {"pooled": responses pooled, "waiting": responses still waiting}.
    """
    pooled = waiting = 0
    units = Release.objects.filter(released_on__isnull=True, pooled=False).values_list("questionnaire_id", "wave_id").distinct()
    for questionnaire_id, wave_id in sorted(set(units), key=lambda unit: (unit[0], unit[1] or 0)):
        if wave_ids is not None and wave_id not in wave_ids:
            continue
        everyone = Release.objects.filter(
            questionnaire_id=questionnaire_id, wave_id=wave_id, among=EVERYONE, released_on__isnull=True, pooled=False
        )
        count = everyone.count()
        if count >= settings.PEERSURVEY_MIN_CELL:
            everyone.update(pooled=True)
            pooled += len(_release(service_id=None, questionnaire_id=questionnaire_id, wave_id=wave_id, pooled=True))
        else:
            waiting += count
        # Slices still waiting in a service stay there: a slice is only ever
        # counted beside the whole it belongs to (a service, or the pool).
    return {"pooled": pooled, "waiting": waiting}


def releases_queue_missing_slices() -> int:
    """Queue released responses for about-you slices they are not yet queued in
    (an about-you question that became a filter after they were released, as
    `time_in_secure` did), and release each slice unit that then holds a batch.
    Returns how many slice rows were queued; a no-op when none are missing."""
    slice_options = Option.objects.filter(question__code__in=ABOUT_FILTERS).values("pk")
    released = Release.objects.filter(response=OuterRef("response_id"), among=EVERYONE, released_on__isnull=False)
    queued = Release.objects.filter(response=OuterRef("response_id"), among=OuterRef("option_id"))
    missing = (
        ChoiceAnswer.objects.filter(option_id__in=Subquery(slice_options))
        .filter(Exists(released))
        .exclude(Exists(queued))
        .values_list("response_id", "option_id")
    )
    rows = list(missing)
    if not rows:
        return 0
    with transaction.atomic():
        everyone = {
            release.response_id: release
            for release in Release.objects.filter(response_id__in={r for r, _ in rows}, among=EVERYONE)
        }
        Release.objects.bulk_create(
            [
                Release(
                    response_id=response_id,
                    service_id=everyone[response_id].service_id,
                    questionnaire_id=everyone[response_id].questionnaire_id,
                    wave_id=everyone[response_id].wave_id,
                    among=option_id,
                    pooled=everyone[response_id].pooled,
                )
                for response_id, option_id in rows
            ]
        )
        units: dict[tuple, set[int]] = {}
        for response_id, option_id in rows:
            release = everyone[response_id]
            service_id = None if release.pooled else release.service_id
            units.setdefault((service_id, release.questionnaire_id, release.wave_id, release.pooled), set()).add(option_id)
        for (service_id, questionnaire_id, wave_id, pooled), amongs in sorted(units.items(), key=str):
            _release_units(service_id, questionnaire_id, wave_id, sorted(amongs), pooled=pooled)
    return len(rows)


def releases_backfill() -> int:
    """Release responses stored before releases existed, in the order they came
    (running number per service), exactly as if each had just arrived. Returns
    how many were queued. Safe to repeat: a response already queued is skipped."""
    queued = Release.objects.filter(among=EVERYONE).values("response_id")
    todo = (
        Response.objects.exclude(pk__in=queued)
        .order_by("service_id", "number")
        .only("pk", "service_id", "questionnaire_id", "wave_id")
    )
    total = 0
    with transaction.atomic():
        for response in todo:
            releases_after_submit(response)
            total += 1
    return total
