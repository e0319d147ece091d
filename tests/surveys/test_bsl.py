"""Sign language (BSL): a question's video, named in the questionnaire file, shown on the
patient's screen behind "Watch in BSL" with captions in the page's language."""

import re

import pytest
from django.core.management import CommandError, call_command

from surveys.definitions import QUESTIONNAIRE_DIR, DefinitionError, load_file
from surveys.questionnaire_sync import questionnaires_sync
from surveys.selectors import latest_loaded

VIDEO = "bsl/patient/useful.mp4"
CAPTIONS = {"en": "bsl/patient/useful.en.vtt", "cy": "bsl/patient/useful.cy.vtt"}
WITH_VIDEO = (
    f'[[questions]]\ncode = "useful"\nbsl = "{VIDEO}"\nbsl_captions = {{ en = "{CAPTIONS["en"]}", cy = "{CAPTIONS["cy"]}" }}\n'
)


@pytest.fixture
def bsl_static(tmp_path, settings):
    """A static folder of the site's with a tiny stand-in video and its captions."""
    static = tmp_path / "static"
    (static / "bsl" / "patient").mkdir(parents=True)
    (static / VIDEO).write_bytes(b"\x00\x00\x00\x18ftypmp42")  # an MP4's first bytes are enough here
    (static / CAPTIONS["en"]).write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nCan peer support help?\n")
    (static / CAPTIONS["cy"]).write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nAll cymorth gan gyfoedion helpu?\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static]
    return static


def patient_file(tmp_path, replace=('[[questions]]\ncode = "useful"\n', WITH_VIDEO), name="patient.v2.toml"):
    """The real patient file with one change, in a folder of its own."""
    text = (QUESTIONNAIRE_DIR / name).read_text()
    old, new = replace
    assert text.count(old) == 1
    folder = tmp_path / "questionnaires"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text.replace(old, new))
    return path


def test_loader_reads_the_video_and_its_captions(tmp_path, bsl_static):
    question = load_file(patient_file(tmp_path)).question("useful")
    assert question.bsl == VIDEO
    assert question.bsl_captions == (("cy", CAPTIONS["cy"]), ("en", CAPTIONS["en"]))
    assert question.bsl_type == "video/mp4"


def test_loader_refuses_a_missing_video_with_its_path(tmp_path):
    with pytest.raises(DefinitionError) as refused:
        load_file(patient_file(tmp_path))
    assert str(refused.value) == (
        "patient.v2.toml: question 'useful': bsl video 'bsl/patient/useful.mp4' has no file static/bsl/patient/useful.mp4"
    )


def test_load_questionnaires_refuses_a_missing_video(tmp_path, db):
    with pytest.raises(CommandError, match=r"bsl video 'bsl/patient/useful\.mp4' has no file static/bsl/patient/useful\.mp4"):
        call_command("load_questionnaires", dir=str(patient_file(tmp_path).parent))


@pytest.mark.parametrize(
    "lines, message",
    [
        (f'bsl = "{VIDEO}"\nbsl_captions = {{ en = "bsl/patient/gone.en.vtt" }}\n', "has no file static/bsl/patient/gone.en.vtt"),
        (f'bsl = "{VIDEO}"\nbsl_captions = {{ fr = "{CAPTIONS["en"]}" }}\n', "bsl_captions language 'fr' is not one of cy, en"),
        (f'bsl = "{VIDEO}"\nbsl_captions = {{ en = "bsl/patient/not-captions.vtt" }}\n', "is not WebVTT"),
        (f'bsl = "{VIDEO}"\nbsl_captions = "{CAPTIONS["en"]}"\n', "bsl_captions must be a table"),
        (f'bsl_captions = {{ en = "{CAPTIONS["en"]}" }}\n', "bsl_captions needs a bsl video"),
        ('bsl = "../secrets/useful.mp4"\n', "must be a path under static/ ending in .mp4 or .webm"),
        ('bsl = "bsl/patient/useful.mov"\n', "must be a path under static/ ending in .mp4 or .webm"),
    ],
)
def test_loader_refuses_bad_sign_language_keys(tmp_path, bsl_static, lines, message):
    (bsl_static / "bsl" / "patient" / "not-captions.vtt").write_text("1\n00:00:00,000 --> 00:00:02,000\nSRT, not WebVTT\n")
    path = patient_file(tmp_path, ('[[questions]]\ncode = "useful"\n', f'[[questions]]\ncode = "useful"\n{lines}'))
    with pytest.raises(DefinitionError, match=re.escape(message)):
        load_file(path)


def test_only_a_screens_own_patient_question_has_a_video(tmp_path, bsl_static):
    follow_up = patient_file(tmp_path, ('code = "useful_why"\n', f'code = "useful_why"\nbsl = "{VIDEO}"\n'))
    with pytest.raises(DefinitionError, match="a follow-up shows on 'useful''s screen; give 'useful' the bsl video"):
        load_file(follow_up)
    staff = patient_file(
        tmp_path, ('[[questions]]\ncode = "useful"\n', f'[[questions]]\ncode = "useful"\nbsl = "{VIDEO}"\n'), "staff.v2.toml"
    )
    with pytest.raises(DefinitionError, match="only the patient form shows sign language"):
        load_file(staff)


@pytest.fixture
def useful_in_bsl(tmp_path, bsl_static, db):
    """The newest patient questionnaire, loaded again with a BSL video on `useful`."""
    assert questionnaires_sync([load_file(patient_file(tmp_path))]) == ["updated patient v2"]


def test_the_video_is_stored_and_read_back(useful_in_bsl):
    question = latest_loaded("patient", "en").definition.question("useful")
    assert (question.bsl, dict(question.bsl_captions)) == (VIDEO, CAPTIONS)
    assert latest_loaded("patient", "en").definition.question("ideal_forms").bsl == ""


def video_of(page) -> str:
    html = page.content.decode()
    screen = re.search(r'<section class="screen screen-question"[^>]*data-code="useful".*?</section>', html, re.S).group(0)
    return re.search(r"<details class=\"bsl\">.*?</details>", screen, re.S).group(0)


@pytest.mark.parametrize(
    "query, first, label, other",
    [("?lang=en", "en", "English", "cy"), ("?lang=cy", "cy", "Cymraeg", "en")],
)
def test_patient_screen_offers_the_video_with_captions_in_its_language(
    client, ward_tablet, useful_in_bsl, query, first, label, other
):
    video = video_of(client.get(ward_tablet.path + query))
    assert "<summary" in video
    assert re.search(r'<video class="bsl-video" controls preload="none" playsinline width="\d+" height="\d+">', video)
    assert "autoplay" not in video
    assert f'<source src="/static/{VIDEO}" type="video/mp4">' in video
    tracks = re.findall(r"<track [^>]*>", video)
    assert tracks[0] == f'<track kind="captions" srclang="{first}" label="{label}" src="/static/{CAPTIONS[first]}" default>'
    assert [re.search(r'srclang="(\w+)"', track).group(1) for track in tracks] == [first, other]
    assert sum(" default" in track for track in tracks) == 1


def test_watch_in_bsl_is_translated(client, ward_tablet, useful_in_bsl):
    assert "Watch in BSL" in video_of(client.get(ward_tablet.path + "?lang=en"))
    assert "Watch in BSL" not in video_of(client.get(ward_tablet.path + "?lang=cy"))


def test_english_captions_when_the_page_language_has_none(tmp_path, bsl_static, db, client, ward_tablet):
    only_english = WITH_VIDEO.replace(f', cy = "{CAPTIONS["cy"]}"', "")
    questionnaires_sync([load_file(patient_file(tmp_path, ('[[questions]]\ncode = "useful"\n', only_english)))])
    tracks = re.findall(r"<track [^>]*>", video_of(client.get(ward_tablet.path + "?lang=cy")))
    assert tracks == [f'<track kind="captions" srclang="en" label="English" src="/static/{CAPTIONS["en"]}" default>']


def test_no_video_no_control(client, ward_tablet):
    html = client.get(ward_tablet.path).content.decode()
    assert "<video" not in html and "bsl-toggle" not in html
