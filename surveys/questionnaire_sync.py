"""Loading questionnaire files into rows: idempotent, and refusing any change
that would alter what stored answers mean (a version is a contract)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .definitions import QuestionnaireDef
from .models import ChoiceAnswer, Option, Question, Questionnaire, TextAnswer
from .selectors import clear_questionnaire_cache
from .services import WriteRefused

_OUT_OF_THE_WAY = 100000


def questionnaires_sync(definitions: list[QuestionnaireDef]) -> list[str]:
    """Load questionnaire definitions into rows; idempotent. Returns what changed.

    Wording may change within a version; codes may not once answers point at
    them (a version is a contract): removing an answered question or option
    raises `WriteRefused` and changes nothing.
    """
    changes: list[str] = []
    with transaction.atomic():
        for definition in definitions:
            changes.extend(_sync_one(definition))
    clear_questionnaire_cache()
    return changes


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
