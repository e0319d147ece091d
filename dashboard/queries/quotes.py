"""Free-text answers as quotes: the approved ones a lead may see, and the ones
waiting for review. Only texts from services the user may see by name."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Lower, Trim

from surveys.codes import GROUPS, JOB_TITLE, Kind
from surveys.models import Period, Question, QuoteStatus, Release, Tally, TallyKind, TextAnswer
from surveys.selectors import every_version_loaded
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


def approved_quotes(
    access: Access, *, groups: list[str], service: str = "", question: str = "", min_cell: int = 5
) -> QuerySet[TextAnswer]:
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
    for service_id, questionnaire_id, code in rare_boxes(answers, min_cell=min_cell):
        answers = answers.exclude(
            response__service_id=service_id, question__questionnaire_id=questionnaire_id, question__code=code
        )
    return answers.annotate(
        quote=F("review__text"),
        credit=F("review__attribution"),
        question_code=F("question__code"),
        question_text=F("question__text"),
        group=F("response__questionnaire__code"),
        about=_parent_title(),
    ).order_by("question__position", "response__service__code", "response_id")


def implied_options() -> dict[tuple[int, str], tuple[tuple[int, ...], bool]]:
    """(questionnaire version, box) -> the option ids one of which a box's writer
    must have ticked (a box shown only for some answers tells them), and whether
    those options are of a one-choice question (so nobody ticked two of them)."""
    implied = {}
    for group in GROUPS:
        for loaded in every_version_loaded(group):
            definition = loaded.definition
            for question in definition.questions:
                if question.kind == Kind.TEXT and question.show_if_question:
                    options = tuple(loaded.option_ids[(question.show_if_question, option)] for option in question.show_if_options)
                    one = definition.question(question.show_if_question).kind == Kind.ONE
                    implied[(loaded.pk, question.code)] = (options, one)
    return implied


def rare_boxes(answers: QuerySet[TextAnswer], *, min_cell: int) -> list[tuple[int, int, str]]:
    """(service, questionnaire version, box) whose quotes would point at a few rows.

    A quote from a box under an option says its writer ticked it; the response
    export's rows of that service and version with it ticked are the writer's
    candidates. Fewer than `min_cell` released respondents ticked it there: the
    box's quotes are not shown (docs/disclosure.md, rule 7).
    """
    implied = implied_options()
    boxes = {
        box
        for box in answers.filter(question__show_if_question__gt="")
        .values_list("response__service_id", "question__questionnaire_id", "question__code")
        .distinct()
        if (box[1], box[2]) in implied
    }
    if not boxes:
        return []
    wanted = {option for box in boxes for option in implied[(box[1], box[2])][0]}
    ticked = {
        (service_id, ref): total
        for service_id, ref, total in Tally.objects.filter(
            period=Period.MONTH, among=EVERYONE, kind=TallyKind.CHOSE, ref__in=wanted, service_id__in={b[0] for b in boxes}
        )
        .values("service_id", "ref")
        .annotate(total=Sum("n"))
        .values_list("service_id", "ref", "total")
    }

    def candidates(service_id: int, options: tuple[int, ...], one: bool) -> int:
        counts = [ticked.get((service_id, option), 0) for option in options]
        # Options of a one-choice question: each person ticked one, so they add up;
        # of a many-choice question the largest is all that is sure.
        return sum(counts) if one else max(counts)

    return sorted(box for box in boxes if candidates(box[0], *implied[(box[1], box[2])]) < min_cell)


def pending_review(access: Access) -> QuerySet[TextAnswer]:
    """Texts no reviewer has decided on yet, with what a suggested attribution needs."""
    return (
        visible_answers(access)
        .filter(review__isnull=True)
        .annotate(
            service_code=F("response__service__code"),
            group=F("response__questionnaire__code"),
            question_code=F("question__code"),
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
