"""The easy-read form's spoken audio: which texts the page reads aloud, what
each one's file is called, and how a file is made (docs/audio.md).

A generated file's name is a pure function of its language, the voice settings
and the text, so a changed text or voice gets a new file and an unchanged one is
never made again. A person's recording of a text, listed in
`recorded-audio.toml`, wins over the generated file for that exact text.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.signals import setting_changed
from django.templatetags.static import static

from .definitions import QUESTIONNAIRE_DIR, QuestionnaireDef, load_all, read_toml
from .translations import BASE_LANGUAGE, english_texts, language_files, servable

logger = logging.getLogger(__name__)

AUDIO_DIR = "audio"
RECORDINGS_FILE = Path(__file__).resolve().parent / "recorded-audio.toml"
NAME_LENGTH = 20
TOOLS = ("espeak-ng", "lame")

# espeak-ng reads UTF-8 (-b 1), a little slower than its 175 words a minute: easy read,
# and for many listeners a second language.
VOICES = {
    "en": ("-b", "1", "-v", "en-gb", "-s", "140"),
    "cy": ("-b", "1", "-v", "cy", "-s", "140"),
}
# Mono, resampled to 16 kHz, 32 kbit/s constant: speech stays clear at 4 KB a second.
# lame writes no ID3 tag unless asked and, reading the WAV from a pipe, no Info frame:
# nothing dated, so the same WAV always gives the same bytes.
ENCODER = ("-m", "m", "--resample", "16", "-b", "32", "--noreplaygain")

RECORDED_FILE_RE = re.compile(r"^audio/recorded/[a-z]{2,3}/[A-Za-z0-9_-][A-Za-z0-9_.-]*\.mp3$")


class AudioError(ValueError):
    """Audio cannot be named or made: an unknown language, a bad recordings file, a failed tool."""


def spoken(text: str) -> str:
    """The text as the page reads it: runs of white space are one space.

    >>> spoken("  Tell us why\\n you think this. ")
    'Tell us why you think this.'
    """
    return " ".join(text.split())


def lines(text: str) -> list[str]:
    """A paragraph's lines, as the page shows them (`linebreaks`) and reads them: one file each.

    >>> lines("Peer support is help.\\r\\nYou can skip.\\n")
    ['Peer support is help.', 'You can skip.']
    """
    return [line for line in re.sub(r"\r\n|\r", "\n", text).split("\n") if spoken(line)]


def generated_path(language: str, text: str) -> str:
    """The static path of the generated file that speaks `text` in `language`.

    >>> generated_path("cy", "Ie")
    'audio/cy/858e0db0d587dada1a9c.mp3'
    """
    try:
        voice = VOICES[language]
    except KeyError:
        raise AudioError(f"no voice for language {language!r}: add it to surveys.audio.VOICES") from None
    recipe = "\n".join((language, " ".join(voice), " ".join(ENCODER), spoken(text)))
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:NAME_LENGTH]
    return f"{AUDIO_DIR}/{language}/{digest}.mp3"


def load_recordings(path: Path) -> dict[tuple[str, str], str]:
    """A recordings file: (language, spoken text) -> static path of the recording.

    Raises `AudioError` naming the file and the entry that breaks a rule.
    """
    path = Path(path)
    if not path.exists():
        return {}
    data = read_toml(path, path.name, AudioError)
    unknown = sorted(set(data) - {"recordings"})
    if unknown:
        raise AudioError(f"{path.name}: unknown key {unknown[0]!r} (only [[recordings]])")
    found: dict[tuple[str, str], str] = {}
    for number, entry in enumerate(data.get("recordings", []), start=1):
        where = f"{path.name}: recording {number}"
        if not isinstance(entry, dict) or set(entry) != {"language", "text", "file"}:
            raise AudioError(f"{where} needs exactly language, text and file")
        language, text, file = entry["language"], entry["text"], entry["file"]
        if language not in VOICES:
            raise AudioError(f"{where}: language {language!r} is not one of {', '.join(VOICES)}")
        if not isinstance(text, str) or not spoken(text):
            raise AudioError(f"{where}: text must be the words spoken")
        if not isinstance(file, str) or not RECORDED_FILE_RE.match(file) or not file.startswith(f"audio/recorded/{language}/"):
            raise AudioError(f"{where}: file must be audio/recorded/{language}/<name>.mp3, under static/")
        key = (language, spoken(text))
        if key in found:
            raise AudioError(f"{where}: the same text in {language} is recorded twice")
        found[key] = file
    return found


@functools.cache
def recordings() -> dict[tuple[str, str], str]:
    return load_recordings(RECORDINGS_FILE)


@functools.cache
def _played_recordings() -> dict[tuple[str, str], str]:
    """The recordings pages play: none, rather than a page that fails, if the list is broken
    (build_audio and the tests refuse it; a deploy should never carry one)."""
    try:
        return recordings()
    except AudioError as exc:
        logger.error("Recordings not played, the generated voice speaks instead: %s", exc)
        return {}


def recorded_file(language: str, text: str) -> tuple[str, Path | None]:
    """The recording of `text` listed in the recordings file, and where it is on disk
    (None: listed but not found among the static files). ("", None) when none is listed."""
    path = recordings().get((language, spoken(text)), "")
    found = finders.find(path) if path else None
    return path, Path(found) if found else None


def _static_dirs() -> list[tuple[str, Path]]:
    """STATICFILES_DIRS as (prefix, folder) pairs."""
    pairs = []
    for entry in settings.STATICFILES_DIRS:
        prefix, folder = entry if isinstance(entry, (list, tuple)) else ("", entry)
        pairs.append((prefix.strip("/"), Path(folder)))
    return pairs


@functools.cache
def existing_files() -> frozenset[str]:
    """The static paths of every audio file on disk, looked up once a process.

    Pages ask for hundreds of texts; a build in another process is seen after a
    restart (deploys restart the web processes; `make run` builds first).
    """
    found = set()
    for prefix, folder in _static_dirs():
        for root, _, names in os.walk(folder / AUDIO_DIR):
            relative = Path(root).relative_to(folder).as_posix()
            found.update("/".join(filter(None, (prefix, relative, name))) for name in names if name.endswith(".mp3"))
    return frozenset(found)


def forget() -> None:
    """Look at the disk and the recordings file again (after a build, in tests)."""
    existing_files.cache_clear()
    recordings.cache_clear()
    _played_recordings.cache_clear()


def _settings_changed(setting, **kwargs):
    if setting in ("STATICFILES_DIRS", "GENERATED_STATIC_DIR"):
        forget()


setting_changed.connect(_settings_changed)


def audio_path(language: str, text: str) -> str:
    """The static path of the file that speaks `text`, or "" when there is none.

    A recording first, then the generated file. A text that another language's
    page still shows in English (not translated yet) is spoken by the English file.
    """
    key = spoken(text)
    if not key:
        return ""
    present = existing_files()
    for candidate in dict.fromkeys((language, BASE_LANGUAGE)):
        if candidate not in VOICES:
            continue
        for path in (_played_recordings().get((candidate, key)), generated_path(candidate, key)):
            if path in present:
                return path
    return ""


def audio_url(language: str, text: str) -> str:
    """The URL of the file that speaks `text` (see `audio_path`), or ""."""
    path = audio_path(language, text)
    if not path:
        return ""
    try:
        return static(path)
    except ValueError:
        # Built after collectstatic ran: not in the manifest, so not served. The device voice reads it.
        return ""


def page_language(language: str | None) -> str:
    """The language code a page's audio is in ("en-gb" -> "en").

    >>> page_language("cy"), page_language("en-gb"), page_language(None)
    ('cy', 'en', 'en')
    """
    return (language or BASE_LANGUAGE).split("-")[0].lower()


# --- which texts the patient form speaks ---------------------------------------------


def _spoken_keys(definition: QuestionnaireDef) -> list[tuple[str, bool]]:
    """The key (as `translations.english_texts` names it) of every text read-aloud.js
    reads on the patient form, in page order, with whether it is read line by line:
    the intro and the thanks are paragraphs, one file a line; the rest are read whole."""
    keys = [("easy_intro", True), ("thanks", True)]
    for question in definition.questions:
        prefix = f"questions.{question.code}."
        keys += [
            (prefix + ("easy_text" if question.easy_text else "text"), False),
            (prefix + "hint", False),
            (prefix + "quote", False),
        ]
        keys += [
            (f"{prefix}options.{option.code}." + ("easy_label" if option.easy_label else "label"), False)
            for option in question.options
        ]
    return keys


def page_texts(language: str, directory: Path = QUESTIONNAIRE_DIR) -> list[str]:
    """Every text the patient form speaks in `language`, once each, in page order,
    from the questionnaire files (no database).

    In another language, only the texts it translates: one without a translation
    is shown in English, and the page speaks it with the English file.
    """
    definitions = [definition for definition in load_all(directory) if definition.code == "patient"]
    files = language_files(directory) if language != BASE_LANGUAGE else {}
    texts: dict[str, None] = {}
    for definition in definitions:
        if language == BASE_LANGUAGE:
            shown = english_texts(definition)
        else:
            found = files.get((definition.code, definition.version), {}).get(language)
            shown = servable(definition, found.entries) if found else {}
        for key, by_line in _spoken_keys(definition):
            text = shown.get(key, "")
            for line in lines(text) if by_line else [text]:
                if spoken(line):
                    texts[spoken(line)] = None
    return list(texts)


# --- making a file -------------------------------------------------------------------


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def synthesize(language: str, text: str, target: Path) -> None:
    """Make one file: espeak-ng speaks the text as WAV, lame encodes it to MP3.

    Written beside the target and renamed into place, so a file that exists is whole.
    """
    generated_path(language, text)  # an unknown language fails here, before any tool runs
    try:
        wav = subprocess.run(
            ["espeak-ng", *VOICES[language], "--stdin", "--stdout"],
            input=spoken(text).encode(),
            capture_output=True,
            check=True,
        ).stdout
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        subprocess.run(["lame", "--quiet", *ENCODER, "-", str(partial)], input=wav, capture_output=True, check=True)
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode(errors="replace").strip() or f"exit status {exc.returncode}"
        raise AudioError(f"{exc.cmd[0]} failed for {language} {spoken(text)[:60]!r}: {message}") from exc
    os.replace(partial, target)
