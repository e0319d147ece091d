"""Free-text answers as quotes: the approved ones a lead may see, and the ones
waiting for review. Only texts from services the user may see by name."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower, Trim

from surveys.codes import JOB_TITLE
from surveys.models import Question, QuoteStatus, Release, TextAnswer
from surveys.tallies import EVERYONE

from ..access import Access


def visible_answers(access: Access) -> QuerySet[TextAnswer]:
    answers = TextAnswer.objects.exclude(question__code=JOB_TITLE)
    if not access.every_service:
        answers = answers.filter(response__service__code__in=access.own_codes)
    return answers


def quote_question_codes() -> list[str]:
    """The questions any free text has been given for: the quote filter's choices."""
    return sorted(set(TextAnswer.objects.exclude(question__code=JOB_TITLE).values_list("question__code", flat=True)))


def _released(response: str = "response") -> Exists:
    """Released in a service (not pooled): a quote appears with its batch, never alone."""
    return Exists(Release.objects.filter(response=OuterRef(response), among=EVERYONE, released_on__isnull=False, pooled=False))


def group_sizes(access: Access, *, service: str = "") -> dict[str, int]:
    """Released respondents per group among the services a quote list shows."""
    scope = Release.objects.filter(among=EVERYONE, released_on__isnull=False, pooled=False)
    if not access.every_service:
        scope = scope.filter(service__code__in=access.own_codes)
    if service:
        scope = scope.filter(service__code=service)
    return dict(scope.values_list("questionnaire__code").annotate(n=Count("id")))


def job_title_counts(access: Access) -> dict[tuple[str, str], int]:
    """Released staff per service and job title (lower case): a title shared by
    fewer than min_cell staff of a service would point at a person."""
    titles = TextAnswer.objects.filter(question__code=JOB_TITLE).filter(_released())
    if not access.every_service:
        titles = titles.filter(response__service__code__in=access.own_codes)
    return {
        (code, title): n
        for code, title, n in titles.annotate(title=Lower(Trim("text")))
        .values_list("response__service__code", "title")
        .annotate(n=Count("id"))
    }


def approved_quotes(access: Access, *, groups: list[str], service: str = "", question: str = "") -> QuerySet[TextAnswer]:
    """Approved quotes of released responses of the given groups, in the report's question order."""
    answers = (
        visible_answers(access)
        .filter(review__status=QuoteStatus.APPROVED, response__questionnaire__code__in=groups)
        .filter(_released())
    )
    if service:
        answers = answers.filter(response__service__code=service)
    if question:
        answers = answers.filter(question__code=question)
    return answers.annotate(
        quote=F("review__text"),
        credit=F("review__attribution"),
        question_code=F("question__code"),
        question_text=F("question__text"),
        group=F("response__questionnaire__code"),
        about=_parent_title(),
    ).order_by("question__position", "response__service__code", "response_id")


def pending_review(access: Access) -> QuerySet[TextAnswer]:
    """Texts no reviewer has decided on yet, with what a suggested attribution needs."""
    return (
        visible_answers(access)
        .filter(review__isnull=True)
        .annotate(
            service_code=F("response__service__code"),
            group=F("response__questionnaire__code"),
            question_text=F("question__text"),
            job_title=_job_title(),
        )
        # By service, then in the random order of response ids: never the order they came in.
        .order_by("response__service__code", "response_id", "question__position")
    )


def _parent_title():
    """A follow-up ("Please tell us why") reads best under its question's chart title."""
    return Subquery(
        Question.objects.filter(questionnaire=OuterRef("question__questionnaire"), code=OuterRef("question__parent_code")).values(
            "chart_title"
        )[:1]
    )


def _job_title():
    return Subquery(TextAnswer.objects.filter(response=OuterRef("response"), question__code=JOB_TITLE).values("text")[:1])
