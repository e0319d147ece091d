"""One validator for every way an answer arrives: the HTML forms, the JSON API
and paper import (docs/contract.md, "Collection rules").

Pure: works on a `QuestionnaireDef` and plain data, raises `SubmissionInvalid`
with every problem keyed by question code, or returns clean answers:

>>> from surveys.definitions import load_file, QUESTIONNAIRE_DIR
>>> staff = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
>>> clean_answers(staff, {"useful": "yes", "ideal_forms": ["practical", "emotional"], "useful_why": "  "})
{'useful': 'yes', 'ideal_forms': ('emotional', 'practical')}
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_noop

from .codes import Kind
from .definitions import QuestionDef, QuestionnaireDef

# A response collected on paper is dated from the 2014 consultation, the first, to today: an
# earlier year is a slip of the pen or the keyboard (0001, 1914), for the paper form and the CSV import alike.
EARLIEST_PAPER_DATE = date(2014, 1, 1)

Answers = dict[str, "str | tuple[str, ...]"]


class Problem(str):
    """One problem with the answers, in English: what the API and paper import
    report, the same whatever the language (a contract). It keeps its template and
    values so that a form can say it in the page's language
    (`surveys.forms.ResponseForm`); templates a form can show are marked for
    translation with gettext_noop, which changes nothing here.

    >>> problem = Problem("The text is too long: %(length)d characters, at most %(limit)d.", length=5, limit=4)
    >>> problem, problem.params
    ('The text is too long: 5 characters, at most 4.', {'length': 5, 'limit': 4})
    """

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        problem = super().__new__(cls, template % params if params else template)
        problem.template = template
        problem.params = params
        return problem


NO_ANSWERS = Problem(gettext_noop("No answers were given. Answer at least one question, or skip the survey."))


class SubmissionInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Submission:
    client_id: uuid.UUID
    answers: Answers

    @property
    def digest(self) -> str:
        return answers_digest(self.answers)


def clean_submission(definition: QuestionnaireDef, payload: object) -> Submission:
    """Check an API body `{"client_id": uuid4, "answers": {...}}`."""
    if not isinstance(payload, Mapping):
        raise SubmissionInvalid({"body": ["Expected a JSON object with client_id and answers."]})
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(key) for key in payload if key not in ("client_id", "answers"))
    for key in unknown[:20]:
        errors[key[:64]] = ["Unknown field: send only client_id and answers."]
    client_id = parse_client_id(payload.get("client_id"))
    if client_id is None:
        errors["client_id"] = ["Send a client_id: a random (version 4) UUID made on the device when the person finished."]
    answers: Answers = {}
    try:
        answers = clean_answers(definition, payload.get("answers"))
    except SubmissionInvalid as exc:
        errors.update(exc.errors)
    if errors:
        raise SubmissionInvalid(errors)
    return Submission(client_id=client_id, answers=answers)


def parse_client_id(value: object) -> uuid.UUID | None:
    """A client id, if it is a random (version 4) UUID: other versions carry the
    time they were made and a device's address, which must not be stored.

    >>> parse_client_id("1b4e28ba-2fa1-41d2-883f-0016d3cca427")
    UUID('1b4e28ba-2fa1-41d2-883f-0016d3cca427')
    >>> parse_client_id("c232ab00-9414-11ec-b3c8-9f6bdeced846") is None  # version 1: a time and a MAC address
    True
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return parsed if parsed.version == 4 and parsed.variant == uuid.RFC_4122 else None


def clean_answers(definition: QuestionnaireDef, raw: object) -> Answers:
    """Check answers keyed by question code; skipped questions are left out.

    A skipped question may be absent, null, "" or []. Every question may be
    skipped, but not all of them: an empty submission would lower every
    percentage (docs/contract.md, "JSON submission API").
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise SubmissionInvalid({"answers": [Problem("Expected an object of answers keyed by question code.")]})
    errors: dict[str, list[str]] = {}
    answers: Answers = {}
    for key, value in raw.items():
        code = str(key)
        question = definition.question(code)
        if question is None:
            if len(errors) < 50:
                errors[code[:64]] = [
                    Problem("Unknown question for the %(questionnaire)s questionnaire.", questionnaire=definition.code)
                ]
            continue
        try:
            cleaned = _clean_value(question, value)
        except ValueError as exc:
            errors[code] = [exc.args[0]]
            continue
        if cleaned:
            answers[code] = cleaned
    if errors:
        raise SubmissionInvalid(errors)
    if not answers:
        raise SubmissionInvalid({"answers": [NO_ANSWERS]})
    # Keep the questionnaire's order so stored and echoed answers read naturally.
    return {question.code: answers[question.code] for question in definition.questions if question.code in answers}


def _clean_value(question: QuestionDef, value: object) -> str | tuple[str, ...]:
    if value is None:
        return ""
    if question.kind == Kind.TEXT:
        return _clean_text(question, value)
    codes = question.option_codes
    if question.kind == Kind.ONE:
        if not isinstance(value, str):
            raise ValueError(Problem("Choose one answer: one of %(choices)s.", choices=", ".join(codes)))
        if value == "":
            return ""
        if value not in codes:
            raise ValueError(
                Problem(
                    gettext_noop("Unknown option %(value)r: choose one of %(choices)s."),
                    value=value[:40],
                    choices=", ".join(codes),
                )
            )
        return value
    if value == "":
        return ""
    if not isinstance(value, list):
        raise ValueError(Problem("Expected a list of options from %(choices)s.", choices=", ".join(codes)))
    chosen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or item not in codes:
            shown = item[:40] if isinstance(item, str) else type(item).__name__
            raise ValueError(
                Problem(gettext_noop("Unknown option %(value)r: choose from %(choices)s."), value=shown, choices=", ".join(codes))
            )
        if item in chosen:
            raise ValueError(Problem(gettext_noop("Option %(value)r is chosen twice."), value=item))
        chosen.add(item)
    alone = [code for code in question.exclusive_codes if code in chosen]
    if alone and len(chosen) > 1:
        others = ", ".join(code for code in codes if code in chosen and code != alone[0])
        raise ValueError(
            Problem(gettext_noop("%(alone)r is chosen alone: it cannot go with %(others)s."), alone=alone[0], others=others)
        )
    return tuple(code for code in codes if code in chosen)


def _clean_text(question: QuestionDef, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(Problem("Expected text."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(Problem(gettext_noop("The text has characters that are not valid Unicode."))) from None
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    # Spaces and invisible format characters alone (a zero-width space) say nothing: a skip.
    if all(char.isspace() or unicodedata.category(char) == "Cf" for char in text):
        return ""
    # NUL and other control characters cannot be stored by PostgreSQL or read back sensibly.
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in text):
        raise ValueError(Problem(gettext_noop("The text has control characters; remove them and send it again.")))
    if len(text) > question.max_length:
        raise ValueError(
            Problem(
                gettext_noop("The text is too long: %(length)d characters, at most %(limit)d."),
                length=len(text),
                limit=question.max_length,
            )
        )
    return text


def answers_digest(answers: Answers) -> str:
    """SHA-256 of the canonical answers: equal answers, equal digest, whatever the key order."""
    canonical = json.dumps({code: answers[code] for code in sorted(answers)}, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def answers_from_form(definition: QuestionnaireDef, data) -> dict[str, object]:
    """Turn a submitted HTML form (a QueryDict) into the API's answer shape."""
    raw: dict[str, object] = {}
    for question in definition.questions:
        if question.kind == Kind.MANY:
            values = data.getlist(question.code)
            if values:
                raw[question.code] = values
        elif question.code in data:
            raw[question.code] = data.get(question.code)
    return raw
