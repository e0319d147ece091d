"""The easy-read form's spoken audio (docs/audio.md): how a file is named, a
person's recording winning over the synthetic voice, which texts are spoken,
build_audio (only what is missing, byte for byte the same, --check, --prune),
and the template tags that put the files on the page."""

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template import Context, Template
from django.utils import translation

from surveys import audio

HAVE_TOOLS = not audio.missing_tools()
needs_tools = pytest.mark.skipif(not HAVE_TOOLS, reason="espeak-ng or lame is not installed: apt-get install espeak-ng lame")


@pytest.fixture
def static_dirs(tmp_path, settings):
    """A committed static folder and a build folder of our own, both served."""
    committed, built = tmp_path / "static", tmp_path / "generated"
    committed.mkdir()
    built.mkdir()
    settings.STATICFILES_DIRS = [committed, built]
    settings.GENERATED_STATIC_DIR = built
    yield committed, built
    audio.forget()


@pytest.fixture
def recordings_file(tmp_path, monkeypatch):
    path = tmp_path / "recorded-audio.toml"
    monkeypatch.setattr(audio, "RECORDINGS_FILE", path)
    audio.forget()
    yield path
    audio.forget()


@pytest.fixture
def two_texts(monkeypatch):
    """The form speaks two short texts in each language: a build in a second or two."""
    texts = {"en": ["Yes", "No"], "cy": ["Ie", "Na"]}
    monkeypatch.setattr(audio, "page_texts", lambda language: texts[language])
    return texts


def put(folder, path, data=b"ID3"):
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    audio.forget()
    return target


def build(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("build_audio", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


# --- names ---------------------------------------------------------------------------


def test_a_files_name_is_the_language_and_a_hash_of_voice_and_text():
    name = audio.generated_path("cy", "Ydy cymorth gan gymheiriaid yn gallu helpu?")
    assert name.startswith("audio/cy/") and name.endswith(".mp3")
    assert len(name.removeprefix("audio/cy/").removesuffix(".mp3")) == 20
    # The same words however they are spaced or broken over lines: the page reads them so.
    assert audio.generated_path("cy", " Ydy cymorth gan\ngymheiriaid  yn gallu helpu? ") == name
    assert audio.generated_path("cy", "Ydy cymorth gan gymheiriaid yn gallu helpu") != name
    assert audio.generated_path("en", "Ydy cymorth gan gymheiriaid yn gallu helpu?") != name


def test_a_files_name_stays_the_same_from_one_release_to_the_next():
    # Pinned: a name that moved would make every tablet fetch every file again.
    assert audio.generated_path("cy", "Ie") == "audio/cy/858e0db0d587dada1a9c.mp3"
    assert audio.generated_path("en", "Yes") == "audio/en/2e7f2561b8a25b070a68.mp3"


def test_another_voice_or_encoding_gets_new_names(monkeypatch):
    before = audio.generated_path("en", "Yes")
    monkeypatch.setitem(audio.VOICES, "en", ("-b", "1", "-v", "en-gb", "-s", "120"))
    slower = audio.generated_path("en", "Yes")
    monkeypatch.setattr(audio, "ENCODER", ("-m", "m", "--resample", "16", "-b", "48", "--noreplaygain"))
    assert len({before, slower, audio.generated_path("en", "Yes")}) == 3


def test_a_language_without_a_voice_is_refused():
    with pytest.raises(audio.AudioError, match="no voice for language 'fr'"):
        audio.generated_path("fr", "Oui")


# --- recordings ----------------------------------------------------------------------


def test_the_shipped_recordings_file_is_readable():
    assert isinstance(audio.load_recordings(audio.RECORDINGS_FILE), dict)


def test_a_recording_wins_over_the_generated_file_for_its_exact_text(static_dirs, recordings_file):
    committed, built = static_dirs
    recordings_file.write_text(
        '[[recordings]]\nlanguage = "cy"\ntext = "Ydy cymorth gan gymheiriaid\\nyn gallu helpu?"\nfile = "audio/recorded/cy/useful.mp3"\n',
        encoding="utf-8",
    )
    put(built, audio.generated_path("cy", "Ydy cymorth gan gymheiriaid yn gallu helpu?"))
    put(built, audio.generated_path("cy", "Ie"))
    assert audio.audio_path("cy", "Ydy cymorth gan gymheiriaid yn gallu helpu?").startswith("audio/cy/")

    put(committed, "audio/recorded/cy/useful.mp3")
    assert audio.audio_path("cy", "Ydy cymorth gan gymheiriaid yn gallu helpu?") == "audio/recorded/cy/useful.mp3"
    assert audio.audio_path("cy", "Ie") == audio.generated_path("cy", "Ie")  # other texts keep theirs
    assert audio.audio_path("en", "Ydy cymorth gan gymheiriaid yn gallu helpu?") == ""  # for its language only


@pytest.mark.parametrize(
    "entry, message",
    [
        ('language = "fr"\ntext = "Oui"\nfile = "audio/recorded/fr/oui.mp3"', "language 'fr' is not one of"),
        ('language = "cy"\ntext = "Ie"\nfile = "audio/cy/ie.mp3"', "file must be audio/recorded/cy/<name>.mp3"),
        ('language = "cy"\ntext = "Ie"\nfile = "audio/recorded/en/ie.mp3"', "file must be audio/recorded/cy/"),
        ('language = "cy"\ntext = "Ie"\nfile = "audio/recorded/cy/../../x.mp3"', "file must be"),
        ('language = "cy"\ntext = " "\nfile = "audio/recorded/cy/ie.mp3"', "text must be the words spoken"),
        ('language = "cy"\nfile = "audio/recorded/cy/ie.mp3"', "needs exactly language, text and file"),
    ],
)
def test_a_bad_recording_is_refused_naming_the_entry(recordings_file, entry, message):
    recordings_file.write_text(f"[[recordings]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(audio.AudioError, match="recorded-audio.toml: recording 1") as refused:
        audio.recordings()
    assert message in str(refused.value)


def test_a_broken_recordings_list_leaves_pages_with_the_generated_voice(static_dirs, recordings_file, caplog):
    _, built = static_dirs
    recordings_file.write_text("[[recordings]]\nlanguage = 'cy'\n", encoding="utf-8")
    put(built, audio.generated_path("cy", "Ie"))
    assert audio.audio_path("cy", "Ie") == audio.generated_path("cy", "Ie")
    assert "Recordings not played" in caplog.text


def test_the_same_text_recorded_twice_is_refused(recordings_file):
    entry = '[[recordings]]\nlanguage = "cy"\ntext = "Ie"\nfile = "audio/recorded/cy/{}.mp3"\n'
    recordings_file.write_text(entry.format("one") + entry.format("two"), encoding="utf-8")
    with pytest.raises(audio.AudioError, match="recording 2: the same text in cy is recorded twice"):
        audio.recordings()


# --- which texts the form speaks -----------------------------------------------------


def test_the_patient_form_speaks_its_intro_line_by_line_and_every_question_hint_quote_and_option():
    texts = audio.page_texts("en")
    assert len(texts) == len(set(texts))
    for text in [
        "Peer support is help from other patients.",  # one line of easy_intro
        "You can skip any question.",
        "Thank you for telling us what you think.",  # one line of thanks
        "Can peer support help people in a secure hospital?",  # easy_text
        "Peer support is when people who have had mental health problems help each other.",  # hint
        "because we can share experiences and support each other",  # quote
        "Sometimes",  # an option's easy_label
        "Tell us why you think this.",  # a follow-up box's label
    ]:
        assert text in texts
    # Not read aloud on the patient form: the staff wording, an option's report example.
    assert "Do you think that peer support can be useful in secure services?" not in texts
    assert "Just talking. Asking “Are you okay?”" not in texts


PATIENT = r"""
code = "patient"
version = 1
title = "Survey"
easy_title = "Survey"
intro = "Hello"
easy_intro = "Hello.\nYou can skip."
thanks = "Thanks"

[[sections]]
code = "s"
title = "Part"

[[questions]]
code = "useful"
section = "s"
kind = "one"
text = "Is it useful?"
easy_text = "Useful?"
chart_title = "Useful"
options = [{code = "yes", label = "Yes", easy_label = "Yes"}, {code = "band", label = "16–24", easy_label = "16–24"}]
"""
WELSH = r"""
language = "cy"
[texts."easy_intro"]
en = "Hello.\nYou can skip."
cy = "Helo.\nGallwch chi hepgor."
[texts."questions.useful.easy_text"]
en = "Useful?"
cy = "Defnyddiol?"
[texts."questions.useful.options.band.easy_label"]
en = "16–24"
cy = "16–24"
[texts."questions.useful.options.yes.easy_label"]
en = "Yes"
cy = "Ie"
[texts."thanks"]
en = "Thanks, old wording"
cy = "Diolch"
"""


def test_another_language_speaks_what_it_translates_and_leaves_the_rest_to_english(tmp_path):
    (tmp_path / "cy").mkdir()
    (tmp_path / "patient.v1.toml").write_text(PATIENT, encoding="utf-8")
    (tmp_path / "cy" / "patient.v1.toml").write_text(WELSH, encoding="utf-8")
    assert audio.page_texts("en", tmp_path) == ["Hello.", "You can skip.", "Thanks", "Useful?", "Yes", "16–24"]
    # "16–24" is translated (the same in Welsh: read by the Welsh voice); the thanks' translation
    # is of wording since changed, so the page shows the English, spoken by the English file.
    assert audio.page_texts("cy", tmp_path) == ["Helo.", "Gallwch chi hepgor.", "Defnyddiol?", "Ie", "16–24"]


def test_the_welsh_page_plays_the_english_file_for_a_text_it_still_shows_in_english(static_dirs):
    _, built = static_dirs
    put(built, audio.generated_path("en", "No"))
    assert audio.audio_path("cy", "No") == audio.generated_path("en", "No")
    put(built, audio.generated_path("cy", "No"))
    assert audio.audio_path("cy", "No") == audio.generated_path("cy", "No")


# --- build_audio ---------------------------------------------------------------------


@needs_tools
def test_build_makes_what_is_missing_then_nothing(static_dirs, recordings_file, two_texts):
    _, built = static_dirs
    out = build()
    assert "Made 4 files." in out
    assert "en: 2 spoken texts, 2 generated and 0 recorded files" in out
    files = {path: path.stat().st_mtime_ns for path in built.rglob("*.mp3")}
    assert len(files) == 4 and all(path.stat().st_size > 1000 for path in files)
    assert not list(built.rglob("*.part"))

    out = build()
    assert "Nothing to make: every spoken text has its file." in out
    assert {path: path.stat().st_mtime_ns for path in built.rglob("*.mp3")} == files
    assert "Every spoken text has its file." in build("--check")


@needs_tools
def test_build_makes_the_same_bytes_every_time(tmp_path, settings, recordings_file, two_texts):
    made = []
    for folder in ("first", "second"):
        settings.GENERATED_STATIC_DIR = tmp_path / folder
        build("--language", "cy")
        made.append({path.relative_to(tmp_path / folder): path.read_bytes() for path in (tmp_path / folder).rglob("*.mp3")})
    assert len(made[0]) == 2 and made[0] == made[1]


def test_check_lists_what_is_missing_and_fails(static_dirs, recordings_file, two_texts):
    _, built = static_dirs
    put(built, audio.generated_path("en", "Yes"))
    put(built, audio.generated_path("en", "No"))
    put(built, audio.generated_path("cy", "Ie"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 spoken text has no file: run manage.py build_audio"):
        call_command("build_audio", "--check", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == f"cy: no file for 'Na' ({audio.generated_path('cy', 'Na').rsplit('/')[-1]})\n"
    assert not (built / audio.generated_path("cy", "Na")).exists()  # --check makes nothing


def test_without_espeak_ng_build_says_how_to_install_it_unless_nothing_is_missing(
    static_dirs, recordings_file, two_texts, monkeypatch
):
    _, built = static_dirs
    monkeypatch.setattr(audio, "missing_tools", lambda: ["espeak-ng"])
    with pytest.raises(
        CommandError, match="4 spoken texts need a file, and espeak-ng is not installed.*apt-get install espeak-ng lame"
    ):
        build()
    for language, texts in two_texts.items():
        for text in texts:
            put(built, audio.generated_path(language, text))
    assert "Nothing to make" in build()


def test_a_recorded_text_needs_no_generated_file_and_prune_deletes_the_old_one(static_dirs, recordings_file, two_texts):
    committed, built = static_dirs
    recordings_file.write_text(
        '[[recordings]]\nlanguage = "cy"\ntext = "Ie"\nfile = "audio/recorded/cy/ie.mp3"\n', encoding="utf-8"
    )
    put(committed, "audio/recorded/cy/ie.mp3", b"a person's voice")
    old = put(built, audio.generated_path("cy", "Ie"))
    stale = put(built, "audio/cy/00000000000000000000.mp3")
    other_language = put(built, "audio/en/00000000000000000000.mp3")
    for text in ("Na",):
        put(built, audio.generated_path("cy", text))

    out = build("--language", "cy", "--prune")
    assert "Nothing to make" in out
    assert "cy: deleted 2 files that no text names any more." in out
    assert "cy: 2 spoken texts, 1 generated and 1 recorded files" in out
    assert not old.exists() and not stale.exists()
    assert other_language.exists()  # only the languages built are pruned
    assert (committed / "audio/recorded/cy/ie.mp3").exists()


def test_a_listed_recording_that_is_not_there_is_said_and_the_synthetic_voice_stays(static_dirs, recordings_file, two_texts):
    _, built = static_dirs
    recordings_file.write_text(
        '[[recordings]]\nlanguage = "cy"\ntext = "Ie"\nfile = "audio/recorded/cy/ie.mp3"\n', encoding="utf-8"
    )
    for text in ("Ie", "Na"):
        put(built, audio.generated_path("cy", text))
    out = build("--language", "cy", "--check")
    assert "audio/recorded/cy/ie.mp3 is listed in recorded-audio.toml but is not a static file" in out


def test_build_refuses_a_language_it_has_no_voice_for():
    with pytest.raises(CommandError, match="No voice for fr"):
        build("--language", "fr")


# --- the template tags ---------------------------------------------------------------


def render(source, **context):
    return Template("{% load audio %}" + source).render(Context(context))


def test_audio_url_is_empty_without_a_file_and_the_static_url_with_one(static_dirs):
    _, built = static_dirs
    with translation.override("cy"):
        assert render("{% audio_url text %}", text="Ie") == ""
        put(built, audio.generated_path("cy", "Ie"))
        assert render("{% audio_url text %}", text="Ie") == "/static/" + audio.generated_path("cy", "Ie")
        assert render("{% audio_url text %}", text="") == ""
    with translation.override("en"):
        assert render("{% audio_url text %}", text="Ie") == ""


def test_paragraphs_with_audio_shows_text_as_linebreaks_does_and_lists_a_file_a_line(static_dirs):
    _, built = static_dirs
    text = "Peer support is help.\nYou can <skip>.\n\nThank you."
    with translation.override("en"):
        assert render("{% paragraphs_with_audio text %}", text=text) == (
            "<p>Peer support is help.<br>\nYou can &lt;skip&gt;.</p>\n<p>Thank you.</p>"
        )
        for line in ("Peer support is help.", "You can <skip>.", "Thank you."):
            put(built, audio.generated_path("en", line))
        first, second = (f"/static/{audio.generated_path('en', line)}" for line in ("Peer support is help.", "You can <skip>."))
        assert render("{% paragraphs_with_audio text %}", text=text) == (
            f'<p data-audio="{first} {second}">Peer support is help.<br>\nYou can &lt;skip&gt;.</p>\n'
            f'<p data-audio="/static/{audio.generated_path("en", "Thank you.")}">Thank you.</p>'
        )


def test_the_tablets_page_names_a_file_for_each_text_it_reads(static_dirs, client, ward_tablet):
    _, built = static_dirs
    for text in audio.page_texts("en"):
        put(built, audio.generated_path("en", text))
    page = client.get(ward_tablet.path).content.decode()
    useful = "/static/" + audio.generated_path("en", "Can peer support help people in a secure hospital?")
    assert f'<legend class="question-text" data-audio="{useful}">' in page
    assert f'data-audio="/static/{audio.generated_path("en", "Sometimes")}">Sometimes</span>' in page
    assert f'data-audio="/static/{audio.generated_path("en", "Tell us why you think this.")}">' in page
    assert 'data-audio=""' not in page  # every text the page reads has its file


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_ng_has_the_voices_we_name():
    voices = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout.split()
    assert {"cy", "en-gb"} <= set(voices)
