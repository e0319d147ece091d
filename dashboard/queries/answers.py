"""The slow path: the same counts as `tallies.tally_counts`, from the answers
themselves in five grouped statements."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, QuerySet

from surveys.models import ChoiceAnswer, Response

from ..access import Access
from ..selection import Selection
from ..stats import Counts
from .tallies import service_filter


def selected_responses(selection: Selection) -> QuerySet[Response]:
    responses = Response.objects.filter(service_filter(selection))
    if selection.date_from:
        responses = responses.filter(submitted_on__gte=selection.date_from)
    if selection.date_to:
        responses = responses.filter(submitted_on__lte=selection.date_to)
    for question, option in sorted(selection.about.items()):
        chose = ChoiceAnswer.objects.filter(response=OuterRef("pk"), option__question__code=question, option__code=option)
        responses = responses.filter(Exists(chose))
    return responses


def answer_counts(selection: Selection, access: Access) -> tuple[Counts, dict[str, int]]:
    """The same counts as `tally_counts`, from the answers themselves (five statements)."""
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
        for row in choices.values(g=F("response__questionnaire__code"), q=F("option__question__code")).annotate(
            n=Count("response", distinct=True)
        )
    }
    # A service lead's national view shows no other service by name.
    by_service_rows = responses if access.every_service else responses.filter(service__code__in=access.own_codes)
    by_service = [
        (row["code"], row["group"], row["n"])
        for row in by_service_rows.values(code=F("service__code"), group=F("questionnaire__code")).annotate(n=Count("id"))
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
