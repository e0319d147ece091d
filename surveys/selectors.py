"""Reads of the collection side: questionnaires as definitions, links by token."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from threading import Lock

from django.db.models import Prefetch
from django.utils import translation

from .codes import Group
from .definitions import OptionDef, QuestionDef, QuestionnaireDef, SectionDef
from .models import CollectionLink, Option, Question, Questionnaire, Translation, Wave
from .translations import BASE_LANGUAGE, Entry, other_languages, servable, translate


@dataclass(frozen=True)
class LoadedQuestionnaire:
    """A questionnaire's definition plus the row ids answers point at."""

    pk: int
    definition: QuestionnaireDef
    question_ids: dict[str, int]
    option_ids: dict[tuple[str, str], int]


TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_cache: dict[tuple[int, str], LoadedQuestionnaire] = {}
_latest: dict[str, int | None] = {}
_versions: dict[str, list[int]] = {}
_catalogue: list[Catalogue] = []
_cache_lock = Lock()


def loaded_questionnaire(questionnaire_id: int, language: str | None = None) -> LoadedQuestionnaire:
    """The questionnaire as stored, in a language, cached per process.

    `language` defaults to the active one; English, or a language we do not
    have, gives the questionnaire as written. A text without a translation
    that translates today's English stays English. Codes and ids are the same
    in every language. Pages show this; language-neutral outputs (data.json,
    exports) ask for "en".

    A version's codes never change once it holds answers (the loader refuses),
    and the loader clears this cache, so a cached copy is never wrong in the
    process that loaded; other processes pick up wording changes on restart.
    """
    language = served_language(language)
    with _cache_lock:
        cached = _cache.get((questionnaire_id, language))
    if cached is not None:
        return cached
    if language == BASE_LANGUAGE:
        loaded = _load(questionnaire_id)
    else:
        english = loaded_questionnaire(questionnaire_id, BASE_LANGUAGE)
        loaded = dataclasses.replace(english, definition=_translated(english, language))
    with _cache_lock:
        _cache[(questionnaire_id, language)] = loaded
    return loaded


def served_language(language: str | None = None) -> str:
    """The language a questionnaire is shown in: the one asked for (default: the
    active one) if we translate into it, else English.

    >>> served_language("cy"), served_language("cy-gb"), served_language("fr"), served_language("en-gb")
    ('cy', 'cy', 'en', 'en')
    """
    code = (language or translation.get_language() or BASE_LANGUAGE).lower().split("-")[0]
    return code if code in other_languages() else BASE_LANGUAGE


def _translated(english: LoadedQuestionnaire, language: str) -> QuestionnaireDef:
    rows = Translation.objects.filter(questionnaire_id=english.pk, language=language).values_list("key", "source", "text")
    entries = {key: Entry(en=source, text=text) for key, source, text in rows}
    return translate(english.definition, servable(english.definition, entries))


def clear_questionnaire_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _latest.clear()
        _versions.clear()
        _catalogue.clear()


@dataclass(frozen=True)
class Catalogue:
    """Row ids of every questionnaire version, question and option, as codes.

    Tallies count by id; the dashboard speaks in codes. Ids never change
    meaning, so one copy per process serves until an id it lacks turns up.
    """

    groups: dict[int, str]  # questionnaire id -> "patient"
    questions: dict[int, tuple[str, str, str]]  # question id -> (group, code, kind)
    options: dict[int, tuple[str, str, str]]  # option id -> (group, question code, option code)
    kinds: dict[tuple[str, str], str]  # (group, question code) -> "one", "many" or "text"
    option_question: dict[int, int]  # option id -> question id
    # questionnaire id -> the (question, option) codes that version asks
    asks: dict[int, frozenset[tuple[str, str]]] = field(default_factory=dict)
    # group -> the (question, option) codes any of its versions asks
    offered: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)

    def knows(self, questionnaire_ids, question_ids, option_ids) -> bool:
        return (
            set(questionnaire_ids) <= self.groups.keys()
            and set(question_ids) <= self.questions.keys()
            and set(option_ids) <= self.options.keys()
        )


def catalogue(*, refresh: bool = False) -> Catalogue:
    with _cache_lock:
        if _catalogue and not refresh:
            return _catalogue[0]
    rows = list(Question.objects.values_list("pk", "questionnaire__code", "code", "kind", "questionnaire_id"))
    questions = {pk: (group, code, kind) for pk, group, code, kind, _ in rows}
    version_of = {pk: questionnaire_id for pk, _, _, _, questionnaire_id in rows}
    options = list(Option.objects.values_list("pk", "question_id", "code"))
    asks: dict[int, set[tuple[str, str]]] = {}
    for _, question_id, code in options:
        asks.setdefault(version_of[question_id], set()).add((questions[question_id][1], code))
    groups = dict(Questionnaire.objects.values_list("pk", "code"))
    loaded = Catalogue(
        groups=groups,
        questions=questions,
        options={pk: (questions[question_id][0], questions[question_id][1], code) for pk, question_id, code in options},
        kinds={(group, code): kind for group, code, kind in questions.values()},
        option_question={pk: question_id for pk, question_id, _ in options},
        asks={questionnaire_id: frozenset(codes) for questionnaire_id, codes in asks.items()},
        offered={
            group: frozenset(code for pk, codes in asks.items() if groups[pk] == group for code in codes)
            for group in set(groups.values())
        },
    )
    with _cache_lock:
        _catalogue[:] = [loaded]
    return loaded


def latest_loaded(code: str, language: str | None = None) -> LoadedQuestionnaire | None:
    """The newest version of a questionnaire, in a language, cached like `loaded_questionnaire`."""
    with _cache_lock:
        known = code in _latest
        pk = _latest.get(code)
    if not known:
        questionnaire = latest_questionnaire(code)
        pk = questionnaire.pk if questionnaire else None
        with _cache_lock:
            _latest[code] = pk
    return loaded_questionnaire(pk, language) if pk is not None else None


def every_version_loaded(code: str, language: str | None = None) -> list[LoadedQuestionnaire]:
    """Every stored version of a questionnaire, newest first, in a language, cached like `loaded_questionnaire`."""
    with _cache_lock:
        pks = _versions.get(code)
    if pks is None:
        pks = list(Questionnaire.objects.filter(code=code).order_by("-version").values_list("pk", flat=True))
        with _cache_lock:
            _versions[code] = pks
    return [loaded_questionnaire(pk, language) for pk in pks]


def _load(questionnaire_id: int) -> LoadedQuestionnaire:
    questionnaire = Questionnaire.objects.prefetch_related(
        Prefetch(
            "questions",
            queryset=Question.objects.order_by("position").prefetch_related(
                Prefetch("options", queryset=Option.objects.order_by("position"))
            ),
        )
    ).get(pk=questionnaire_id)
    questions = []
    question_ids: dict[str, int] = {}
    option_ids: dict[tuple[str, str], int] = {}
    for question in questionnaire.questions.all():
        question_ids[question.code] = question.pk
        options = []
        for option in question.options.all():
            option_ids[(question.code, option.code)] = option.pk
            options.append(
                OptionDef(
                    code=option.code,
                    label=option.label,
                    easy_label=option.easy_label,
                    icon=option.icon,
                    example=option.example,
                    exclusive=option.exclusive,
                )
            )
        questions.append(
            QuestionDef(
                code=question.code,
                section=question.section,
                kind=question.kind,
                text=question.text,
                easy_text=question.easy_text,
                hint=question.hint,
                quote=question.quote,
                quote_source=question.quote_source,
                chart_title=question.chart_title,
                parent=question.parent_code,
                max_length=question.max_length,
                options=tuple(options),
                show_if_question=question.show_if_question,
                show_if_options=tuple(question.show_if_options),
                bsl=question.bsl,
                bsl_captions=tuple(sorted(question.bsl_captions.items())),
            )
        )
    definition = QuestionnaireDef(
        code=questionnaire.code,
        version=questionnaire.version,
        title=questionnaire.title,
        easy_title=questionnaire.easy_title,
        intro=questionnaire.intro,
        easy_intro=questionnaire.easy_intro,
        thanks=questionnaire.thanks,
        sections=tuple(SectionDef(**section) for section in questionnaire.sections),
        questions=tuple(questions),
    )
    return LoadedQuestionnaire(questionnaire.pk, definition, question_ids, option_ids)


def active_link(token: str) -> CollectionLink | None:
    """The link for a token, or None when unknown or revoked (both answer 404)."""
    # Tokens are URL-safe base64; anything else cannot match (and a NUL would
    # reach PostgreSQL, which refuses it in a string).
    if not TOKEN_RE.match(token or ""):
        return None
    return (
        CollectionLink.objects.select_related("service", "questionnaire", "wave")
        .filter(token=token, revoked_on__isnull=True)
        .first()
    )


def revoked_link(token: str) -> CollectionLink | None:
    """The link for a token if it was revoked (None when unknown or in use): the API and
    a ward tablet's page say so, and the tablet deletes what it queued for it (docs/patient-flow.md)."""
    if not TOKEN_RE.match(token or ""):
        return None
    return CollectionLink.objects.filter(token=token, revoked_on__isnull=False).first()


def wave_open_on(day: date) -> Wave | None:
    """The wave open on a day (opens <= day <= closes), the latest opened if
    several overlap; None outside every wave."""
    return Wave.objects.filter(opens__lte=day, closes__gte=day).order_by("-opens", "-pk").first()


def waves_in_order() -> list[Wave]:
    """Every wave, oldest first: the order comparisons call one wave "the last"."""
    return list(Wave.objects.order_by("opens", "code"))


def previous_wave(wave: Wave) -> Wave | None:
    """The wave before this one: the latest that opened earlier."""
    return Wave.objects.filter(opens__lt=wave.opens).order_by("-opens", "-pk").first()


def latest_questionnaire(code: str) -> Questionnaire | None:
    return Questionnaire.objects.filter(code=code).order_by("-version").first()


def questionnaire_version(code: str, version: str = "") -> Questionnaire | None:
    """A questionnaire by its group and a version number as typed (a query
    parameter): the newest when none is given, None for anything else.

    ASCII digits only: str.isdigit also says yes to "²", which int() refuses.
    """
    if code not in Group.values:
        return None
    if not version:
        return latest_questionnaire(code)
    if not (version.isascii() and version.isdigit()) or len(version) > 4:
        return None
    return Questionnaire.objects.filter(code=code, version=int(version)).first()
