"""Questionnaire texts in other languages: the files' rules, translated definitions,
the rows the forms read, and the outputs that stay in English whatever the page's language."""

import dataclasses
import io
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from surveys import checks
from surveys.definitions import QUESTIONNAIRE_DIR, load_all, load_file
from surveys.models import Questionnaire, Translation
from surveys.questionnaire_sync import questionnaires_sync
from surveys.selectors import latest_loaded, loaded_questionnaire
from surveys.translations import (
    Entry,
    LanguageTexts,
    TranslationError,
    all_problems,
    english_texts,
    language_files,
    load_language_file,
    other_languages,
    problems,
    translate,
    translated_definitions,
)

STAFF_V1 = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
PATIENT_V2 = load_file(QUESTIONNAIRE_DIR / "patient.v2.toml")


def welsh(english: str) -> str:
    """A stand-in translation: the real Welsh files are written by people."""
    return f"CY: {english}"


def language_file(path, entries: dict[str, dict], language="cy"):
    """Write a language file: key -> {"en": ..., "cy": ..., "reviewed": ...}."""
    lines = [f"language = {json.dumps(language)}"]
    for key, fields in entries.items():
        lines.append(f"\n[texts.{json.dumps(key)}]")
        for name, value in fields.items():
            lines.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def complete(definition) -> dict[str, dict]:
    return {key: {"en": text, "cy": welsh(text)} for key, text in english_texts(definition).items()}


@pytest.fixture
def staff_folder(tmp_path):
    """A questionnaire folder with staff v1 and a complete Welsh file for it."""
    shutil.copy(QUESTIONNAIRE_DIR / "staff.v1.toml", tmp_path / "staff.v1.toml")
    language_file(tmp_path / "cy" / "staff.v1.toml", complete(STAFF_V1))
    return tmp_path


# --- the pure functions -----------------------------------------------------------------


def test_english_texts_are_every_non_empty_text_by_its_place():
    texts = english_texts(PATIENT_V2)
    assert texts["easy_title"] == "Tell us what you think about peer support"
    assert texts["questions.useful.easy_text"] == "Can peer support help people in a secure hospital?"
    assert texts["sections.peer_support.easy_title"] == "Peer support in this hospital"
    assert texts["questions.useful.options.yes.label"] == "Yes"
    assert all(texts.values())
    unhinted = next(question for question in PATIENT_V2.questions if not question.hint)
    assert f"questions.{unhinted.code}.hint" not in texts


def test_a_complete_file_has_no_problems(staff_folder):
    texts = load_language_file(staff_folder / "cy" / "staff.v1.toml")
    assert texts.language == "cy" and texts.name == "cy/staff.v1.toml"
    assert texts.entries["title"] == Entry(en=STAFF_V1.title, text=welsh(STAFF_V1.title), reviewed=False, reviewed_by="")
    assert problems(STAFF_V1, texts) == []


def test_problems_name_the_file_and_the_text(staff_folder):
    entries = complete(STAFF_V1)
    del entries["questions.useful.text"]
    entries["intro"]["en"] = "An older introduction"
    entries["thanks"]["cy"] = "  "
    entries["questions.useful.options.maybe.label"] = {"en": "Maybe", "cy": "Efallai"}
    language_file(staff_folder / "cy" / "staff.v1.toml", entries)

    found = problems(STAFF_V1, load_language_file(staff_folder / "cy" / "staff.v1.toml"))

    assert len(found) == 4, found
    assert any(
        message.startswith("cy/staff.v1.toml: questions.useful.text: has no translation (English: 'Do you") for message in found
    )
    assert any(
        message.startswith("cy/staff.v1.toml: intro: the English has changed since it was translated") for message in found
    )
    assert "cy/staff.v1.toml: thanks: the translation is empty" in found
    assert "cy/staff.v1.toml: questions.useful.options.maybe.label: is not a text of staff.v1.toml" in found


def test_a_text_whose_english_is_empty_takes_no_entry():
    assert not STAFF_V1.question("useful").options[0].easy_label
    key = "questions.useful.options.yes.easy_label"
    texts = LanguageTexts("cy", {key: Entry("", "Ydy")}, name="cy/staff.v1.toml")
    assert f"cy/staff.v1.toml: {key}: is not a text of staff.v1.toml" in problems(STAFF_V1, texts)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('language = "fr"\n', "language must be 'cy'"),
        ('language = "cy"\n[texts.title]\nen = "A"\ncy = "B"\nreviewed = "yes"\n', "reviewed must be true or false"),
        ('language = "cy"\n[texts.title]\ncy = "B"\n', "en must be the English it translates"),
        ('language = "cy"\n[texts.title]\nen = "A"\nwelsh = "B"\n', "unknown key 'welsh'"),
        ('language = "cy"\ntexts = "all of them"\n', "texts must be tables"),
        ('language = "cy"\n[texts.title\n', "is not valid TOML"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_by_name(tmp_path, content, message):
    path = tmp_path / "cy" / "staff.v1.toml"
    path.parent.mkdir()
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranslationError, match=f"^cy/staff.v1.toml: .*{message}"):
        load_language_file(path)


def test_reviewed_and_who_reviewed_are_read(tmp_path):
    path = language_file(
        tmp_path / "cy" / "staff.v1.toml",
        {"title": {"en": STAFF_V1.title, "cy": "Arolwg staff", "reviewed": True, "reviewed_by": "Siân, Welsh language officer"}},
    )
    assert load_language_file(path).entries["title"] == Entry(
        STAFF_V1.title, "Arolwg staff", True, "Siân, Welsh language officer"
    )


def test_translate_replaces_texts_keeps_codes_and_falls_back_to_english():
    texts = {
        "easy_title": "Dywedwch wrthym beth rydych chi'n ei feddwl am gymorth gan gymheiriaid",
        "questions.useful.easy_text": "Ydy cymorth gan gymheiriaid yn gallu helpu pobl mewn ysbyty diogel?",
        "questions.useful.options.yes.easy_label": "Ydy",
        "sections.about_you.easy_title": "Amdanoch chi",
    }
    translated = translate(PATIENT_V2, texts)

    assert translated.easy_title == texts["easy_title"]
    assert translated.question("useful").easy_text == texts["questions.useful.easy_text"]
    assert translated.question("useful").options[0].easy_label == "Ydy"
    assert next(s for s in translated.sections if s.code == "about_you").easy_title == "Amdanoch chi"
    # Everything else stays English.
    assert translated.title == PATIENT_V2.title
    assert translated.question("useful").text == PATIENT_V2.question("useful").text
    # Codes, kinds, order, branching and icons are the English file's.
    assert [(q.code, q.kind, q.parent, q.show_if_question, q.show_if_options, q.option_codes) for q in translated.questions] == [
        (q.code, q.kind, q.parent, q.show_if_question, q.show_if_options, q.option_codes) for q in PATIENT_V2.questions
    ]
    assert [o.icon for q in translated.questions for o in q.options] == [o.icon for q in PATIENT_V2.questions for o in q.options]
    assert [s.code for s in translated.sections] == [s.code for s in PATIENT_V2.sections]
    # The English definition is untouched, its question index too.
    assert PATIENT_V2.question("useful").easy_text == "Can peer support help people in a secure hospital?"


def test_language_files_and_translated_definitions_read_the_folder(staff_folder):
    entries = complete(STAFF_V1)
    entries["intro"]["en"] = "An older introduction"
    language_file(staff_folder / "cy" / "staff.v1.toml", entries)

    files = language_files(staff_folder)
    assert list(files) == [("staff", 1)] and list(files[("staff", 1)]) == ["cy"]

    (english,) = translated_definitions("en", staff_folder)
    (cymraeg,) = translated_definitions("cy", staff_folder)
    assert english == STAFF_V1
    assert cymraeg.title == welsh(STAFF_V1.title)
    assert cymraeg.question("useful").options[0].label == welsh("Yes")
    assert cymraeg.intro == STAFF_V1.intro  # stale: shown in English
    assert translated_definitions("fr", staff_folder) == [STAFF_V1]


def test_a_language_file_must_be_named_as_the_file_it_translates(staff_folder):
    language_file(staff_folder / "cy" / "staff-v1.toml", {})
    with pytest.raises(TranslationError, match="cy/staff-v1.toml: should be named"):
        language_files(staff_folder)


def test_all_problems_names_missing_files_and_files_without_a_questionnaire(staff_folder):
    language_file(staff_folder / "cy" / "staff.v7.toml", {})
    found = [p.message for p in all_problems([STAFF_V1, PATIENT_V2], language_files(staff_folder), ["cy"])]
    count = len(english_texts(PATIENT_V2))
    assert found == [
        f"cy/patient.v2.toml: missing: none of the {count} texts of patient.v2.toml has a translation",
        "cy/staff.v7.toml: there is no staff.v7.toml to translate",
    ]


def test_every_questionnaire_text_is_translated_into_every_language():
    """Every text of every questionnaire file has a current, non-empty translation in
    every language of settings.LANGUAGES (surveys/questionnaires/README.md, "Other languages")."""
    assert other_languages() == [code for code, _ in settings.LANGUAGES if code != "en"]
    found = [p.message for p in all_problems(load_all(), language_files(), other_languages())]
    shown = "\n".join(found[:40]) + (f"\n... and {len(found) - 40} more" if len(found) > 40 else "")
    assert not found, f"{len(found)} translation problems:\n{shown}"


# --- the system check -------------------------------------------------------------------


def test_the_system_check_warns_per_file_and_kind(staff_folder, monkeypatch):
    entries = complete(STAFF_V1)
    entries["intro"]["en"] = "An older introduction"
    del entries["title"], entries["thanks"]
    language_file(staff_folder / "cy" / "staff.v1.toml", entries)
    shutil.copy(QUESTIONNAIRE_DIR / "patient.v2.toml", staff_folder / "patient.v2.toml")
    monkeypatch.setattr(checks, "load_all", lambda: load_all(staff_folder))
    monkeypatch.setattr(checks, "language_files", lambda: language_files(staff_folder))

    warnings = {warning.id: warning.msg for warning in checks.translations_complete()}

    assert warnings["surveys.W011"].startswith("cy/patient.v2.toml: missing")
    assert warnings["surveys.W012"] == "cy/staff.v1.toml: 2 texts have no translation: title, thanks."
    assert (
        warnings["surveys.W013"].startswith("cy/staff.v1.toml: 1 texts' English has changed")
        and "intro" in warnings["surveys.W013"]
    )
    assert set(warnings) == {"surveys.W011", "surveys.W012", "surveys.W013"}


def test_the_system_check_names_a_file_it_cannot_read(staff_folder, monkeypatch):
    (staff_folder / "cy" / "staff.v1.toml").write_text("language = \n", encoding="utf-8")
    monkeypatch.setattr(checks, "load_all", lambda: load_all(staff_folder))
    monkeypatch.setattr(checks, "language_files", lambda: language_files(staff_folder))
    (warning,) = checks.translations_complete()
    assert warning.id == "surveys.W010" and warning.msg.startswith("cy/staff.v1.toml: is not valid TOML")


# --- rows and the forms --------------------------------------------------------------------


@pytest.fixture
def welsh_rows(db):
    """Every questionnaire with every text in stand-in Welsh, loaded as migrate loads the files."""
    definitions = load_all()
    files = {
        (d.code, d.version): {
            "cy": LanguageTexts("cy", {key: Entry(text, welsh(text)) for key, text in english_texts(d).items()})
        }
        for d in definitions
    }
    questionnaires_sync(definitions, files)
    return definitions


def test_loading_stores_usable_texts_reports_changes_and_is_idempotent(db):
    Translation.objects.all().delete()  # migrate loaded the shipped files
    entries = {key: Entry(text, welsh(text)) for key, text in english_texts(STAFF_V1).items()}
    entries["intro"] = Entry("An older introduction", "Cyflwyniad hŷn")
    entries["thanks"] = Entry(STAFF_V1.thanks, "")
    entries["questions.nowhere.text"] = Entry("Nowhere?", "Unman?")
    files = {("staff", 1): {"cy": LanguageTexts("cy", entries, name="cy/staff.v1.toml")}}
    usable = len(english_texts(STAFF_V1)) - 2

    assert questionnaires_sync([STAFF_V1], files) == [f"staff v1 in cy: {usable} texts added"]
    rows = Translation.objects.filter(questionnaire__code="staff", questionnaire__version=1, language="cy")
    assert rows.count() == usable
    assert not rows.filter(key__in=["intro", "thanks", "questions.nowhere.text"]).exists()
    assert rows.get(key="title").source == STAFF_V1.title and rows.get(key="title").reviewed is False
    assert questionnaires_sync([STAFF_V1], files) == []

    entries["title"] = Entry(STAFF_V1.title, "Arolwg staff", reviewed=True, reviewed_by="Siân")
    del entries["questions.useful.text"]
    assert questionnaires_sync([STAFF_V1], files) == ["staff v1 in cy: 1 texts changed, 1 texts removed"]
    assert rows.get(key="title").reviewed_by == "Siân"
    # A folder without Welsh files leaves the Welsh rows alone; with Welsh files but
    # none for this questionnaire, its rows go: the files are the record.
    assert questionnaires_sync([STAFF_V1], {}) == []
    elsewhere = {("patient", 2): {"cy": LanguageTexts("cy", name="cy/patient.v2.toml")}}
    assert questionnaires_sync([STAFF_V1], elsewhere) == [f"staff v1 in cy: {usable - 1} texts removed"]
    assert not rows.exists()


def test_loaded_questionnaire_in_welsh_has_welsh_texts_and_the_same_codes_and_ids(welsh_rows):
    pk = Questionnaire.objects.get(code="patient", version=2).pk
    english = loaded_questionnaire(pk, "en")
    cymraeg = loaded_questionnaire(pk, "cy")

    assert cymraeg.definition.easy_title == welsh(PATIENT_V2.easy_title)
    assert cymraeg.definition.question("useful").options[0].easy_label == welsh(
        PATIENT_V2.question("useful").options[0].easy_label
    )
    assert english.definition.easy_title == PATIENT_V2.easy_title
    assert (cymraeg.pk, cymraeg.question_ids, cymraeg.option_ids) == (english.pk, english.question_ids, english.option_ids)
    assert [(q.code, q.option_codes) for q in cymraeg.definition.questions] == [
        (q.code, q.option_codes) for q in english.definition.questions
    ]
    # Cached per language; a language we do not have is English.
    assert loaded_questionnaire(pk, "cy") is cymraeg
    assert loaded_questionnaire(pk, "fr") is english
    # By default, the active language.
    with translation.override("cy"):
        assert loaded_questionnaire(pk) is cymraeg
        assert latest_loaded("patient").definition.title == welsh(PATIENT_V2.title)
    with translation.override("en"):
        assert loaded_questionnaire(pk) is english


def test_a_text_whose_english_changed_after_loading_is_shown_in_english(welsh_rows):
    changed = dataclasses.replace(PATIENT_V2, title="A new title", _by_code={})
    questionnaires_sync([changed])  # the English only: the Welsh rows stay as they were
    loaded = latest_loaded("patient", "cy").definition
    assert loaded.title == "A new title"
    assert loaded.easy_title == welsh(PATIENT_V2.easy_title)


def test_the_patient_form_and_thanks_are_in_the_language_asked_for(client, welsh_rows, patient_link):
    page = client.get(f"/c/{patient_link.token}/?lang=cy").content.decode()
    assert welsh(PATIENT_V2.question("useful").easy_text) in page
    assert welsh(PATIENT_V2.easy_intro.splitlines()[0]) in page
    # The answers' codes are the same in every language.
    assert 'value="not_sure"' in page

    english = client.get(f"/c/{patient_link.token}/?lang=en").content.decode()
    assert PATIENT_V2.question("useful").easy_text in english and "CY: " not in english

    thanks = client.get(f"/c/{patient_link.token}/thanks/?lang=cy").content.decode()
    assert welsh(PATIENT_V2.thanks.splitlines()[0]) in thanks


def test_data_json_stays_in_english_whatever_the_language(national_client, welsh_rows):
    english = national_client.get("/dashboard/data.json?lang=en").json()
    asked_in_welsh = national_client.get("/dashboard/data.json?lang=cy").json()
    national_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    with translation.override("cy"):
        welsh_cookie = national_client.get("/dashboard/data.json").json()

    for data in (asked_in_welsh, welsh_cookie):
        assert "CY: " not in json.dumps(data, ensure_ascii=False)
        assert [(q["code"], q["title"], [(o["code"], o["label"]) for o in q["options"]]) for q in data["questions"]] == [
            (q["code"], q["title"], [(o["code"], o["label"]) for o in q["options"]]) for q in english["questions"]
        ]
    useful = next(q for q in english["questions"] if q["code"] == "useful")
    assert [o["label"] for o in useful["options"]][:2] == ["Yes", "Sometimes"]


def test_the_admin_lists_texts_awaiting_review_read_only(admin_client, welsh_rows):
    page = admin_client.get("/admin/surveys/translation/?reviewed__exact=0&language__exact=cy&q=questions.useful.text")
    assert page.status_code == 200
    html = page.content.decode()
    assert "questions.useful.text" in html and welsh(STAFF_V1.question("useful").text) in html
    assert STAFF_V1.question("useful").text in html  # the English beside it
    assert admin_client.get("/admin/surveys/translation/add/").status_code == 403
    row = Translation.objects.filter(language="cy").first()
    assert admin_client.post(f"/admin/surveys/translation/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/surveys/translation/{row.pk}/change/", {"text": "Newid"}).status_code == 403
    row.refresh_from_db()
    assert row.text.startswith("CY: ")


# --- the command -------------------------------------------------------------------------------


def test_load_questionnaires_loads_the_language_files_and_lists_their_problems(db, staff_folder):
    for name in ("patient.v1.toml", "patient.v2.toml", "staff.v2.toml"):
        shutil.copy(QUESTIONNAIRE_DIR / name, staff_folder / name)
    out, err = _run("load_questionnaires", "--dir", str(staff_folder))
    assert "Questionnaire staff v1 in cy:" in out
    assert "Translation: cy/patient.v1.toml: missing" in err
    assert Translation.objects.filter(questionnaire__code="staff", questionnaire__version=1, language="cy").count() == len(
        english_texts(STAFF_V1)
    )
    assert not Translation.objects.filter(questionnaire__code="patient").exists()


def test_load_questionnaires_refuses_a_broken_language_file(db, staff_folder):
    for name in ("patient.v1.toml", "patient.v2.toml", "staff.v2.toml"):
        shutil.copy(QUESTIONNAIRE_DIR / name, staff_folder / name)
    (staff_folder / "cy" / "staff.v1.toml").write_text('language = "cy"\n[texts.title\n', encoding="utf-8")
    before = list(Translation.objects.values_list("pk", "text"))
    with pytest.raises(CommandError, match="cy/staff.v1.toml: is not valid TOML"):
        _run("load_questionnaires", "--dir", str(staff_folder))
    assert list(Translation.objects.values_list("pk", "text")) == before


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()
