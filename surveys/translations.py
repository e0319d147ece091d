"""Questionnaire texts in other languages: files -> texts, their checks, translated definitions.

Pure, like `definitions.py`: reads `questionnaires/<language>/<code>.v<version>.toml`
(format and rules: `questionnaires/README.md`, "Other languages") and never the
database. English is the questionnaire file itself; another language's file
gives, per text, the English it translates and the translation. Codes never
change with language, so answers given in any language count together.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.conf import settings

from .definitions import FILE_RE, QUESTIONNAIRE_DIR, DefinitionError, QuestionnaireDef, load_all, read_toml

BASE_LANGUAGE = "en"
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")

_TOP_FIELDS = ("title", "easy_title", "intro", "easy_intro", "thanks")
_SECTION_FIELDS = ("title", "easy_title")
_QUESTION_FIELDS = ("text", "easy_text", "hint", "quote", "quote_source", "chart_title")
_OPTION_FIELDS = ("label", "easy_label", "example")
_FILE_KEYS = {"language", "texts"}


class TranslationError(DefinitionError):
    """A language file cannot be read as one; the message names the file."""


@dataclass(frozen=True)
class Entry:
    """One text of a language file: the English it translates and the translation."""

    en: str
    text: str
    reviewed: bool = False
    reviewed_by: str = ""


@dataclass(frozen=True)
class LanguageTexts:
    """One language file: `name` is how messages call it ("cy/patient.v2.toml")."""

    language: str
    entries: dict[str, Entry] = field(default_factory=dict)
    name: str = ""


def english_texts(definition: QuestionnaireDef) -> dict[str, str]:
    """Every non-empty text of a questionnaire, by key: what a language file translates.

    >>> from surveys.definitions import OptionDef, QuestionDef, SectionDef
    >>> definition = QuestionnaireDef("staff", 1, "Staff survey", "Hello", "Thanks",
    ...     sections=(SectionDef("s", "Peer support"),),
    ...     questions=(QuestionDef("useful", "s", "one", "Useful?", options=(OptionDef("yes", "Yes"),)),))
    >>> english_texts(definition)
    {'title': 'Staff survey', 'intro': 'Hello', 'thanks': 'Thanks', 'sections.s.title': 'Peer support', 'questions.useful.text': 'Useful?', 'questions.useful.options.yes.label': 'Yes'}
    """
    texts = _fields(definition, _TOP_FIELDS, "")
    for section in definition.sections:
        texts.update(_fields(section, _SECTION_FIELDS, f"sections.{section.code}."))
    for question in definition.questions:
        texts.update(_fields(question, _QUESTION_FIELDS, f"questions.{question.code}."))
        for option in question.options:
            texts.update(_fields(option, _OPTION_FIELDS, f"questions.{question.code}.options.{option.code}."))
    return texts


def _fields(item, names: tuple[str, ...], prefix: str) -> dict[str, str]:
    return {f"{prefix}{name}": getattr(item, name) for name in names if getattr(item, name)}


def load_language_file(path: Path) -> LanguageTexts:
    """Read one language file; raise `TranslationError` naming it if it is not one.

    The file's shape is checked here; whether its texts fit the questionnaire
    (missing, stale, unknown, empty) is `problems`'s job.
    """
    path = Path(path)
    name = f"{path.parent.name}/{path.name}"
    data = read_toml(path, name, TranslationError)
    try:
        return _parse(data, name, folder=path.parent.name)
    except TranslationError as exc:
        raise TranslationError(f"{name}: {exc}") from None


def _parse(data: dict, name: str, *, folder: str) -> LanguageTexts:
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise TranslationError(f"unknown key {unknown[0]!r} at the top level")
    language = data.get("language")
    if language != folder:
        raise TranslationError(f"language must be {folder!r}, the name of its folder")
    if language == BASE_LANGUAGE:
        raise TranslationError("English is the questionnaire file itself")
    texts = data.get("texts", {})
    if not isinstance(texts, dict):
        raise TranslationError('texts must be tables: [texts."questions.useful.text"]')
    entries = {}
    for key, raw in texts.items():
        if not isinstance(raw, dict):
            raise TranslationError(f"text {key!r} is not a table")
        extra = sorted(set(raw) - {"en", language, "reviewed", "reviewed_by"})
        if extra:
            raise TranslationError(f"text {key!r}: unknown key {extra[0]!r}")
        en, text, reviewed_by = raw.get("en"), raw.get(language, ""), raw.get("reviewed_by", "")
        if not isinstance(en, str):
            raise TranslationError(f"text {key!r}: en must be the English it translates")
        if not isinstance(text, str) or not isinstance(reviewed_by, str):
            raise TranslationError(f"text {key!r}: {language} and reviewed_by must be strings")
        reviewed = raw.get("reviewed", False)
        if not isinstance(reviewed, bool):
            raise TranslationError(f"text {key!r}: reviewed must be true or false")
        entries[key] = Entry(en=en, text=text, reviewed=reviewed, reviewed_by=reviewed_by)
    return LanguageTexts(language=language, entries=entries, name=name)


class Problem(NamedTuple):
    """One problem of a language file (`name`). `kind`: a text's problem (missing,
    stale, unknown, empty; `key` names it), or the file's own (no_file: there is
    none; no_questionnaire: it translates a questionnaire that does not exist)."""

    name: str
    kind: str
    key: str
    message: str


def problems(definition: QuestionnaireDef, language_texts: LanguageTexts) -> list[str]:
    """What keeps a language file from translating the questionnaire, one message a text.

    >>> from surveys.definitions import QuestionDef, SectionDef
    >>> definition = QuestionnaireDef("staff", 1, "Survey", "Hello", "Thanks", sections=(SectionDef("s", "Part"),))
    >>> texts = LanguageTexts("cy", {
    ...     "title": Entry("Survey", "Arolwg"),
    ...     "intro": Entry("Hi", "Helo"),
    ...     "thanks": Entry("Thanks", ""),
    ...     "sections.x.title": Entry("Part", "Rhan"),
    ... }, name="cy/staff.v1.toml")
    >>> for message in problems(definition, texts): print(message)
    cy/staff.v1.toml: intro: the English has changed since it was translated (the file has 'Hi', now 'Hello')
    cy/staff.v1.toml: thanks: the translation is empty
    cy/staff.v1.toml: sections.s.title: has no translation (English: 'Part')
    cy/staff.v1.toml: sections.x.title: is not a text of staff.v1.toml
    """
    return [problem.message for problem in text_problems(definition, language_texts)]


def text_problems(definition: QuestionnaireDef, language_texts: LanguageTexts) -> list[Problem]:
    """`problems`, each with its kind and key, for whoever groups them (the system check)."""
    name = language_texts.name or f"{language_texts.language}/{definition.code}.v{definition.version}.toml"
    base = f"{definition.code}.v{definition.version}.toml"
    english = english_texts(definition)
    found = []
    for key, text in english.items():
        entry = language_texts.entries.get(key)
        if entry is None:
            found.append(Problem(name, "missing", key, f"{name}: {key}: has no translation (English: {_short(text)!r})"))
        elif entry.en != text:
            said = f"the file has {_short(entry.en)!r}, now {_short(text)!r}"
            found.append(Problem(name, "stale", key, f"{name}: {key}: the English has changed since it was translated ({said})"))
        elif not entry.text.strip():
            found.append(Problem(name, "empty", key, f"{name}: {key}: the translation is empty"))
    for key in language_texts.entries:
        if key not in english:
            found.append(Problem(name, "unknown", key, f"{name}: {key}: is not a text of {base}"))
    return found


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def servable(definition: QuestionnaireDef, entries: Mapping[str, Entry]) -> dict[str, str]:
    """The translations that may be shown: of a text the questionnaire has, not
    empty, and translating its English as it is today (a stale one is not).

    >>> definition = QuestionnaireDef("staff", 1, "Survey", "Hello", "Thanks")
    >>> servable(definition, {"title": Entry("Survey", "Arolwg"), "intro": Entry("Hi", "Helo"), "thanks": Entry("Thanks", " ")})
    {'title': 'Arolwg'}
    """
    english = english_texts(definition)
    return {
        key: entry.text for key, entry in entries.items() if key in english and entry.en == english[key] and entry.text.strip()
    }


def translate(definition: QuestionnaireDef, texts: Mapping[str, str]) -> QuestionnaireDef:
    """The questionnaire with its texts replaced by `texts` (key -> translation);
    a text without one keeps its English. Codes, kinds and order are untouched.

    >>> from surveys.definitions import OptionDef, QuestionDef, SectionDef
    >>> definition = QuestionnaireDef("staff", 1, "Survey", "Hello", "Thanks", sections=(SectionDef("s", "Part"),),
    ...     questions=(QuestionDef("useful", "s", "one", "Useful?", options=(OptionDef("yes", "Yes"),)),))
    >>> welsh = translate(definition, {"title": "Arolwg", "questions.useful.options.yes.label": "Ydy"})
    >>> welsh.title, welsh.intro, welsh.question("useful").options[0].label, welsh.question("useful").option_codes
    ('Arolwg', 'Hello', 'Ydy', ('yes',))
    """

    def changed(item, names: tuple[str, ...], prefix: str) -> dict[str, str]:
        return {name: texts[f"{prefix}{name}"] for name in names if texts.get(f"{prefix}{name}")}

    sections = tuple(
        dataclasses.replace(section, **changed(section, _SECTION_FIELDS, f"sections.{section.code}."))
        for section in definition.sections
    )
    questions = []
    for question in definition.questions:
        prefix = f"questions.{question.code}."
        options = tuple(
            dataclasses.replace(option, **changed(option, _OPTION_FIELDS, f"{prefix}options.{option.code}."))
            for option in question.options
        )
        questions.append(dataclasses.replace(question, options=options, **changed(question, _QUESTION_FIELDS, prefix)))
    # A fresh index: replace() would otherwise hand the new definition the old one's dict.
    return dataclasses.replace(
        definition, sections=sections, questions=tuple(questions), _by_code={}, **changed(definition, _TOP_FIELDS, "")
    )


def language_files(directory: Path = QUESTIONNAIRE_DIR) -> dict[tuple[str, int], dict[str, LanguageTexts]]:
    """Every language file under the questionnaire folder, by (code, version) and language.

    Raises `TranslationError` for a file that cannot be read as one (its name
    is not `<code>.v<version>.toml`, it is not TOML, or its shape is wrong).
    """
    found: dict[tuple[str, int], dict[str, LanguageTexts]] = {}
    for folder in sorted(path for path in Path(directory).iterdir() if path.is_dir() and LANGUAGE_RE.match(path.name)):
        for path in sorted(folder.glob("*.toml")):
            match = FILE_RE.match(path.name)
            if not match:
                raise TranslationError(
                    f"{folder.name}/{path.name}: should be named <code>.v<version>.toml, as the file it translates"
                )
            texts = load_language_file(path)
            found.setdefault((match["code"], int(match["version"])), {})[texts.language] = texts
    return found


def other_languages() -> list[str]:
    """The languages in settings.LANGUAGES other than English: each needs every text translated."""
    return [code for code, _ in settings.LANGUAGES if code != BASE_LANGUAGE]


def all_problems(
    definitions: list[QuestionnaireDef],
    files: Mapping[tuple[str, int], Mapping[str, LanguageTexts]],
    languages: list[str],
) -> list[Problem]:
    """Every problem of the language files of `languages`: a missing file, its
    texts' problems, and a file for a questionnaire that does not exist.

    >>> definition = QuestionnaireDef("staff", 1, "Survey", "Hello", "Thanks")
    >>> for problem in all_problems([definition], {("staff", 9): {"cy": LanguageTexts("cy", name="cy/staff.v9.toml")}}, ["cy"]):
    ...     print(problem.message)
    cy/staff.v1.toml: missing: none of the 3 texts of staff.v1.toml has a translation
    cy/staff.v9.toml: there is no staff.v9.toml to translate
    """
    found = []
    for definition in definitions:
        base = f"{definition.code}.v{definition.version}.toml"
        for language in languages:
            texts = files.get((definition.code, definition.version), {}).get(language)
            if texts is None:
                name = f"{language}/{base}"
                count = len(english_texts(definition))
                found.append(
                    Problem(name, "no_file", "", f"{name}: missing: none of the {count} texts of {base} has a translation")
                )
            else:
                found.extend(text_problems(definition, texts))
    known = {(definition.code, definition.version) for definition in definitions}
    for (code, version), by_language in sorted(files.items()):
        if (code, version) not in known:
            found.extend(
                Problem(texts.name, "no_questionnaire", "", f"{texts.name}: there is no {code}.v{version}.toml to translate")
                for language, texts in sorted(by_language.items())
                if language in languages
            )
    return found


def translated_definitions(language: str, directory: Path = QUESTIONNAIRE_DIR) -> list[QuestionnaireDef]:
    """Every questionnaire in a language, from the files alone (no database), for
    tools that run at build time (the audio generator). English, or a language
    without files: the questionnaires as written. Texts without a usable
    translation stay English."""
    definitions = load_all(directory)
    if language == BASE_LANGUAGE:
        return definitions
    files = language_files(directory)
    translated = []
    for definition in definitions:
        texts = files.get((definition.code, definition.version), {}).get(language)
        translated.append(translate(definition, servable(definition, texts.entries)) if texts else definition)
    return translated
