"""Questionnaire data files -> frozen dataclasses.

Pure: reads TOML, checks every rule of `questionnaires/README.md`, and either
returns a `QuestionnaireDef` or raises `DefinitionError` naming the file and the
problem. The same dataclasses are rebuilt from database rows at run time
(`surveys.selectors.loaded_questionnaire`), so forms, validation and the
dashboard all read one shape.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders

from .codes import CHOICE_KINDS, GROUPS, Kind

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ICON_DIR = STATIC_DIR / "icons"

KINDS = tuple(Kind.values)
ABOUT_YOU = "about_you"
DEFAULT_MAX_LENGTH = 2000
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Option codes may start with a digit: the about-you bands are `1_4y`, `16_24`, ...
OPTION_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
FILE_RE = re.compile(r"^(?P<code>[a-z]+)\.v(?P<version>[1-9][0-9]*)\.toml$")
FOLLOW_UP_SUFFIXES = ("_why", "_other", "_detail")
STANDALONE_TEXTS = ("comments", "job_title")
# A sign-language video and its captions: plain relative paths under static/.
BSL_RE = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\.(mp4|webm)$")
CAPTIONS_RE = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\.vtt$")


class DefinitionError(ValueError):
    """A questionnaire file breaks a rule; the message names the file."""


@dataclass(frozen=True)
class OptionDef:
    code: str
    label: str
    easy_label: str = ""
    icon: str = ""
    # The report's example for this option, shown beside it ("just talking").
    example: str = ""
    # Chosen alone or not at all ("none", "no_one"): with another option it is refused.
    exclusive: bool = False


@dataclass(frozen=True)
class QuestionDef:
    code: str
    section: str
    kind: str
    text: str
    easy_text: str = ""
    hint: str = ""
    quote: str = ""
    quote_source: str = ""
    chart_title: str = ""
    parent: str = ""
    max_length: int = DEFAULT_MAX_LENGTH
    options: tuple[OptionDef, ...] = ()
    # Branching: shown only when `show_if_question` was answered with one of
    # `show_if_options` (empty: always shown). Paper has no branching, so answers
    # are accepted either way; the forms decide only what they show.
    show_if_question: str = ""
    show_if_options: tuple[str, ...] = ()
    # Sign language (BSL): a video under static/, and WebVTT captions as (language, path).
    bsl: str = ""
    bsl_captions: tuple[tuple[str, str], ...] = ()

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def exclusive_codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options if option.exclusive)

    @property
    def bsl_type(self) -> str:
        """The video's media type, for `<source type>`."""
        return "video/webm" if self.bsl.endswith(".webm") else "video/mp4"

    def bsl_tracks(self, language: str) -> tuple[tuple[str, str, bool], ...]:
        """The captions as (language, path, shown by default): the page's language
        first and on, else English; then the others, for the viewer to choose.

        >>> q = QuestionDef("useful", "s", "one", "Useful?", bsl="bsl/useful.mp4",
        ...     bsl_captions=(("cy", "bsl/useful.cy.vtt"), ("en", "bsl/useful.en.vtt")))
        >>> q.bsl_tracks("cy")
        (('cy', 'bsl/useful.cy.vtt', True), ('en', 'bsl/useful.en.vtt', False))
        >>> q.bsl_tracks("fr")
        (('en', 'bsl/useful.en.vtt', True), ('cy', 'bsl/useful.cy.vtt', False))
        """
        captions = dict(self.bsl_captions)
        first = language if language in captions else "en" if "en" in captions else ""
        ordered = ([first] if first else []) + sorted(code for code in captions if code != first)
        return tuple((code, captions[code], code == first) for code in ordered)

    @property
    def option_detail_of(self) -> str:
        """The option a per-option follow-up explains ("" if it explains the question).

        >>> QuestionDef("current_forms_practical_detail", "s", "text", "How?", parent="current_forms",
        ...     show_if_question="current_forms", show_if_options=("practical",)).option_detail_of
        'practical'
        """
        if self.parent and self.show_if_question == self.parent and len(self.show_if_options) == 1:
            if self.code == f"{self.parent}_{self.show_if_options[0]}_detail":
                return self.show_if_options[0]
        return ""

    def applies(self, answers: dict) -> bool:
        """Whether the forms show this question, given the answers so far.

        >>> q = QuestionDef("user_led_forms", "s", "many", "How?", show_if_question="user_led", show_if_options=("yes",))
        >>> q.applies({"user_led": "yes"}), q.applies({"user_led": "no"}), q.applies({})
        (True, False, False)
        """
        if not self.show_if_question:
            return True
        given = answers.get(self.show_if_question) or ()
        chosen = {given} if isinstance(given, str) else set(given)
        return bool(chosen & set(self.show_if_options))


@dataclass(frozen=True)
class SectionDef:
    code: str
    title: str
    easy_title: str = ""


@dataclass(frozen=True)
class QuestionnaireDef:
    code: str
    version: int
    title: str
    intro: str
    thanks: str
    easy_title: str = ""
    easy_intro: str = ""
    sections: tuple[SectionDef, ...] = ()
    questions: tuple[QuestionDef, ...] = ()
    _by_code: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code.update({question.code: question for question in self.questions})

    def question(self, code: str) -> QuestionDef | None:
        return self._by_code.get(code)

    def follow_ups(self, code: str) -> tuple[QuestionDef, ...]:
        """The question's follow-ups that explain it as a whole ("Tell us why")."""
        return tuple(question for question in self.questions if question.parent == code and not question.option_detail_of)

    def option_follow_ups(self, code: str) -> dict[str, tuple[QuestionDef, ...]]:
        """Per option, the follow-ups shown beside it when it is ticked."""
        found: dict[str, tuple[QuestionDef, ...]] = {}
        for question in self.questions:
            if question.parent == code and question.option_detail_of:
                found[question.option_detail_of] = (*found.get(question.option_detail_of, ()), question)
        return found

    def screens(self) -> list[tuple[QuestionDef, tuple[QuestionDef, ...]]]:
        """Each top-level question with the follow-ups shown on its screen."""
        return [(question, self.follow_ups(question.code)) for question in self.questions if not question.parent]


_TOP_KEYS = {"code", "version", "title", "easy_title", "intro", "easy_intro", "thanks", "sections", "questions"}
_SECTION_KEYS = {"code", "title", "easy_title"}
_QUESTION_KEYS = {
    "code",
    "section",
    "kind",
    "text",
    "easy_text",
    "hint",
    "quote",
    "quote_source",
    "chart_title",
    "parent",
    "show_if",
    "max_length",
    "options",
    "bsl",
    "bsl_captions",
}
_OPTION_KEYS = {"code", "label", "easy_label", "icon", "example", "exclusive"}
_SHOW_IF_KEYS = {"question", "options"}


def read_toml(path: Path, name: str, error: type[Exception]) -> dict:
    """A data file's contents; `error` naming the file if it cannot be read or is not TOML."""
    try:
        with Path(path).open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise error(f"{name}: cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{name}: is not valid TOML ({exc})") from exc


def load_file(path: Path, *, icon_dir: Path = ICON_DIR) -> QuestionnaireDef:
    """Read and check one questionnaire file.

    >>> load_file(QUESTIONNAIRE_DIR / "staff.v1.toml").question("useful").option_codes
    ('yes', 'sometimes', 'no')
    """
    path = Path(path)
    data = read_toml(path, path.name, DefinitionError)
    try:
        return parse(data, filename=path.name, icon_dir=icon_dir)
    except DefinitionError as exc:
        raise DefinitionError(f"{path.name}: {exc}") from None


def load_all(directory: Path = QUESTIONNAIRE_DIR, *, icon_dir: Path = ICON_DIR) -> list[QuestionnaireDef]:
    return [load_file(path, icon_dir=icon_dir) for path in sorted(Path(directory).glob("*.toml"))]


def parse(data: dict, *, filename: str = "", icon_dir: Path = ICON_DIR) -> QuestionnaireDef:
    """Check a parsed TOML document and build the dataclasses (messages omit the file name)."""
    _no_unknown_keys(data, _TOP_KEYS, "the top level")
    code = _required_text(data, "code", "the top level")
    if code not in GROUPS:
        raise DefinitionError(f"code {code!r} is not one of {', '.join(GROUPS)}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DefinitionError("version must be a positive whole number")
    if filename:
        match = FILE_RE.match(filename)
        if not match or match["code"] != code or int(match["version"]) != version:
            raise DefinitionError(f"the file should be named {code}.v{version}.toml")
    easy = code == "patient"

    sections = tuple(_parse_section(raw, index, easy) for index, raw in enumerate(_table_list(data, "sections")))
    section_codes = [section.code for section in sections]
    _unique(section_codes, "section")

    questions: list[QuestionDef] = []
    for index, raw in enumerate(_table_list(data, "questions")):
        question = _parse_question(raw, index, easy, icon_dir)
        where = f"question {question.code!r}"
        if any(earlier.code == question.code for earlier in questions):
            raise DefinitionError(f"question code {question.code!r} appears twice")
        if question.section not in section_codes:
            raise DefinitionError(f"{where}: section {question.section!r} is not defined in [[sections]]")
        if question.parent:
            earlier = {q.code: q for q in questions}
            if question.parent not in earlier:
                raise DefinitionError(f"{where}: parent {question.parent!r} must be a question earlier in the file")
            if earlier[question.parent].parent:
                raise DefinitionError(f"{where}: parent {question.parent!r} is itself a follow-up")
        if question.show_if_question:
            condition = next((q for q in questions if q.code == question.show_if_question), None)
            if condition is None or not condition.is_choice:
                raise DefinitionError(
                    f"{where}: show_if question {question.show_if_question!r} must be a choice question earlier in the file"
                )
            unknown = [code for code in question.show_if_options if code not in condition.option_codes]
            if unknown:
                raise DefinitionError(f"{where}: show_if option {unknown[0]!r} is not an option of {condition.code!r}")
        questions.append(question)

    return QuestionnaireDef(
        code=code,
        version=version,
        title=_required_text(data, "title", "the top level"),
        intro=_required_text(data, "intro", "the top level"),
        thanks=_required_text(data, "thanks", "the top level"),
        easy_title=_text(data, "easy_title", "the top level", required=easy),
        easy_intro=_text(data, "easy_intro", "the top level", required=easy),
        sections=sections,
        questions=tuple(questions),
    )


def _parse_section(raw: object, index: int, easy: bool) -> SectionDef:
    where = f"section {index + 1}"
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where} is not a table")
    _no_unknown_keys(raw, _SECTION_KEYS, where)
    code = _code(raw, where)
    return SectionDef(
        code=code,
        title=_required_text(raw, "title", f"section {code!r}"),
        easy_title=_text(raw, "easy_title", f"section {code!r}"),
    )


def _parse_question(raw: object, index: int, easy: bool, icon_dir: Path) -> QuestionDef:
    where = f"question {index + 1}"
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where} is not a table")
    code = _code(raw, where)
    where = f"question {code!r}"
    _no_unknown_keys(raw, _QUESTION_KEYS, where)
    kind = _required_text(raw, "kind", where)
    if kind not in KINDS:
        raise DefinitionError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    parent = _text(raw, "parent", where)
    max_length = raw.get("max_length", DEFAULT_MAX_LENGTH)
    show_if_question, show_if_options = _show_if(raw, where, parent)
    bsl, bsl_captions = _bsl(raw, where, easy, parent)

    if kind == Kind.TEXT:
        if "options" in raw:
            raise DefinitionError(f"{where}: a text question has no options")
        if code.endswith(FOLLOW_UP_SUFFIXES) and not parent:
            raise DefinitionError(f"{where}: a _why/_other/_detail question needs a parent")
        if not code.endswith(FOLLOW_UP_SUFFIXES) and code not in STANDALONE_TEXTS:
            raise DefinitionError(f"{where}: a text question is 'comments', 'job_title' or ends in _why, _other or _detail")
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= 10000:
            raise DefinitionError(f"{where}: max_length must be a whole number from 1 to 10000")
        options: tuple[OptionDef, ...] = ()
    else:
        if parent:
            raise DefinitionError(f"{where}: only text questions have a parent")
        if "max_length" in raw:
            raise DefinitionError(f"{where}: max_length is for text questions only")
        raw_options = _table_list(raw, "options", where)
        if not raw_options:
            raise DefinitionError(f"{where}: a {kind} question needs options")
        options = tuple(_parse_option(option, where, easy, icon_dir) for option in raw_options)
        _unique(
            [option.code for option in options],
            f"option in {where}",
        )
        _required_text(raw, "chart_title", where)
        if kind == Kind.ONE and any(option.exclusive for option in options):
            raise DefinitionError(f"{where}: only a many-choice question has exclusive options (one choice is exclusive already)")

    return QuestionDef(
        code=code,
        section=_required_text(raw, "section", where),
        kind=kind,
        text=_required_text(raw, "text", where),
        easy_text=_text(raw, "easy_text", where, required=easy),
        hint=_text(raw, "hint", where),
        quote=_text(raw, "quote", where),
        quote_source=_text(raw, "quote_source", where),
        chart_title=_text(raw, "chart_title", where),
        parent=parent,
        max_length=max_length if kind == Kind.TEXT else DEFAULT_MAX_LENGTH,
        options=options,
        show_if_question=show_if_question,
        show_if_options=show_if_options,
        bsl=bsl,
        bsl_captions=bsl_captions,
    )


def _bsl(raw: dict, where: str, easy: bool, parent: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`bsl = "bsl/patient/useful.mp4"` and `bsl_captions = { en = "....en.vtt", cy = "....cy.vtt" }`:
    files under static/ (the site's static folders), checked like the option pictures."""
    if "bsl" not in raw and "bsl_captions" not in raw:
        return "", ()
    if not easy:
        raise DefinitionError(f"{where}: only the patient form shows sign language (bsl) videos")
    if parent:
        raise DefinitionError(f"{where}: a follow-up shows on {parent!r}'s screen; give {parent!r} the bsl video")
    video = raw.get("bsl")
    if video is None:
        raise DefinitionError(f"{where}: bsl_captions needs a bsl video")
    if not isinstance(video, str) or not BSL_RE.match(video):
        raise DefinitionError(f"{where}: bsl {video!r} must be a path under static/ ending in .mp4 or .webm")
    if _static_file(video) is None:
        raise DefinitionError(f"{where}: bsl video {video!r} has no file static/{video}")
    captions = raw.get("bsl_captions", {})
    if not isinstance(captions, dict):
        raise DefinitionError(f'{where}: bsl_captions must be a table: {{ en = "....vtt", cy = "....vtt" }}')
    languages = _caption_languages()
    for language, path in sorted(captions.items()):
        if language not in languages:
            raise DefinitionError(f"{where}: bsl_captions language {language!r} is not one of {', '.join(sorted(languages))}")
        if not isinstance(path, str) or not CAPTIONS_RE.match(path):
            raise DefinitionError(f"{where}: bsl_captions {language} {path!r} must be a path under static/ ending in .vtt")
        found = _static_file(path)
        if found is None:
            raise DefinitionError(f"{where}: bsl_captions {language} {path!r} has no file static/{path}")
        with found.open("rb") as handle:
            if not handle.read(9).removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
                raise DefinitionError(f"{where}: bsl_captions {language} {path!r} is not WebVTT (its first line must be WEBVTT)")
    return video, tuple(sorted(captions.items()))


def _static_file(relative: str) -> Path | None:
    """Where a static file is: through the site's static finders once Django runs
    (so a static folder added in settings counts), else in static/."""
    if settings.configured and apps.ready:
        found = finders.find(relative)
        return Path(found) if found else None
    path = STATIC_DIR / relative
    return path if path.is_file() else None


def _caption_languages() -> set[str]:
    configured = {code for code, _ in settings.LANGUAGES} if settings.configured else set()
    return configured | {"en", "cy"}


def _show_if(raw: dict, where: str, parent: str) -> tuple[str, tuple[str, ...]]:
    """`show_if = {question = "user_led", options = ["yes"]}`; a follow-up may
    leave out `question`, meaning its parent."""
    if "show_if" not in raw:
        return "", ()
    value = raw["show_if"]
    if not isinstance(value, dict):
        raise DefinitionError(f"{where}: show_if must be a table: {{question = ..., options = [...]}}")
    _no_unknown_keys(value, _SHOW_IF_KEYS, f"{where}, show_if")
    question = value.get("question", parent)
    if not isinstance(question, str) or not CODE_RE.match(question):
        raise DefinitionError(f"{where}: show_if needs a question (or a parent)")
    options = value.get("options")
    if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
        raise DefinitionError(f"{where}: show_if options must be a non-empty list of option codes")
    if len(set(options)) != len(options):
        raise DefinitionError(f"{where}: show_if lists an option twice")
    return question, tuple(options)


def _parse_option(raw: object, where: str, easy: bool, icon_dir: Path) -> OptionDef:
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where}: an option is not a table")
    code = _code(raw, f"{where}, an option", pattern=OPTION_CODE_RE)
    where = f"{where}, option {code!r}"
    _no_unknown_keys(raw, _OPTION_KEYS, where)
    icon = _text(raw, "icon", where)
    if icon:
        if not CODE_RE.match(icon):
            raise DefinitionError(f"{where}: icon {icon!r} is not a plain name")
        if not (Path(icon_dir) / f"{icon}.svg").is_file():
            raise DefinitionError(f"{where}: icon {icon!r} has no file static/icons/{icon}.svg")
    exclusive = raw.get("exclusive", False)
    if not isinstance(exclusive, bool):
        raise DefinitionError(f"{where}: exclusive must be true or false")
    return OptionDef(
        code=code,
        label=_required_text(raw, "label", where),
        easy_label=_text(raw, "easy_label", where, required=easy),
        icon=icon,
        example=_text(raw, "example", where),
        exclusive=exclusive,
    )


def _table_list(data: dict, key: str, where: str = "the top level") -> list:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise DefinitionError(f"{where}: '{key}' must be a non-empty array of tables ([[{key}]])")
    return value


def _code(raw: dict, where: str, *, pattern: re.Pattern = CODE_RE) -> str:
    code = raw.get("code")
    if not isinstance(code, str) or not pattern.match(code):
        raise DefinitionError(f"{where}: code {code!r} must be lower case letters, digits and _")
    return code


def _text(raw: dict, key: str, where: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise DefinitionError(f"{where}: '{key}' must be a string")
    if value != value.strip():
        raise DefinitionError(f"{where}: '{key}' has spaces at its start or end")
    if required and not value:
        raise DefinitionError(f"{where}: '{key}' is missing")
    return value


def _required_text(raw: dict, key: str, where: str) -> str:
    return _text(raw, key, where, required=True)


def _no_unknown_keys(raw: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise DefinitionError(f"{where}: unknown key {unknown[0]!r}")


def _unique(codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise DefinitionError(f"{what} code {code!r} appears twice")
        seen.add(code)
