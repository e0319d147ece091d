"""Every aggregation the dashboard needs, as a few grouped SQL statements.

The number of queries is fixed: it does not grow with questions, options,
services or responses (tests pin it). Nothing here loops over responses.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, QuerySet

from surveys.models import ChoiceAnswer, Response

from .access import Access
from .filters import Selection
from .stats import Counts


def selected_responses(selection: Selection) -> QuerySet[Response]:
    responses = Response.objects.all()
    if selection.services:
        responses = responses.filter(service__code__in=selection.services)
    if selection.security:
        responses = responses.filter(service__security=selection.security)
    if selection.specialism:
        responses = responses.filter(service__specialisms__specialism=selection.specialism)
    if selection.date_from:
        responses = responses.filter(submitted_on__gte=selection.date_from)
    if selection.date_to:
        responses = responses.filter(submitted_on__lte=selection.date_to)
    for question, option in sorted(selection.about.items()):
        chose = ChoiceAnswer.objects.filter(
            response=OuterRef("pk"), option__question__code=question, option__code=option
        )
        responses = responses.filter(Exists(chose))
    return responses


def selection_counts(selection: Selection, access: Access) -> tuple[Counts, dict[str, int]]:
    """Counts for data.json, and the number of services per group in the selection."""
    responses = selected_responses(selection)
    totals = {
        row["group"]: row
        for row in responses.values(group=F("questionnaire__code")).annotate(
            n=Count("id"), services=Count("service", distinct=True)
        )
    }
    choices = ChoiceAnswer.objects.filter(response__in=responses.values("pk"))
    options = {
        (row["g"], row["q"], row["o"]): row["n"]
        for row in choices.values(
            g=F("response__questionnaire__code"), q=F("option__question__code"), o=F("option__code")
        ).annotate(n=Count("id"))
    }
    answered = {
        (row["g"], row["q"]): row["n"]
        for row in choices.values(g=F("response__questionnaire__code"), q=F("option__question__code"))
        .annotate(n=Count("response", distinct=True))
    }
    # A service lead's national view shows no other service by name.
    by_service_rows = responses if access.every_service else responses.filter(service__code__in=access.own_codes)
    by_service = [
        (row["code"], row["group"], row["n"])
        for row in by_service_rows.values(code=F("service__code"), group=F("questionnaire__code"))
        .annotate(n=Count("id"))
    ]
    by_day = [
        (row["submitted_on"], row["group"], row["n"])
        for row in responses.values("submitted_on", group=F("questionnaire__code")).annotate(n=Count("id"))
    ]
    counts = Counts(
        n={group: row["n"] for group, row in totals.items()},
        options=options,
        answered=answered,
        by_service=by_service,
        by_day=by_day,
    )
    return counts, {group: row["services"] for group, row in totals.items()}
