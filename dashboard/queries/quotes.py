"""Free-text answers as quotes: the approved ones a lead may see, and the ones
waiting for review; what each quote's writer answered to the question it
explains; themes; the quotes chosen for the report and for patients. Only texts
from services the user may see by name, and never a text flagged as a
safeguarding concern: the safeguarding page is the only place it appears."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Lower, Trim

from surveys.codes import GROUPS, JOB_TITLE, Group, Kind
from surveys.models import (
    ChoiceAnswer,
    Period,
    Question,
    QuoteReview,
    QuoteStatus,
    Release,
    SafeguardingConcern,
    Tally,
    TallyKind,
    TextAnswer,
)
from surveys.selectors import every_version_loaded
from surveys.tallies import EVERYONE

from ..access import Access
from ..stats import suppressed


def quotable() -> QuerySet[TextAnswer]:
    """Every text that may be quoted or reviewed: not a job title (it credits a
    quote, it is no quote), and not flagged as a safeguarding concern (hidden
    from everyone but the named safeguarding reviewers, the flagger included)."""
    return TextAnswer.objects.exclude(question__code=JOB_TITLE).filter(concern__isnull=True)


def visible_answers(access: Access) -> QuerySet[TextAnswer]:
    answers = quotable()
    if not access.every_service:
        answers = answers.filter(response__service__code__in=access.own_codes)
    return answers


def quote_question_codes() -> list[str]:
    """The questions any free text has been given for: the quote filter's choices."""
    return sorted(set(TextAnswer.objects.exclude(question__code=JOB_TITLE).values_list("question__code", flat=True)))


def _released(response: str = "response") -> Exists:
    """Released in a service (not pooled): a quote appears with its batch, never alone."""
    return Exists(Release.objects.filter(response=OuterRef(response), among=EVERYONE, released_on__isnull=False, pooled=False))


def group_sizes(
    access: Access, *, service: str = "", services: Iterable[str] | None = None, wave_id: int | None = None
) -> dict[str, int]:
    """Released respondents per group among the services a quote list shows
    (one `service`, or `services`, else all the user may see), in one wave or all."""
    scope = Release.objects.filter(among=EVERYONE, released_on__isnull=False, pooled=False)
    if not access.every_service:
        scope = scope.filter(service__code__in=access.own_codes)
    return _sizes(scope, services=[service] if service else services, wave_id=wave_id)


def _sizes(scope: QuerySet[Release], *, services: Iterable[str] | None, wave_id: int | None) -> dict[str, int]:
    if services is not None:
        scope = scope.filter(service__code__in=list(services))
    if wave_id is not None:
        scope = scope.filter(wave_id=wave_id)
    return dict(scope.values_list("questionnaire__code").annotate(n=Count("id")))


def shown_groups(sizes: Mapping[str, int], *, min_cell: int) -> list[str]:
    """The groups whose quotes may be shown: those of at least `min_cell` respondents.

    >>> shown_groups({"patient": 12, "staff": 4}, min_cell=5)
    ['patient']
    """
    return [group for group, n in sizes.items() if not suppressed(n, min_cell)]


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
    access: Access,
    *,
    groups: list[str],
    service: str = "",
    question: str = "",
    min_cell: int = 5,
    services: Iterable[str] | None = None,
    wave_id: int | None = None,
    theme: int | None = None,
) -> QuerySet[TextAnswer]:
    """Approved quotes of released responses of the given groups, in the report's question order
    (of one `service` or of `services`, of one wave, with one theme, where asked)."""
    return _approved(
        visible_answers(access),
        groups=groups,
        services=[service] if service else services,
        question=question,
        wave_id=wave_id,
        theme=theme,
        min_cell=min_cell,
    )


def _approved(
    answers: QuerySet[TextAnswer],
    *,
    groups: list[str],
    services: Iterable[str] | None,
    question: str = "",
    wave_id: int | None = None,
    theme: int | None = None,
    min_cell: int,
) -> QuerySet[TextAnswer]:
    answers = answers.filter(review__status=QuoteStatus.APPROVED, response__questionnaire__code__in=groups).filter(_released())
    if services is not None:
        answers = answers.filter(response__service__code__in=list(services))
    if question:
        answers = answers.filter(question__code=question)
    if wave_id is not None:
        answers = answers.filter(response__wave_id=wave_id)
    if theme is not None:
        answers = answers.filter(review__themes__id=theme)
    for service_id, questionnaire_id, code, wave in rare_boxes(answers, min_cell=min_cell):
        in_wave = {"response__wave_id": wave} if wave is not None else {"response__wave__isnull": True}
        answers = answers.exclude(
            response__service_id=service_id, question__questionnaire_id=questionnaire_id, question__code=code, **in_wave
        )
    return answers.annotate(
        quote=F("review__text"),
        credit=F("review__attribution"),
        question_code=F("question__code"),
        question_text=F("question__text"),
        group=F("response__questionnaire__code"),
        about=_parent_title(),
        service_code=F("response__service__code"),
        # The unit a writer's answer is counted in (with_author_answers).
        unit_service=F("response__service_id"),
        unit_version=F("response__questionnaire_id"),
        unit_wave=F("response__wave_id"),
        for_report=F("review__for_report"),
        for_patients=F("review__for_patients"),
    ).order_by(
        # Within a question and service, by attribution: its number is drawn per
        # question, so one person's quotes do not stand at the same place in each
        # question's list (the order of response ids would put them there).
        "question__position",
        "response__service__code",
        "review__attribution",
        "response_id",
    )


def implied_options() -> dict[tuple[int, str], tuple[tuple[int, ...], bool]]:
    """(questionnaire version, box) -> the option ids one of which a box's writer
    must have ticked (a box shown only for some answers tells them), and whether
    those options are of a one-choice question (so nobody ticked two of them)."""
    implied = {}
    for group in GROUPS:
        for loaded in every_version_loaded(group, "en"):
            definition = loaded.definition
            for question in definition.questions:
                if question.kind == Kind.TEXT and question.show_if_question:
                    options = tuple(loaded.option_ids[(question.show_if_question, option)] for option in question.show_if_options)
                    one = definition.question(question.show_if_question).kind == Kind.ONE
                    implied[(loaded.pk, question.code)] = (options, one)
    return implied


def rare_boxes(answers: QuerySet[TextAnswer], *, min_cell: int) -> list[tuple[int, int, str, int | None]]:
    """(service, questionnaire version, box, wave) whose quotes would point at a few rows.

    A quote from a box under an option says its writer ticked it; the response
    export's rows of that service, version and wave with it ticked are the
    writer's candidates. Fewer than `min_cell` released respondents ticked it
    there: the box's quotes of that wave are not shown (docs/disclosure.md,
    rule 7). Counted per wave in every output, whatever window it covers: a
    quote's wave can be learned by comparing outputs (a report of one wave
    lists it, another does not), and the export has a wave column.
    """
    implied = implied_options()
    boxes = {
        box
        for box in answers.filter(question__show_if_question__gt="")
        .values_list("response__service_id", "question__questionnaire_id", "question__code", "response__wave_id")
        .distinct()
        if (box[1], box[2]) in implied
    }
    if not boxes:
        return []
    wanted = {option for box in boxes for option in implied[(box[1], box[2])][0]}
    ticked = {
        (service_id, wave, ref): total
        for service_id, wave, ref, total in Tally.objects.filter(
            period=Period.MONTH, among=EVERYONE, kind=TallyKind.CHOSE, ref__in=wanted, service_id__in={b[0] for b in boxes}
        )
        .values("service_id", "wave", "ref")
        .annotate(total=Sum("n"))
        .values_list("service_id", "wave", "ref", "total")
    }

    def candidates(service_id: int, wave_id: int | None, options: tuple[int, ...], one: bool) -> int:
        counts = [ticked.get((service_id, wave_id or 0, option), 0) for option in options]
        # Options of a one-choice question: each person ticked one, so they add up;
        # of a many-choice question the largest is all that is sure.
        return sum(counts) if one else max(counts)

    rare = [box for box in boxes if candidates(box[0], box[3], *implied[(box[1], box[2])]) < min_cell]
    return sorted(rare, key=lambda box: (box[0], box[1], box[2], box[3] or 0))


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


# --- what a quote explains, in words -------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A free-text question as a reader of its quotes needs it: in words, and the
    choice question it explains (its parent, or the question it is shown under)."""

    code: str
    version: int  # the questionnaire version's id
    position: int
    wording: str
    explains: str  # the code of the choice question it explains; its own code if none
    parent: int | None = None  # that choice question's id
    one: bool = True  # that question takes one answer
    labels: dict[int, str] = field(default_factory=dict)  # its options: id -> label, in its order
    needs: frozenset[int] = frozenset()  # options one of which a writer ticked to be shown the box


def question_wording(text: str, *, parent_title: str = "", option_labels: Iterable[str] = ()) -> str:
    """A free-text question as a lead reads it: a follow-up ("Please tell us why")
    means little without the question it follows, nor a box under an option
    without the option.

    >>> question_wording("Please tell us why", parent_title="Can peer support be useful?")
    'Can peer support be useful? – Please tell us why'
    >>> question_wording("How?", parent_title="How do peers help?", option_labels=["Practical support"])
    'How do peers help? – Practical support: How?'
    >>> question_wording("Any final comments or thoughts?")
    'Any final comments or thoughts?'
    """
    options = ", ".join(option_labels)
    asked = f"{options}: {text}" if options else text
    return f"{parent_title} – {asked}" if parent_title else asked


def text_boxes() -> dict[int, Box]:
    """Every free-text question of every questionnaire version, by question id:
    patients first, the newest version first. Read from the loaded
    questionnaires, cached per process, so no query once they are loaded."""
    found: dict[int, Box] = {}
    for group in GROUPS:
        for loaded in every_version_loaded(group, "en"):
            definition = loaded.definition
            for position, question in enumerate(definition.questions):
                if question.kind != Kind.TEXT:
                    continue
                follows = definition.question(question.parent) if question.parent else None
                title = (follows.chart_title or follows.text) if follows else ""
                detail = question.option_detail_of
                labels_of = {option.code: option.label for option in follows.options} if follows else {}
                wording = question_wording(question.text, parent_title=title, option_labels=[labels_of[detail]] if detail else [])
                explained = definition.question(question.show_if_question or question.parent)
                if explained is None or not explained.is_choice:
                    found[loaded.question_ids[question.code]] = Box(
                        question.code, loaded.pk, position, wording, explains=explained.code if explained else question.code
                    )
                    continue
                ids = {option.code: loaded.option_ids[(explained.code, option.code)] for option in explained.options}
                found[loaded.question_ids[question.code]] = Box(
                    question.code,
                    loaded.pk,
                    position,
                    wording,
                    explains=explained.code,
                    parent=loaded.question_ids[explained.code],
                    one=explained.kind == Kind.ONE,
                    labels={ids[option.code]: option.label for option in explained.options},
                    needs=frozenset(ids[code] for code in question.show_if_options) if question.show_if_question else frozenset(),
                )
    return found


def quote_questions() -> list[tuple[str, str]]:
    """The questions any free text has been given for, as (code, words), in the
    questionnaire's order: the quote filter's choices. The words are the newest
    version's, the patients' where both groups are asked."""
    codes = set(quote_question_codes())
    named: dict[str, tuple[int, str]] = {}
    for box in text_boxes().values():
        if box.code in codes and box.code not in named:
            named[box.code] = (box.position, box.wording)
    ordered = sorted(named.items(), key=lambda item: (item[1][0], item[0]))
    return [(code, words) for code, (_, words) in ordered] + [(code, code) for code in sorted(codes - named.keys())]


def with_wording(answers: Iterable[TextAnswer]) -> None:
    """Give each text (annotated with `question_text`) `wording`: its question in words."""
    boxes = text_boxes()
    for answer in answers:
        box = boxes.get(answer.question_id)
        answer.wording = box.wording if box else answer.question_text


# --- the writer's answer beside a quote -------------------------------------------------------


class AuthorAnswer(NamedTuple):
    """What a quote's writer answered to the question it explains: the labels of
    the options they chose, or `withheld` when too few people gave that answer to say."""

    labels: tuple[str, ...]
    withheld: bool = False

    @property
    def words(self) -> str:
        """The answer as the report prints it: "Yes", or each option ticked.

        >>> AuthorAnswer(("Trust", "Confidentiality")).words
        'Trust; Confidentiality'
        """
        return "; ".join(self.labels)


def answers_shown(counts: Mapping[frozenset[int], int], *, min_cell: int) -> set[frozenset[int]]:
    """The answers (each a set of option ids; empty: no answer) that quotes of one
    unit may show their writers gave.

    A unit is a service, questionnaire version and wave: the response export's
    rows of a unit are a quote's candidates (a quote says its service, and a
    report of one wave says its wave). A shown answer narrows them to the rows
    that gave exactly it (a many-choice answer is the whole set ticked: each
    option may be common and the set one person's), so at least `min_cell` must
    have. A withheld answer narrows them to the rows that gave any of the others,
    which must be none or at least `min_cell` too (the complement rule,
    docs/disclosure.md rule 4): while they are a few, the least common shown
    answer is withheld with them.

    >>> yes, no, sometimes = frozenset({1}), frozenset({2}), frozenset({3})
    >>> answers_shown({yes: 10, no: 5, sometimes: 2, frozenset(): 3}, min_cell=5) == {yes, no}
    True
    >>> answers_shown({yes: 10, no: 6, sometimes: 3}, min_cell=5) == {yes}
    True
    >>> answers_shown({yes: 7, sometimes: 3}, min_cell=5)
    set()
    """
    shown = sorted((n, sorted(answer), answer) for answer, n in counts.items() if n >= min_cell)
    rest = sum(n for n in counts.values() if n < min_cell)
    while shown and 0 < rest < min_cell:
        n, _, _ = shown.pop(0)
        rest += n
    return {answer for _, _, answer in shown}


def author_answer(chosen: frozenset[int], *, shown: set[frozenset[int]], labels: Mapping[int, str]) -> AuthorAnswer | None:
    """What a quote says of its writer's answer (`chosen`, a set of option ids):
    the labels, in the question's order, where the answer is shown in its unit
    (`answers_shown`); withheld where not; nothing where they gave no answer
    and enough others gave none. A rare blank is withheld like a rare answer,
    so that "not shown" never tells the two apart.

    >>> labels = {1: "Yes", 2: "No"}
    >>> author_answer(frozenset({2}), shown={frozenset({2})}, labels=labels)
    AuthorAnswer(labels=('No',), withheld=False)
    >>> author_answer(frozenset({1}), shown={frozenset({2})}, labels=labels)
    AuthorAnswer(labels=(), withheld=True)
    >>> author_answer(frozenset(), shown={frozenset()}, labels=labels) is None
    True
    """
    if chosen not in shown:
        return AuthorAnswer((), withheld=True)
    if not chosen:
        return None
    return AuthorAnswer(tuple(label for option, label in labels.items() if option in chosen))


Unit = tuple[int, int, int, int]  # service id, questionnaire version id, wave id (0: none), box id


def answer_counts(units: Iterable[Unit]) -> dict[Unit, Counter[frozenset[int]]]:
    """Released respondents of each unit by their answer to the question its box
    explains: one-choice answers from the tallies, many-choice ones (whole sets)
    from the answers of released responses, one mask of ticks per respondent;
    the empty answer is everyone else released there. Only answers the box can
    follow are counted: a box under "yes" was written by someone who said yes."""
    units = set(units)
    boxes = text_boxes()
    services, versions = {unit[0] for unit in units}, {unit[1] for unit in units}
    parents = {boxes[unit[3]].parent: boxes[unit[3]] for unit in units}
    released = {
        (service_id, version_id, wave): n
        for service_id, version_id, wave, n in Tally.objects.filter(
            period=Period.MONTH, among=EVERYONE, kind=TallyKind.RESPONSES, service_id__in=services, ref__in=versions
        )
        .values("service_id", "ref", "wave")
        .annotate(n=Sum("n"))
        .values_list("service_id", "ref", "wave", "n")
    }
    given: dict[tuple[int, int, int, int], Counter[frozenset[int]]] = defaultdict(Counter)
    question_of = {option: box.parent for box in parents.values() for option in box.labels}
    version_of = {box.parent: box.version for box in parents.values()}
    one = [option for option, parent in question_of.items() if parents[parent].one]
    for service_id, wave, option, n in (
        Tally.objects.filter(period=Period.MONTH, among=EVERYONE, kind=TallyKind.CHOSE, ref__in=one, service_id__in=services)
        .values("service_id", "wave", "ref")
        .annotate(n=Sum("n"))
        .values_list("service_id", "wave", "ref", "n")
    ):
        parent = question_of[option]
        given[(service_id, version_of[parent], wave, parent)][frozenset({option})] += n
    bits = {option: 1 << index for box in parents.values() if not box.one for index, option in enumerate(box.labels)}
    if bits:
        ticked = (
            ChoiceAnswer.objects.filter(option_id__in=bits, response__service_id__in=services)
            .filter(_released())
            .values(
                "response_id", "response__service_id", "response__questionnaire_id", "response__wave_id", "option__question_id"
            )
            .annotate(mask=Sum(Case(*(When(option_id=o, then=Value(b)) for o, b in bits.items()), output_field=IntegerField())))
            .values_list("response__service_id", "response__questionnaire_id", "response__wave_id", "option__question_id", "mask")
        )
        for service_id, version_id, wave, parent, mask in ticked:
            answer = frozenset(option for option in parents[parent].labels if bits[option] & mask)
            given[(service_id, version_id, wave or 0, parent)][answer] += 1
    counts = {}
    for unit in units:
        service_id, version_id, wave, box_id = unit
        box = boxes[box_id]
        answers = given.get((service_id, version_id, wave, box.parent), Counter())
        blank = released.get((service_id, version_id, wave), 0) - sum(answers.values())
        counts[unit] = Counter({answer: n for answer, n in answers.items() if not box.needs or answer & box.needs})
        if blank > 0 and not box.needs:
            counts[unit][frozenset()] = blank
    return counts


def with_author_answers(quotes: Iterable[TextAnswer], *, min_cell: int) -> None:
    """Give each quote (from `approved_quotes`) `author`: its writer's answer to
    the question it explains (an AuthorAnswer, or None where there is nothing to
    say). Three queries whatever the number of quotes."""
    quotes = list(quotes)
    boxes = text_boxes()
    for quote in quotes:
        quote.author = None
    explained = [quote for quote in quotes if quote.question_id in boxes and boxes[quote.question_id].parent]
    if not explained:
        return
    chosen: dict[tuple[object, int], set[int]] = defaultdict(set)
    for response_id, question_id, option_id in ChoiceAnswer.objects.filter(
        response_id__in={quote.response_id for quote in explained},
        option__question_id__in={boxes[quote.question_id].parent for quote in explained},
    ).values_list("response_id", "option__question_id", "option_id"):
        chosen[(response_id, question_id)].add(option_id)
    units = {quote: (quote.unit_service, quote.unit_version, quote.unit_wave or 0, quote.question_id) for quote in explained}
    counts = answer_counts(units.values())
    for quote, unit in units.items():
        box = boxes[quote.question_id]
        shown = answers_shown(counts[unit], min_cell=min_cell)
        quote.author = author_answer(frozenset(chosen.get((quote.response_id, box.parent), ())), shown=shown, labels=box.labels)


# --- themes ------------------------------------------------------------------------------------


def theme_counts(quotes: QuerySet[TextAnswer]) -> list[dict]:
    """Per theme, how many of these quotes carry it, per group, by name. They are
    counts of quotes the list shows anyway (docs/disclosure.md, rule 7), so they
    are shown exactly."""
    rows = (
        TextAnswer.objects.filter(pk__in=quotes.order_by().values("pk"), review__themes__isnull=False)
        .values_list("review__themes__id", "review__themes__name", "response__questionnaire__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[int, dict] = {}
    for theme_id, name, group, n in rows:
        table.setdefault(theme_id, {"id": theme_id, "name": name, **dict.fromkeys(GROUPS, 0)})[group] = n
    return sorted(table.values(), key=lambda row: row["name"].lower())


def with_themes(quotes: Iterable[TextAnswer]) -> None:
    """Give each quote `themes`: [(id, name)] of the themes it is tagged with."""
    quotes = list(quotes)
    tagged: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for answer_id, theme_id, name in (
        QuoteReview.themes.through.objects.filter(quotereview__answer_id__in=[quote.pk for quote in quotes])
        .order_by("theme__name")
        .values_list("quotereview__answer_id", "theme_id", "theme__name")
    ):
        tagged[answer_id].append((theme_id, name))
    for quote in quotes:
        quote.themes = tagged.get(quote.pk, [])


def reviewed_quote(access: Access, answer_id: int) -> QuoteReview | None:
    """An approved quote's review that the user may tag or choose (None: there is none)."""
    return (
        QuoteReview.objects.filter(status=QuoteStatus.APPROVED, answer__in=visible_answers(access), answer_id=answer_id)
        .select_related("answer")
        .first()
    )


# --- the report and the ward --------------------------------------------------------------------


def report_quotes(
    access: Access, selection_service_codes: list[str] | None, wave_id: int | None, *, min_cell: int = 5
) -> dict[str, list[dict]]:
    """The quotes reviewers chose for the report of a selection (its services, or
    every service the user may see; one wave or all), under the code of the
    question each explains (a box's parent; its own code if it stands alone), in
    the report's order. Only what the quote list would show: approved, released,
    of a group of at least `min_cell` in the selection, not flagged. Each is
    {"text", "credit", "group", "question" (the box's code), "wording",
    "answer" (the writer's answer in words, or None), "answer_withheld"}."""
    services = None
    if selection_service_codes:
        services = [code for code in selection_service_codes if access.may_see_service(code)]
        if not services:
            return {}
    groups = shown_groups(group_sizes(access, services=services, wave_id=wave_id), min_cell=min_cell)
    quotes = list(
        approved_quotes(access, groups=groups, services=services, wave_id=wave_id, min_cell=min_cell).filter(
            review__for_report=True
        )
    )
    with_author_answers(quotes, min_cell=min_cell)
    boxes = text_boxes()
    chosen: dict[str, list[dict]] = {}
    for quote in quotes:
        box = boxes.get(quote.question_id)
        author = quote.author
        chosen.setdefault(box.explains if box else quote.question_code, []).append(
            {
                "text": quote.quote,
                "credit": quote.credit,
                "group": quote.group,
                "question": quote.question_code,
                "wording": box.wording if box else quote.question_text,
                "answer": author.words if author and not author.withheld else None,
                "answer_withheld": bool(author and author.withheld),
            }
        )
    return chosen


# How the ward's page credits a quote: no service, number or job title.
PATIENT_CREDITS = {Group.PATIENT: "A patient", Group.STAFF: "A member of staff"}


def patient_quotes(service_code: str, wave_id: int | None, limit: int = 6, *, min_cell: int = 5) -> list[dict]:
    """The quotes reviewers chose for patients from one service (one wave, or
    all), for the ward's results page: only what the service's quote list would
    show (approved, released, of a group of at least `min_cell` there, not
    flagged), each {"text", "credit" ("A patient" or "A member of staff"), "group"}."""
    scope = Release.objects.filter(among=EVERYONE, released_on__isnull=False, pooled=False)
    groups = shown_groups(_sizes(scope, services=[service_code], wave_id=wave_id), min_cell=min_cell)
    quotes = _approved(quotable(), groups=groups, services=[service_code], wave_id=wave_id, min_cell=min_cell)
    return [
        {"text": quote.quote, "credit": PATIENT_CREDITS[quote.group], "group": quote.group}
        for quote in quotes.filter(review__for_patients=True)[:limit]
    ]


# --- safeguarding --------------------------------------------------------------------------------


def flaggable_answer(access: Access, answer_id: int) -> TextAnswer | None:
    """A text the user may flag as a safeguarding concern: any they could review,
    flagged already or not (flagged twice, it is one concern)."""
    answers = TextAnswer.objects.exclude(question__code=JOB_TITLE)
    if not access.every_service:
        answers = answers.filter(response__service__code__in=access.own_codes)
    return answers.filter(pk=answer_id).first()


def _concerns(access: Access) -> QuerySet[SafeguardingConcern]:
    concerns = SafeguardingConcern.objects.all()
    if not access.every_service:
        concerns = concerns.filter(answer__response__service__code__in=access.own_codes)
    return concerns


def visible_concern(access: Access, concern_id: int) -> SafeguardingConcern | None:
    return _concerns(access).filter(pk=concern_id).first()


def safeguarding_concerns(access: Access) -> list[dict]:
    """The concerns about texts of the services the user may see, open ones first,
    newest first: each with the text, its service, group and question, and who
    flagged it when, and what was done. Nothing about the writer: not the day
    they answered, their running number, their device or their response."""
    boxes = text_boxes()
    rows = (
        _concerns(access)
        .order_by(F("closed_on").desc(nulls_first=True), "-raised_on", "-pk")
        .values(
            "pk",
            "answer__text",
            "answer__question_id",
            "answer__question__text",
            "answer__response__service__code",
            "answer__response__service__name",
            "answer__response__questionnaire__code",
            "raised_on",
            "raised_by__username",
            "note",
            "action",
            "closed_on",
            "closed_by__username",
        )
    )
    return [
        {
            "id": row["pk"],
            "text": row["answer__text"],
            "wording": boxes[row["answer__question_id"]].wording
            if row["answer__question_id"] in boxes
            else row["answer__question__text"],
            "service_code": row["answer__response__service__code"],
            "service_name": row["answer__response__service__name"],
            "group": row["answer__response__questionnaire__code"],
            "raised_on": row["raised_on"],
            "raised_by": row["raised_by__username"],
            "note": row["note"],
            "action": row["action"],
            "closed_on": row["closed_on"],
            "closed_by": row["closed_by__username"],
        }
        for row in rows
    ]
