"""Released responses, for the response-level export."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, Max, OuterRef, QuerySet

from surveys.models import ChoiceAnswer, Release, Response
from surveys.tallies import EVERYONE

from ..selection import Selection
from .tallies import month_filter, service_filter, wave_filter


def released_responses(selection: Selection) -> QuerySet[Response]:
    """Responses released in a service (not pooled) in the selection's months,
    annotated with `released_on`."""
    released = Release.objects.filter(
        month_filter(selection, "released_on"),
        wave_filter(selection, "wave_id"),
        response=OuterRef("pk"),
        among=EVERYONE,
        released_on__isnull=False,
        pooled=False,
    )
    responses = Response.objects.filter(service_filter(selection)).filter(Exists(released))
    for question, option in sorted(selection.about.items()):
        chose = ChoiceAnswer.objects.filter(response=OuterRef("pk"), option__question__code=question, option__code=option)
        responses = responses.filter(Exists(chose))
    return responses


def released_through(selection: Selection) -> date | None:
    """The day of the latest release the selection's figures include."""
    releases = Release.objects.filter(
        service_filter(selection), wave_filter(selection, "wave_id"), among=EVERYONE, released_on__isnull=False
    )
    if not selection.all_time_national:
        releases = releases.filter(month_filter(selection, "released_on"), pooled=False)
    return releases.aggregate(latest=Max("released_on"))["latest"]
