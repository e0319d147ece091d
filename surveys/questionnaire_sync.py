"""Loading questionnaire files into rows: idempotent, and refusing any change
that would alter what stored answers mean (a version is a contract)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F

from .definitions import QuestionnaireDef
from .models import ChoiceAnswer, Option, Question, Questionnaire, TextAnswer, Translation
from .selectors import clear_questionnaire_cache
from .services import WriteRefused
from .translations import LanguageTexts, servable

_OUT_OF_THE_WAY = 100000
_TRANSLATION_FIELDS = ("source", "text", "reviewed", "reviewed_by")


def questionnaires_sync(
    definitions: list[QuestionnaireDef],
    translations: Mapping[tuple[str, int], Mapping[str, LanguageTexts]] | None = None,
) -> list[str]:
    """Load questionnaire definitions into rows; idempotent. Returns what changed.

    Wording may change within a version; codes may not once answers point at
    them (a version is a contract): removing an answered question or option
    raises `WriteRefused` and changes nothing.

    `translations` (`translations.language_files()`): each questionnaire's texts
    in other languages become its rows, replacing what was there; a file's
    texts with problems (stale, empty, unknown) are left out and the rest
    loaded (`translations.all_problems` says what they are). The rows of a
    language with no file at all (a folder of English files only) are left as
    they are; served texts are checked against the English anyway.
    """
    changes: list[str] = []
    languages = {language for by_language in (translations or {}).values() for language in by_language}
    with transaction.atomic():
        for definition in definitions:
            changes.extend(_sync_one(definition))
            if languages:
                found = translations.get((definition.code, definition.version), {})
                changes.extend(_sync_translations(definition, languages, found))
    clear_questionnaire_cache()
    return changes


def _sync_translations(definition: QuestionnaireDef, languages: set[str], by_language: Mapping[str, LanguageTexts]) -> list[str]:
    questionnaire = Questionnaire.objects.get(code=definition.code, version=definition.version)
    wanted = {}
    for language, texts in by_language.items():
        for key in servable(definition, texts.entries):
            entry = texts.entries[key]
            wanted[(language, key)] = {
                "source": entry.en,
                "text": entry.text,
                "reviewed": entry.reviewed,
                "reviewed_by": entry.reviewed_by,
            }
    existing = {(row.language, row.key): row for row in questionnaire.translations.filter(language__in=languages)}
    counts: dict[str, dict[str, int]] = {}

    def count(language: str, what: str) -> None:
        counts.setdefault(language, {"added": 0, "changed": 0, "removed": 0})[what] += 1

    gone = [row for place, row in existing.items() if place not in wanted]
    for row in gone:
        count(row.language, "removed")
    Translation.objects.filter(pk__in=[row.pk for row in gone]).delete()
    added, changed = [], []
    for (language, key), fields in wanted.items():
        row = existing.get((language, key))
        if row is None:
            added.append(Translation(questionnaire=questionnaire, language=language, key=key, **fields))
            count(language, "added")
        elif _assign(row, fields):
            changed.append(row)
            count(language, "changed")
    Translation.objects.bulk_create(added)
    Translation.objects.bulk_update(changed, _TRANSLATION_FIELDS)
    name = f"{definition.code} v{definition.version}"
    return [
        f"{name} in {language}: " + ", ".join(f"{n} texts {what}" for what, n in numbers.items() if n)
        for language, numbers in sorted(counts.items())
    ]


def _sync_one(definition: QuestionnaireDef) -> list[str]:
    name = f"{definition.code} v{definition.version}"
    fields = {
        "title": definition.title,
        "easy_title": definition.easy_title,
        "intro": definition.intro,
        "easy_intro": definition.easy_intro,
        "thanks": definition.thanks,
        "sections": [
            {"code": section.code, "title": section.title, "easy_title": section.easy_title} for section in definition.sections
        ],
    }
    questionnaire, created = Questionnaire.objects.get_or_create(
        code=definition.code, version=definition.version, defaults=fields
    )
    changed = created or _assign(questionnaire, fields)
    if changed and not created:
        questionnaire.save()

    existing = {question.code: question for question in questionnaire.questions.prefetch_related("options")}
    wanted = {question.code for question in definition.questions}
    _delete_unused(
        Question.objects.filter(questionnaire=questionnaire).exclude(code__in=wanted),
        f"{name}: question",
        "code",
    )
    # Positions are unique; move every row out of the way before renumbering.
    Question.objects.filter(questionnaire=questionnaire).update(position=F("position") + _OUT_OF_THE_WAY)
    for position, qdef in enumerate(definition.questions, start=1):
        qfields = {
            "position": position,
            "section": qdef.section,
            "kind": qdef.kind,
            "text": qdef.text,
            "easy_text": qdef.easy_text,
            "hint": qdef.hint,
            "quote": qdef.quote,
            "quote_source": qdef.quote_source,
            "chart_title": qdef.chart_title,
            "parent_code": qdef.parent,
            "max_length": qdef.max_length,
            "show_if_question": qdef.show_if_question,
            "show_if_options": list(qdef.show_if_options),
            "bsl": qdef.bsl,
            "bsl_captions": dict(qdef.bsl_captions),
        }
        question = existing.get(qdef.code)
        if question is None:
            question = Question.objects.create(questionnaire=questionnaire, code=qdef.code, **qfields)
            changed = True
        else:
            if question.kind != qdef.kind and question_has_answers(question):
                raise WriteRefused(f"{name}: question {qdef.code!r} has answers; its kind cannot change")
            was_moved = question.position != position
            changed |= _assign(question, qfields) or was_moved
            question.save()
        changed |= _sync_options(name, question, qdef)
    if changed:
        return [f"{'loaded' if created else 'updated'} {name}"]
    return []


def _sync_options(name: str, question: Question, qdef) -> bool:
    changed = False
    existing = {option.code: option for option in question.options.all()}
    _delete_unused(question.options.exclude(code__in=qdef.option_codes), f"{name}: option of {question.code!r}", "code")
    question.options.update(position=F("position") + _OUT_OF_THE_WAY)
    for position, odef in enumerate(qdef.options, start=1):
        ofields = {
            "position": position,
            "label": odef.label,
            "easy_label": odef.easy_label,
            "icon": odef.icon,
            "example": odef.example,
            "exclusive": odef.exclusive,
        }
        option = existing.get(odef.code)
        if option is None:
            Option.objects.create(question=question, code=odef.code, **ofields)
            changed = True
        else:
            changed |= _assign(option, ofields)
            option.save()
    return changed


def question_has_answers(question: Question) -> bool:
    return (
        TextAnswer.objects.filter(question=question).exists() or ChoiceAnswer.objects.filter(option__question=question).exists()
    )


def _delete_unused(queryset, what: str, field: str) -> None:
    for row in queryset:
        answered = question_has_answers(row) if isinstance(row, Question) else ChoiceAnswer.objects.filter(option=row).exists()
        if answered:
            raise WriteRefused(f"{what} {getattr(row, field)!r} has answers and cannot be removed; add a new version")
        row.delete()


def _assign(instance, fields: dict) -> bool:
    changed = False
    for key, value in fields.items():
        if getattr(instance, key) != value:
            setattr(instance, key, value)
            changed = True
    return changed
